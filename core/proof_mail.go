package core

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// MailProof tells a sender that a letter reached its end (accepted,
// refused or not claimed), with the proof of it attached. It goes to the
// sender, never to the recipient, so it may name the recipient.
const MailProof MailKind = "proof"

// ProofSource gives the signed certificate attesting one event of a
// letter (evidence.Service): the same bytes the sender downloads.
type ProofSource interface {
	// ProofPDF returns ENOTFOUND before the attested event exists.
	ProofPDF(ctx context.Context, noticeID string, kind CertificateKind) ([]byte, error)
	// IssuesProofs is false on a server without certificates, where no
	// proof mail is queued.
	IssuesProofs() bool
}

// SetProofSource gives the service where the proofs it mails come from.
// services.New calls it once, before any mail leaves: the evidence service
// is built after this one and needs it.
func (s *Service) SetProofSource(p ProofSource) { s.proofs = p }

// WantsProofMails reports whether u receives the proof mail of each
// letter's end: yes unless they opted out on their settings page.
func (u User) WantsProofMails() bool { return !u.NoProofMails }

// FinalCertificate returns the certificate attesting a letter's final
// status: accepted, refused or not claimed.
func FinalCertificate(st Status) (CertificateKind, bool) {
	switch st {
	case StatusAccepted:
		return CertReceipt, true
	case StatusRefused:
		return CertRefusal, true
	case StatusNotClaimed:
		return CertNonClaim, true
	}
	return "", false
}

// senderOf returns who sent letter id, for the proof mail of its end; a
// sender since deleted, or a letter not found, is the zero User.
func (s *Service) senderOf(ctx context.Context, n Notice) (User, error) {
	if n.SenderUserID == "" {
		return User{}, nil
	}
	u, err := s.store.UserByID(ctx, n.SenderUserID)
	if ErrorCode(err) == ENOTFOUND {
		return User{}, nil
	}
	if err != nil {
		return User{}, fmt.Errorf("find sender: %w", err)
	}
	return u, nil
}

// proofMail is the outbox entry of the mail that tells the sender n has
// reached its end, queued in the transaction that records the end, so
// that it leaves exactly once; none when the sender opted out or is gone.
func (s *Service) proofMail(n *Notice, sender User, now time.Time) []OutboxEntry {
	kind, final := FinalCertificate(n.Status)
	if !final || s.proofs == nil || !s.proofs.IssuesProofs() || sender.ID == "" || sender.Email == "" || !sender.WantsProofMails() {
		return nil
	}
	id := "prf-" + n.ID
	return []OutboxEntry{{ID: id, NoticeID: n.ID, Created: now, NotBefore: now, Mail: OutgoingMail{
		ID: id, Kind: MailProof, Language: n.Language, EnvelopeFrom: "bounce+" + id + "@" + s.bounceDom,
		To: Party{Name: sender.Name, Email: sender.Email}, NoticeID: n.ID, Certificate: kind, Recipient: n.Recipient,
		Reference: n.SenderReference, Link: s.baseURL + "/app/letters/" + n.ID, Provider: s.provider, Site: s.baseURL,
	}}}
}

// attachProof attaches the proof a MailProof announces. A proof not ready
// yet (its timestamp or checkpoint pending) is a temporary failure: the
// mail is tried again later, never sent without it.
func (s *Service) attachProof(ctx context.Context, m OutgoingMail) (OutgoingMail, error) {
	if m.Kind != MailProof {
		return m, nil
	}
	if s.proofs == nil {
		return m, errors.New("no proof source is configured")
	}
	pdf, err := s.proofs.ProofPDF(ctx, m.NoticeID, m.Certificate)
	if err != nil {
		return m, fmt.Errorf("proof of %s: %w", m.NoticeID, err)
	}
	m.Proof = pdf
	return m, nil
}
