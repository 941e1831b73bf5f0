package rfc3161_test

import (
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"testing"

	"github.com/lre-project/lre/rfc3161"
)

var sentinels = []error{
	rfc3161.ErrMalformed, rfc3161.ErrStatus, rfc3161.ErrWeakHash, rfc3161.ErrImprint,
	rfc3161.ErrNonce, rfc3161.ErrSignature, rfc3161.ErrUsage, rfc3161.ErrChain,
}

// FuzzVerify feeds arbitrary responses to Verify: it must never panic, and
// every refusal must name exactly one check.
func FuzzVerify(f *testing.F) {
	signer, roots := fixtureChainCerts(f)
	digest := sha256.Sum256(readFixture(f, fixtureData))
	f.Add(readFixture(f, fixtureEmbedded))
	f.Add(readFixture(f, fixtureDetached))
	f.Add([]byte{})
	f.Add([]byte("not a time-stamp"))
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x00})                         // granted, no token
	f.Add([]byte{0x30, 0x07, 0x30, 0x05, 0x02, 0x01, 0x02, 0x03, 0x00}) // rejection
	f.Fuzz(func(t *testing.T, resp []byte) {
		tok, err := rfc3161.Verify(resp, digest[:], nil, roots, []*x509.Certificate{signer})
		if err == nil {
			if tok.Serial == "" || tok.Time.IsZero() || tok.Policy == "" {
				t.Errorf("accepted token with empty fields: %+v", tok)
			}
			return
		}
		n := 0
		for _, s := range sentinels {
			if errors.Is(err, s) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("error wraps %d sentinels: %v", n, err)
		}
	})
}
