package rfc3161

import (
	"context"

	"github.com/lre-project/lre/core"
)

// Local time-stamps with the embedded authority in-process, on every deposit:
// it builds a request as the Client does, has the Authority answer it without
// HTTP, and checks the answer with the same Verify that external tokens go
// through, so an embedded token is never trusted more than any other.
type Local struct {
	authority *Authority
}

var _ core.Timestamper = (*Local)(nil)

// NewLocal returns a Timestamper backed by a.
func NewLocal(a *Authority) *Local { return &Local{authority: a} }

// Timestamp returns a verified, non-qualified token over the SHA-256 digest.
// It fails with EINVALID when digest is not 32 bytes and with EUNAVAILABLE
// when the context is done or the authority produced no valid token.
func (l *Local) Timestamp(ctx context.Context, digest []byte) (core.Token, error) {
	if err := checkDigest(digest); err != nil {
		return core.Token{}, err
	}
	if err := ctx.Err(); err != nil {
		return core.Token{}, unavailable(err, "time-stamp cancelled")
	}
	tok, err := l.timestamp(digest)
	if err != nil {
		return core.Token{}, unavailable(err, "the embedded time-stamping authority failed")
	}
	return tok, nil
}

func (l *Local) timestamp(digest []byte) (core.Token, error) {
	a := l.authority
	req, nonce, err := newRequest(digest, a.rand)
	if err != nil {
		return core.Token{}, err
	}
	resp, err := a.Respond(req)
	if err != nil {
		return core.Token{}, err
	}
	return Verify(resp, digest, nonce, a.roots, nil)
}
