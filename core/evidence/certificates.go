package evidence

import (
	"context"
	"fmt"

	"github.com/lre-project/lre/core"
)

// CertificateStore keeps issued certificates, so that a proof once issued
// is served byte-identical ever after (its signature carries its own time).
type CertificateStore interface {
	// StoredCertificate returns ENOTFOUND when none was issued yet.
	StoredCertificate(ctx context.Context, id string, kind core.CertificateKind) ([]byte, error)
	PutCertificate(ctx context.Context, id string, kind core.CertificateKind, pdf []byte) error
}

// WithRenderer sets how certificates are rendered and sealed.
func WithRenderer(r core.CertificateRenderer) Option { return func(s *Service) { s.renderer = r } }

// CertificatePDF returns the signed PDF proof of kind for a letter the
// viewer may see, rendering and storing it on first request (never on the
// deposit path). Errors: ENOTFOUND for an unknown letter, an unknown kind,
// or before the attested event exists; EUNAVAILABLE when no renderer is
// configured.
func (s *Service) CertificatePDF(ctx context.Context, viewer core.User, id string, kind core.CertificateKind) ([]byte, error) {
	n, err := core.VisibleNotice(ctx, s.store, viewer, id)
	if err != nil {
		return nil, err
	}
	return s.certificatePDF(ctx, n, kind)
}

var _ core.ProofSource = (*Service)(nil)

// ProofPDF is CertificatePDF for the service's own mail to the sender,
// which no viewer asks for: the same stored bytes. Errors: ENOTFOUND,
// EUNAVAILABLE, as CertificatePDF.
func (s *Service) ProofPDF(ctx context.Context, id string, kind core.CertificateKind) ([]byte, error) {
	n, err := s.store.Notice(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.certificatePDF(ctx, n, kind)
}

// IssuesProofs reports whether certificates are configured (WithRenderer).
func (s *Service) IssuesProofs() bool { return s.renderer != nil }

// certificatePDF is CertificatePDF once the caller may see n.
func (s *Service) certificatePDF(ctx context.Context, n core.Notice, kind core.CertificateKind) ([]byte, error) {
	if b, err := s.store.StoredCertificate(ctx, n.ID, kind); err == nil {
		return b, nil
	}
	c, err := s.certificate(ctx, n, kind)
	if err != nil {
		return nil, err
	}
	if s.renderer == nil {
		return nil, core.Errorf(core.EUNAVAILABLE, "certificates are not configured on this server")
	}
	pdf, err := s.renderer.Render(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("render %s certificate of %s: %w", kind, n.ID, err)
	}
	if err := s.store.PutCertificate(ctx, n.ID, kind, pdf); err != nil {
		return nil, fmt.Errorf("store certificate: %w", err)
	}
	return s.store.StoredCertificate(ctx, n.ID, kind)
}

// certificate gathers everything a proof shows.
func (s *Service) certificate(ctx context.Context, n core.Notice, kind core.CertificateKind) (core.Certificate, error) {
	want, ok := kind.AttestedEvent()
	if !ok {
		return core.Certificate{}, core.Errorf(core.ENOTFOUND, "no certificate kind %q: use deposit, notification, receipt, refusal or non-claim", kind)
	}
	evs, err := s.store.NoticeEvents(ctx, n.ID)
	if err != nil {
		return core.Certificate{}, fmt.Errorf("certificate: %w", err)
	}
	idx := -1
	for i, e := range evs {
		if e.Type == want {
			idx = i
			break
		}
	}
	if idx < 0 {
		return core.Certificate{}, core.Errorf(core.ENOTFOUND, "no %s certificate for letter %s yet: the %s event has not happened", kind, n.ID, want)
	}
	manifest, err := s.store.Manifest(ctx, n.ID)
	if err != nil {
		return core.Certificate{}, fmt.Errorf("certificate: %w", err)
	}
	cp, err := s.checkpointCovering(ctx, evs[idx].Seq)
	if err != nil {
		return core.Certificate{}, fmt.Errorf("certificate: %w", err)
	}
	attested := evs[idx].Seq
	etsi, err := s.signedEvidence(ctx, manifest, evs[:idx+1], func(e core.Event) bool { return e.Seq == attested })
	if err != nil {
		return core.Certificate{}, fmt.Errorf("certificate: %w", err)
	}
	code := s.checkCode(n, kind, evs[idx])
	verify := s.baseURL + "/verify?id=" + n.ID
	if code != "" {
		verify += "&c=" + code
	}
	return core.Certificate{
		Kind: kind, Language: n.Language, Provider: s.provider, Notice: n,
		Event: evs[idx], Events: evs[:idx+1], Manifest: manifest,
		VerifyURL: verify, CheckCode: code, Deadline: n.Deadline,
		Checkpoint: cp, ETSI: etsi,
	}, nil
}

// checkpointCovering returns the note of the smallest checkpoint that
// includes record seq, publishing one first if none does yet, so that every
// certificate names a checkpoint an auditor can check the event against.
// Without a transparency log it returns nothing.
func (s *Service) checkpointCovering(ctx context.Context, seq uint64) ([]byte, error) {
	t, err := s.transparencyLog()
	if err != nil {
		return nil, nil
	}
	cp, err := t.store.CheckpointCovering(ctx, seq)
	if core.ErrorCode(err) == core.ENOTFOUND {
		if _, _, err = s.PublishCheckpoint(ctx); err != nil {
			return nil, err
		}
		cp, err = t.store.CheckpointCovering(ctx, seq)
	}
	if err != nil {
		return nil, err
	}
	return cp.Note, nil
}
