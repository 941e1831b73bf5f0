package certs

import (
	"context"
	"io"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/jades"
)

// EvidenceSigner seals ETSI evidence with the provider's seal: a detached
// JAdES signature (package jades) carrying the seal's chain in x5c and the
// signing time in sigT. It signs through the seal's crypto.Signer, so a
// seal key held in a token signs evidence as it signs certificates.
type EvidenceSigner struct {
	seal *Seal
	now  func() time.Time
	rand io.Reader
}

var _ evidence.EvidenceSigner = (*EvidenceSigner)(nil)

// NewEvidenceSigner returns a signer sealing with seal, dating signatures
// with now and drawing signature randomness from rand.
func NewEvidenceSigner(seal *Seal, now func() time.Time, rand io.Reader) *EvidenceSigner {
	return &EvidenceSigner{seal: seal, now: now, rand: rand}
}

// SignEvidence returns the JAdES signature of the evidence ref whose
// canonical bytes are canonical. Errors: EINTERNAL when the key refuses.
func (s *EvidenceSigner) SignEvidence(ctx context.Context, ref string, canonical []byte) (evidence.ETSISignature, error) {
	if err := ctx.Err(); err != nil {
		return evidence.ETSISignature{}, err
	}
	key, chain := s.seal.Current() // the pair of today's generation, even after a renewal
	sig, err := jades.Sign(key, chain, s.now(), ref, "application/json", canonical, s.rand)
	if err != nil {
		return evidence.ETSISignature{}, core.Errorf(core.EINTERNAL, "seal evidence %s: %v", ref, err)
	}
	return evidence.ETSISignature{CompactDetached: evidence.ETSICompact{Protected: sig.Protected, Signature: sig.Signature}}, nil
}
