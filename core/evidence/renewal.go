package evidence

import (
	"bytes"
	"context"
	"fmt"

	"github.com/lre-project/lre/core"
)

// CertificateRef names a stored certificate.
type CertificateRef struct {
	NoticeID string
	Kind     core.CertificateKind
}

// ProofRenewer extends a sealed certificate so that it stays provable after
// the certificates that signed it expire (PAdES LTA archive time-stamps),
// and says when a checkpoint's newest token needs a newer one over it.
type ProofRenewer interface {
	// Due reports whether pdf needs renewing now. EINVALID: not a sealed
	// certificate.
	Due(pdf []byte) (bool, error)
	// TokenDue reports whether the certificate that signed tok ends
	// within the renewal margin, so that a newer token must cover it now.
	// EINVALID: tok is unreadable or names no signer certificate.
	TokenDue(tok core.Token) (bool, error)
	// Renew returns pdf with fresh validation data and a new time-stamp
	// appended; every earlier byte stays. EUNAVAILABLE when no authority
	// answered.
	Renew(ctx context.Context, pdf []byte) ([]byte, error)
}

// CertificateRenewals pages through stored certificates and replaces one
// with its renewed version.
type CertificateRenewals interface {
	// CertificatesAfter returns up to limit stored certificates after
	// after (the zero value: from the first), in a stable order.
	CertificatesAfter(ctx context.Context, after CertificateRef, limit int) ([]CertificateRef, error)
	StoredCertificate(ctx context.Context, id string, kind core.CertificateKind) ([]byte, error)
	// ReplaceCertificate stores pdf in place of old; ECONFLICT when the
	// stored bytes are no longer old.
	ReplaceCertificate(ctx context.Context, id string, kind core.CertificateKind, old, pdf []byte) error
}

// RenewalStore is what renewal needs from persistence: the stored
// certificates and the checkpoints' archive tokens. storage.DB implements
// it.
type RenewalStore interface {
	CertificateRenewals
	CheckpointArchives
}

// WithRenewal sets how stored certificates are renewed.
func WithRenewal(r ProofRenewer, st RenewalStore) Option {
	return func(s *Service) { s.renewer, s.renewals = r, st }
}

// renewalPage bounds the certificates read per store call.
const renewalPage = 100

// Renewal says which proofs a renewal run extends.
type Renewal int

const (
	// RenewDue extends the proofs whose newest time-stamp's certificate
	// ends within the margin: what the daily job does.
	RenewDue Renewal = iota
	// RenewAll extends every proof, due or not: after a key rotation made
	// because the old key is no longer trusted, every proof gets a
	// time-stamp from the new one before the old can be broken.
	RenewAll
)

// due applies the renewal's rule to the renewer's answer.
func (r Renewal) due(due bool, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	return due || r == RenewAll, nil
}

// RenewCertificates renews the stored certificates which selects (the
// due ones, or all) and returns how many it renewed. A renewal only appends to a certificate: a
// renewer answer that does not begin with the stored bytes is refused
// (EINTERNAL), never stored. It stops at the first failure, so a later run
// resumes where it stopped; the ones already renewed are no longer due.
// Errors: EUNAVAILABLE without a renewer or when the authority fails.
func (s *Service) RenewCertificates(ctx context.Context, which Renewal) (int, error) {
	if s.renewer == nil || s.renewals == nil {
		return 0, core.Errorf(core.EUNAVAILABLE, "certificate renewal is not configured")
	}
	renewed := 0
	var after CertificateRef
	for {
		refs, err := s.renewals.CertificatesAfter(ctx, after, renewalPage)
		if err != nil {
			return renewed, fmt.Errorf("list certificates: %w", err)
		}
		for _, ref := range refs {
			did, err := s.renewCertificate(ctx, ref, which)
			if err != nil {
				return renewed, fmt.Errorf("renew %s certificate of %s: %w", ref.Kind, ref.NoticeID, err)
			}
			if did {
				renewed++
			}
		}
		if len(refs) < renewalPage {
			return renewed, nil
		}
		after = refs[len(refs)-1]
	}
}

func (s *Service) renewCertificate(ctx context.Context, ref CertificateRef, which Renewal) (bool, error) {
	old, err := s.renewals.StoredCertificate(ctx, ref.NoticeID, ref.Kind)
	if err != nil {
		return false, err
	}
	if due, err := which.due(s.renewer.Due(old)); err != nil || !due {
		return false, err
	}
	pdf, err := s.renewer.Renew(ctx, old)
	if err != nil {
		return false, err
	}
	if !bytes.HasPrefix(pdf, old) || len(pdf) == len(old) {
		return false, core.Errorf(core.EINTERNAL, "the renewed certificate does not extend the stored one")
	}
	return true, s.renewals.ReplaceCertificate(ctx, ref.NoticeID, ref.Kind, old, pdf)
}
