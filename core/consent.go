package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Consent states in the ledger (L.100: a consumer must have agreed to
// receive registered letters electronically before the first one).
const (
	ConsentRequested = "requested"
	ConsentGiven     = "given"
	ConsentWithdrawn = "withdrawn"
	PurposeConsent   = "consent"
	consentValidity  = 14 * 24 * time.Hour
)

// ConsentText is what the consumer agrees to, versioned: the version and
// the text's digest go into the evidence.
const (
	ConsentTextVersion = "2026-11"
	ConsentTextFR      = "J'accepte de recevoir des lettres recommandées électroniques envoyées par l'intermédiaire de ce prestataire à cette adresse électronique. Je peux retirer ce consentement à tout moment."
	ConsentTextEN      = "I agree to receive electronic registered letters sent through this provider at this email address. I may withdraw this consent at any time."
)

// ConsentRecord is the ledger entry of one address.
type ConsentRecord struct {
	Email       string    `json:"email"`
	Status      string    `json:"status"`
	Language    string    `json:"language"`
	RequestedBy string    `json:"requested_by"`
	RequestedAt time.Time `json:"requested_at"`
	ChangedAt   time.Time `json:"changed_at,omitzero"`
}

// ConsentStore keeps the consent ledger.
type ConsentStore interface {
	// Consent returns ENOTFOUND for an address never asked.
	Consent(ctx context.Context, email string) (ConsentRecord, error)
	// PutConsent stores rec with ch in one transaction, and remembers
	// that rec.RequestedBy asked for rec.Email.
	PutConsent(ctx context.Context, rec ConsentRecord, ch Change) error
	// ConsentsRequestedBy returns the current ledger entry of every
	// address userID asked for, by address.
	ConsentsRequestedBy(ctx context.Context, userID string) ([]ConsentRecord, error)
}

// ErrNoConsent is the cause of the refusal of a letter to a consumer who
// has not consented: a page offers to ask for consent when errors.Is finds
// it.
var ErrNoConsent = errors.New("the consumer has not consented")

func consentText(lang string) string {
	if lang == "en" {
		return ConsentTextEN
	}
	return ConsentTextFR
}

// ConsentText returns the text shown to the consumer in lang.
func ConsentTextFor(lang string) string { return consentText(lang) }

// RequestConsent emails a consumer a link to agree to receive registered
// letters electronically (double opt-in: the agreement itself is a POST on
// that page). Errors: EINVALID, EFORBIDDEN, ECONFLICT (already given).
func (s *Service) RequestConsent(ctx context.Context, sender User, email, name, lang string) (ConsentRecord, error) {
	if !sender.MaySend() {
		return ConsentRecord{}, Errorf(EFORBIDDEN, "role %s may not request consent", sender.Role)
	}
	email, err := CheckEmail("email", email)
	if err != nil {
		return ConsentRecord{}, err
	}
	if err := CheckHeaderText("name", name, MaxNameRunes, false); err != nil {
		return ConsentRecord{}, err
	}
	if lang, err = oneOf("language", lang, "fr", "fr", "en"); err != nil {
		return ConsentRecord{}, err
	}
	email = strings.ToLower(email)
	if rec, err := s.consents.Consent(ctx, email); err == nil && rec.Status == ConsentGiven {
		return rec, Errorf(ECONFLICT, "%s has already consented", email)
	}
	token, hash, err := NewSecret(s.rand, "")
	if err != nil {
		return ConsentRecord{}, err
	}
	now := s.clock()
	rec := ConsentRecord{Email: email, Status: ConsentRequested, Language: lang, RequestedBy: sender.ID, RequestedAt: now}
	id := fmt.Sprintf("cst-%x", hash[:8])
	e := OutboxEntry{ID: id, Created: now, NotBefore: now, Mail: OutgoingMail{
		ID: id, Kind: MailConsent, Language: lang, EnvelopeFrom: "bounce+" + id + "@" + s.bounceDom,
		To: Party{Name: name, Email: email}, Link: s.baseURL + "/consent/" + token, Provider: s.provider, Site: s.baseURL,
	}}
	ch := Change{Outbox: []OutboxEntry{e}, Secrets: []Secret{{Hash: hash, Purpose: PurposeConsent, Email: email, Expires: now.Add(consentValidity)}}}
	if err := s.consents.PutConsent(ctx, rec, ch); err != nil {
		return ConsentRecord{}, fmt.Errorf("request consent: %w", err)
	}
	s.Kick()
	return rec, nil
}

// ConsentRequests lists the consents sender asked for, each with its
// current state (given, withdrawn, or still requested, which another
// sender's later request may have renewed). Errors: EFORBIDDEN.
func (s *Service) ConsentRequests(ctx context.Context, sender User) ([]ConsentRecord, error) {
	if !sender.MaySend() {
		return nil, Errorf(EFORBIDDEN, "role %s may not request consent", sender.Role)
	}
	recs, err := s.consents.ConsentsRequestedBy(ctx, sender.ID)
	if err != nil {
		return nil, fmt.Errorf("consent requests: %w", err)
	}
	return recs, nil
}

// ConsentByToken returns the ledger entry a consent link is for.
// Errors: ENOTFOUND.
func (s *Service) ConsentByToken(ctx context.Context, token string) (ConsentRecord, error) {
	sec, err := s.store.SecretNotice(ctx, HashSecret(token), s.clock())
	if err != nil || sec.Purpose != PurposeConsent {
		return ConsentRecord{}, Errorf(ENOTFOUND, "this link is not valid")
	}
	return s.consents.Consent(ctx, sec.Email)
}

// SetConsent records the consumer's agreement (give=true) or withdrawal,
// with the text shown, time, IP and user agent, as an evidence event.
// Errors: ENOTFOUND.
func (s *Service) SetConsent(ctx context.Context, token string, give bool, a Access) (ConsentRecord, error) {
	rec, err := s.ConsentByToken(ctx, token)
	if err != nil {
		return ConsentRecord{}, err
	}
	now := s.clock()
	typ, status := EventConsentGiven, ConsentGiven
	if !give {
		typ, status = EventConsentWithdrawn, ConsentWithdrawn
	}
	rec.Status, rec.ChangedAt = status, now
	text := consentText(rec.Language)
	ev := Event{Type: typ, Time: now, Details: a.details(map[string]string{
		"email": rec.Email, "text_version": ConsentTextVersion, "text": text, "text_sha256": digestOf([]byte(text)),
	})}
	// Once used, the link never expires: it is how the consumer withdraws
	// later (or consents again).
	keep := Secret{Hash: HashSecret(token), Purpose: PurposeConsent, Email: rec.Email}
	if err := s.consents.PutConsent(ctx, rec, Change{Events: []Event{ev}, Secrets: []Secret{keep}}); err != nil {
		return ConsentRecord{}, fmt.Errorf("set consent: %w", err)
	}
	return rec, nil
}

// checkConsent refuses a deposit to a consumer who has not consented.
func (s *Service) checkConsent(ctx context.Context, email string) error {
	rec, err := s.consents.Consent(ctx, strings.ToLower(email))
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return fmt.Errorf("check consent: %w", err)
	}
	if err != nil || rec.Status != ConsentGiven {
		return noConsent(email)
	}
	return nil
}

// noConsent is checkConsent's refusal, wrapping ErrNoConsent.
func noConsent(email string) error {
	e := FieldError(EREFUSED, "recipient_type", "%s is a consumer who has not consented to receive registered letters electronically (L.100); ask for consent first with POST /api/v1/consents (fields email, name, language), then deposit once they have agreed", email)
	e.Err = ErrNoConsent
	return e
}
