package core

import (
	"fmt"
	"strings"
	"time"
)

// The eIDAS assurance levels (Regulation 910/2014 art. 8), lowest first.
// AssuranceLow is declared with the email code it describes (identify.go).
const (
	AssuranceSubstantial = "substantial"
	AssuranceHigh        = "high"
)

// assuranceRank orders the levels; an unknown or empty level ranks below low.
func assuranceRank(level string) int {
	switch level {
	case AssuranceLow:
		return 1
	case AssuranceSubstantial:
		return 2
	case AssuranceHigh:
		return 3
	}
	return 0
}

// ValidAssurance reports whether level is one of low, substantial, high.
func ValidAssurance(level string) bool { return assuranceRank(level) > 0 }

// AssuranceAtLeast reports whether reached satisfies required. An empty
// requirement is low.
func AssuranceAtLeast(reached, required string) bool {
	if required == "" {
		required = AssuranceLow
	}
	return assuranceRank(reached) >= assuranceRank(required)
}

// DefaultACRLevels maps the acr values of the eIDAS profiles that
// FranceConnect and most European identity providers use to the levels.
var DefaultACRLevels = map[string]string{"eidas1": AssuranceLow, "eidas2": AssuranceSubstantial, "eidas3": AssuranceHigh}

// ParseACRLevels reads "acr=level,acr=level" (as the --oidc-acr-levels flag
// writes it) into a map; an empty string gives DefaultACRLevels.
func ParseACRLevels(s string) (map[string]string, error) {
	if strings.TrimSpace(s) == "" {
		return DefaultACRLevels, nil
	}
	m := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		acr, level, ok := strings.Cut(strings.TrimSpace(pair), "=")
		acr, level = strings.TrimSpace(acr), strings.TrimSpace(level)
		if !ok || acr == "" || !ValidAssurance(level) {
			return nil, fmt.Errorf("acr level %q: want acr=low|substantial|high", pair)
		}
		m[acr] = level
	}
	return m, nil
}

// IdentityPolicy is the operator's identification configuration: how the
// identity provider's acr values translate into levels, and the level a
// consumer letter requires when its sender did not ask for more.
type IdentityPolicy struct {
	ACRLevels       map[string]string
	ConsumerDefault string // "" = low
}

// WithIdentityPolicy sets how providers' acr values map to levels and the
// operator's default level for consumer letters.
func WithIdentityPolicy(p IdentityPolicy) Option {
	return func(s *Service) { s.identity = p }
}

// LevelOf returns the level an acr value stands for, "" when the policy
// does not know it (which identifies nobody).
func (p IdentityPolicy) LevelOf(acr string) string {
	m := p.ACRLevels
	if m == nil {
		m = DefaultACRLevels
	}
	return m[acr]
}

// LevelOfACR returns the level the policy gives to acr ("" when unknown), so
// that pages can say what the configured provider reaches.
func (s *Service) LevelOfACR(acr string) string { return s.identity.LevelOf(acr) }

// requiredAssurance is the level a deposit must be opened with: what the
// sender asked, else the operator's default for consumers, else low.
func (s *Service) requiredAssurance(req DepositRequest, recipientType string) (string, error) {
	level := strings.TrimSpace(req.RequiredAssurance)
	if level == "" && recipientType == RecipientConsumer {
		level = s.identity.ConsumerDefault
	}
	if level == "" {
		return AssuranceLow, nil
	}
	if !ValidAssurance(level) {
		return "", FieldError(EINVALID, "required_assurance", "required_assurance must be low, substantial or high")
	}
	return level, nil
}

// RequiredLevel is the level a notice's recipient must reach; low when the
// notice predates the field.
func (n Notice) RequiredLevel() string {
	if n.RequiredAssurance == "" {
		return AssuranceLow
	}
	return n.RequiredAssurance
}

// setIdentification fixes the letter's required level and the recipient's
// birth date at deposit.
func (s *Service) setIdentification(n *Notice, req DepositRequest) error {
	level, err := s.requiredAssurance(req, n.RecipientType)
	if err != nil {
		return err
	}
	n.RequiredAssurance = level
	if b := strings.TrimSpace(req.RecipientBirthdate); b != "" {
		if _, err := time.Parse(time.DateOnly, b); err != nil {
			return FieldError(EINVALID, "recipient_birthdate", "recipient_birthdate must be a date written YYYY-MM-DD")
		}
		n.RecipientBirthdate = b
	}
	return nil
}

// emailCodeSuffices refuses the email code (low) for a letter that
// requires more, before a code is sent or checked.
func emailCodeSuffices(n *Notice) error {
	if AssuranceAtLeast(AssuranceLow, n.RequiredLevel()) {
		return nil
	}
	return Refusal(&IdentityRefusal{Reason: ReasonAssuranceTooLow, Required: n.RequiredLevel(), Reached: AssuranceLow})
}
