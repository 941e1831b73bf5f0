package core

import (
	"context"
	"time"
)

// CertificateKind names a proof the service issues.
type CertificateKind string

// The five proofs of the LRE flow.
const (
	CertDeposit      CertificateKind = "deposit"      // R.53-2 proof of deposit
	CertNotification CertificateKind = "notification" // the recipient's server accepted the notification
	CertReceipt      CertificateKind = "receipt"      // the recipient accepted the letter
	CertRefusal      CertificateKind = "refusal"      // the recipient refused it
	CertNonClaim     CertificateKind = "non-claim"    // the deadline passed without an answer
)

// CertificateKinds lists every kind, in the order of the letter's life.
var CertificateKinds = []CertificateKind{CertDeposit, CertNotification, CertReceipt, CertRefusal, CertNonClaim}

// AttestedEvent returns the event type a certificate kind attests.
func (k CertificateKind) AttestedEvent() (EventType, bool) {
	switch k {
	case CertDeposit:
		return EventSubmissionAcceptance, true
	case CertNotification:
		return EventNotificationForAcceptance, true
	case CertReceipt:
		return EventConsignmentAcceptance, true
	case CertRefusal:
		return EventConsignmentRejection, true
	case CertNonClaim:
		return EventAcceptanceRejectionExpiry, true
	}
	return "", false
}

// Certificate is everything a proof shows, gathered by the service so that
// a renderer never reads storage. Rendering the same value twice must give
// the same bytes.
type Certificate struct {
	Kind      CertificateKind
	Language  string // fr or en, the letter's language
	Provider  Provider
	Notice    Notice  // parties, documents, deposit digest and token
	Event     Event   // the attested event, with Seq and Hash
	Events    []Event // the letter's events up to and including Event
	Manifest  []byte  // the canonical manifest the deposit digest covers
	VerifyURL string  // public verification page for this letter, with CheckCode
	CheckCode string  // confirms at VerifyURL that the provider issued this certificate (check_code.go)
	Deadline  time.Time
	// Checkpoint is the signed log checkpoint that includes Event, when one
	// exists (verification issue); empty otherwise.
	Checkpoint []byte
	// ETSI is the signed ETSI EN 319 522-3 evidence of Event, when the
	// service issues it (WithETSIEvidence).
	ETSI []ETSIEvidenceFile
}

// CertificateRenderer turns a Certificate into a signed PDF.
type CertificateRenderer interface {
	Render(ctx context.Context, c Certificate) ([]byte, error)
}

// ETSIEvidenceFile is the signed evidence of one event and its file name.
type ETSIEvidenceFile struct {
	Seq  uint64
	Type EventType
	Name string // in a bundle (evidence.ETSIFileName)
	Data []byte
}
