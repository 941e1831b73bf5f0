package core

import (
	"context"
	"strings"
	"time"
)

// MethodOIDC is identification through an OpenID Connect identity provider
// (FranceConnect+, a national eID); its level comes from the acr the
// provider asserted.
const MethodOIDC = "oidc"

// ProvidedIdentity is what an identity provider asserted in an ID token
// whose signature, issuer, audience, expiry and nonce the adapter has
// already checked.
type ProvidedIdentity struct {
	Issuer        string
	Subject       string
	ACR           string
	GivenName     string
	FamilyName    string
	Birthdate     string // YYYY-MM-DD
	Email         string
	EmailVerified bool
}

// Reasons an identity-provider sign-in identified nobody. The first group
// is found by the adapter (the token), the second by the domain (the
// person); IdentityRefusal carries them to the pages and the evidence.
const (
	ReasonProviderError   = "provider_error"     // the provider answered with an error or not at all
	ReasonCodeRefused     = "code_refused"       // the code was refused (replayed, expired, wrong verifier)
	ReasonTokenSignature  = "id_token_signature" // not signed by a key the provider publishes
	ReasonTokenIssuer     = "id_token_issuer"
	ReasonTokenAudience   = "id_token_audience"
	ReasonTokenExpired    = "id_token_expired"
	ReasonTokenNonce      = "id_token_nonce"
	ReasonStateMismatch   = "state_mismatch" // the callback is not the answer to this browser's request
	ReasonACRMissing      = "acr_missing"
	ReasonACRUnknown      = "acr_unknown"
	ReasonAssuranceTooLow = "assurance_too_low"
	ReasonNameMismatch    = "name_mismatch"
	ReasonOtherPerson     = "other_person" // a different subject than the one who accepted
	// ReasonCancelled is a sign-in the person cancelled at the provider:
	// no failure, so never recorded.
	ReasonCancelled = "cancelled"
)

var providerReasons = map[string]bool{
	ReasonProviderError: true, ReasonCodeRefused: true, ReasonTokenSignature: true, ReasonTokenIssuer: true,
	ReasonTokenAudience: true, ReasonTokenExpired: true, ReasonTokenNonce: true, ReasonStateMismatch: true,
}

// maxProviderFailures bounds the IdentificationFailure events of a letter:
// past it a refusal is still refused, but no longer recorded.
const maxProviderFailures = 20

// IdentityRefusal says why an identification was refused: the reason, the
// fields of the name that did not match, the level required and reached.
// It travels as the cause of an EFORBIDDEN *Error.
type IdentityRefusal struct {
	Reason     string
	Mismatched []string
	Required   string
	Reached    string
}

func (r *IdentityRefusal) Error() string { return "identification refused: " + r.Reason }

func (r *IdentityRefusal) details(p ProvidedIdentity) map[string]string {
	d := map[string]string{"reason": r.Reason, "identification_method": MethodOIDC, "required_assurance": r.Required}
	for k, v := range map[string]string{"identification_issuer": p.Issuer, "identification_subject": p.Subject, "acr": p.ACR, "assurance_level": r.Reached} {
		if v != "" {
			d[k] = v
		}
	}
	if len(r.Mismatched) > 0 {
		d["name_match"] = NameMatch{Mismatched: r.Mismatched}.Result()
	}
	return d
}

// Refusal is the EFORBIDDEN error a refused identification answers, with r
// as its cause and a message saying what failed.
func Refusal(r *IdentityRefusal) error {
	var e *Error
	switch r.Reason {
	case ReasonACRMissing:
		e = Errorf(EFORBIDDEN, "the identity provider did not say which assurance level it reached")
	case ReasonACRUnknown:
		e = Errorf(EFORBIDDEN, "the identity provider reached an assurance level this service does not know")
	case ReasonAssuranceTooLow:
		e = Errorf(EFORBIDDEN, "this letter requires the assurance level %s; your identification reached %s", Assurance(r.Required), Assurance(r.Reached))
	case ReasonNameMismatch:
		e = Errorf(EFORBIDDEN, "the identity returned does not match the recipient named by the sender (%s)", strings.Join(r.Mismatched, ", "))
	case ReasonOtherPerson:
		e = Errorf(EFORBIDDEN, "this letter was accepted by another person")
	default:
		e = Errorf(EFORBIDDEN, "the identity provider's answer could not be checked (%s)", r.Reason)
	}
	return e.WithCause(r)
}

// IdentifyWithProvider identifies the recipient of the link's letter with
// what an identity provider asserted: the acr must map to a level at least
// the letter's RequiredLevel, the name (and birth date, when the sender
// gave one) must match, and a letter already accepted through a provider
// only opens again to the same person. On success it returns a session
// secret, as VerifyCode does; on refusal it records IdentificationFailure
// with what failed and returns EFORBIDDEN caused by *IdentityRefusal.
// When the sender set a question, answer must match it, counted against
// the same limits as with the email code. Errors: ENOTFOUND, ECONFLICT
// (decided or past the deadline), EFORBIDDEN, EINVALID (wrong answer,
// Field knowledge_answer), EUNAVAILABLE (locked).
func (s *Service) IdentifyWithProvider(ctx context.Context, token string, p ProvidedIdentity, answer string, a Access) (string, error) {
	n, err := s.resolveLink(ctx, token)
	if err != nil {
		return "", err
	}
	session, sessionHash, err := NewSecret(s.rand, "")
	if err != nil {
		return "", err
	}
	now := s.clock()
	var refused *IdentityRefusal
	var wrong error
	_, err = s.store.UpdateNotice(ctx, n.ID, func(n *Notice) (Change, error) {
		refused, wrong = nil, nil
		if err := checkIdentifiable(n, now); err != nil {
			return Change{}, err
		}
		if until := n.Identification.LockedUntil; now.Before(until) {
			return Change{}, Errorf(EUNAVAILABLE, "too many wrong tries: try again after %s", At(until))
		}
		if !n.Knowledge.check(n.ID, answer) {
			var ch Change
			ch, wrong = s.wrongTry(n, now, true, a)
			return ch, nil
		}
		id, r := s.providedIdentity(n, p, now)
		if refused = r; r != nil {
			return s.failure(n, r.details(p), now, a), nil
		}
		n.Identity = id
		return Change{Secrets: []Secret{{Hash: sessionHash, Purpose: PurposeSession, NoticeID: n.ID, Expires: now.Add(sessionValidity)}}}, nil
	})
	if err != nil {
		return "", err
	}
	if wrong != nil {
		return "", wrong
	}
	if refused != nil {
		return "", Refusal(refused)
	}
	return session, nil
}

// providedIdentity applies the rules to what the provider asserted.
func (s *Service) providedIdentity(n *Notice, p ProvidedIdentity, now time.Time) (*Identity, *IdentityRefusal) {
	level := s.identity.LevelOf(p.ACR)
	r := &IdentityRefusal{Required: n.RequiredLevel(), Reached: level}
	switch {
	case p.ACR == "":
		r.Reason = ReasonACRMissing
	case level == "":
		r.Reason = ReasonACRUnknown
	case !AssuranceAtLeast(level, n.RequiredLevel()):
		r.Reason = ReasonAssuranceTooLow
	}
	if r.Reason != "" {
		return nil, r
	}
	m := MatchName(n.Recipient.Name, n.RecipientBirthdate, p)
	if !m.OK {
		r.Reason, r.Mismatched = ReasonNameMismatch, m.Mismatched
		return nil, r
	}
	if prev := n.Identity; n.Status == StatusAccepted && prev != nil && prev.Issuer == p.Issuer && prev.Subject != p.Subject {
		r.Reason = ReasonOtherPerson
		return nil, r
	}
	methods := []string{MethodOIDC}
	if n.Knowledge != nil {
		methods = append(methods, MethodKnowledge)
	}
	return &Identity{Methods: methods, Assurance: level, At: now, Issuer: p.Issuer, Subject: p.Subject, NameMatch: m.Result()}, nil
}

// failure is the IdentificationFailure event of a refused sign-in, while
// the letter's bound allows one more.
func (s *Service) failure(n *Notice, d map[string]string, now time.Time, a Access) Change {
	if n.Identification.ProviderFailures >= maxProviderFailures {
		return Change{}
	}
	n.Identification.ProviderFailures++
	return Change{Events: []Event{{Type: EventIdentificationFailure, NoticeID: n.ID, Time: now, Details: a.details(d)}}}
}

// ProviderFailed records that a sign-in through issuer for the link's
// letter was refused before any identity could be trusted (a bad token, a
// refused code: reason is one of the adapter's Reason constants), so that
// the sender's evidence shows the attempt. Nothing from the untrusted
// answer is recorded. Errors: ENOTFOUND, EINVALID (unknown reason).
func (s *Service) ProviderFailed(ctx context.Context, token, issuer, reason string, a Access) error {
	if !providerReasons[reason] {
		return FieldError(EINVALID, "reason", "unknown identification failure %q", reason)
	}
	n, err := s.resolveLink(ctx, token)
	if err != nil {
		return err
	}
	now := s.clock()
	_, err = s.store.UpdateNotice(ctx, n.ID, func(n *Notice) (Change, error) {
		d := map[string]string{"reason": reason, "identification_method": MethodOIDC, "identification_issuer": issuer, "required_assurance": n.RequiredLevel()}
		return s.failure(n, d, now, a), nil
	})
	return err
}
