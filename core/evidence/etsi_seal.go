package evidence

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lre-project/lre/core"
)

// EvidenceSigner seals ETSI evidence: a JAdES signature by the provider's
// seal over the evidence's canonical bytes (see ETSISignedBytes), whose
// signed object is named ref (ETSIReference).
type EvidenceSigner interface {
	SignEvidence(ctx context.Context, ref string, canonical []byte) (ETSISignature, error)
}

// ETSIStore keeps signed evidence by log sequence number, so that an
// evidence once issued is served byte-identical ever after (its signature
// carries its own signing time).
type ETSIStore interface {
	// StoredETSIEvidence returns ENOTFOUND when none was issued yet.
	StoredETSIEvidence(ctx context.Context, seq uint64) ([]byte, error)
	// PutETSIEvidence keeps the first evidence stored for seq.
	PutETSIEvidence(ctx context.Context, seq uint64, evidence []byte) error
}

// WithETSIEvidence makes bundles and certificates carry ETSI EN 319 522-3
// evidence of every event, signed by signer and kept in store. Without it
// they carry none.
func WithETSIEvidence(signer EvidenceSigner, store ETSIStore) Option {
	return func(s *Service) { s.etsi = etsiConfig{signer: signer, store: store} }
}

type etsiConfig struct {
	signer EvidenceSigner
	store  ETSIStore
}

// signedEvidence returns the signed evidence of each of the letter's events
// (in log order) that want selects, issuing and storing the missing ones.
// Without an evidence signer it returns nothing.
func (s *Service) signedEvidence(ctx context.Context, manifest []byte, events []core.Event, want func(core.Event) bool) ([]core.ETSIEvidenceFile, error) {
	if s.etsi.signer == nil {
		return nil, nil
	}
	l, err := ETSILetterFromManifest(manifest)
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	iss := ETSIIssuerOf(s.provider)
	var out []core.ETSIEvidenceFile
	for i, e := range events {
		if !want(e) {
			continue
		}
		b, err := s.etsi.store.StoredETSIEvidence(ctx, e.Seq)
		if core.ErrorCode(err) == core.ENOTFOUND {
			b, err = s.issueEvidence(ctx, l, iss, events[:i+1])
		}
		if err != nil {
			return nil, fmt.Errorf("evidence of record %d: %w", e.Seq, err)
		}
		out = append(out, core.ETSIEvidenceFile{Seq: e.Seq, Type: e.Type, Name: ETSIFileName(e.Seq, e.Type), Data: b})
	}
	return out, nil
}

// issueEvidence builds, signs and stores the evidence of the last event,
// and returns what the store kept (another request may have issued it
// first).
func (s *Service) issueEvidence(ctx context.Context, l ETSILetter, iss ETSIIssuer, events []core.Event) ([]byte, error) {
	ev, err := BuildETSIEvidence(l, iss, events)
	if err != nil {
		return nil, err
	}
	b, err := SealETSIEvidence(ctx, s.etsi.signer, ev)
	if err != nil {
		return nil, err
	}
	seq := events[len(events)-1].Seq
	if err := s.etsi.store.PutETSIEvidence(ctx, seq, b); err != nil {
		return nil, fmt.Errorf("store evidence: %w", err)
	}
	return s.etsi.store.StoredETSIEvidence(ctx, seq)
}

// SealETSIEvidence signs ev with signer and returns the evidence file:
// ev with its jadesSignature, indented JSON.
func SealETSIEvidence(ctx context.Context, signer EvidenceSigner, ev ETSIEvidence) ([]byte, error) {
	canon, err := ETSICanonical(ev)
	if err != nil {
		return nil, err
	}
	sig, err := signer.SignEvidence(ctx, ETSIReference(ev.EvidenceIdentifier), canon)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	ev.JAdESSignature = &sig
	b, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode evidence: %w", err)
	}
	return append(b, '\n'), nil
}

// ETSICanonical returns the bytes ev's signature covers: ev without its
// signature, canonical (RFC 8785).
func ETSICanonical(ev ETSIEvidence) ([]byte, error) {
	ev.JAdESSignature = nil
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("encode evidence: %w", err)
	}
	return CanonicalJSON(b)
}
