package rfc3161_test

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"github.com/digitorus/timestamp"

	"github.com/lre-project/lre/rfc3161"
)

// FuzzRespond feeds arbitrary requests to the embedded authority, whose
// ServeHTTP answers anyone: it must never panic, must refuse bytes that
// are not a request with ErrMalformed only, and every token it grants
// must pass Verify for the very request it answered (imprint and nonce).
// Seeds: testdata/fuzz/FuzzRespond (requests made by openssl ts -query).
func FuzzRespond(f *testing.F) {
	a, err := rfc3161.LoadOrCreateAuthority(filepath.Join(f.TempDir(), "tsa"), "lre fuzz", time.Now, rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	digest := sha256.Sum256([]byte("manifest"))
	for _, r := range []timestamp.Request{
		{HashAlgorithm: crypto.SHA256, HashedMessage: digest[:], Nonce: big.NewInt(42), Certificates: true},
		{HashAlgorithm: crypto.SHA256, HashedMessage: digest[:]},
		{HashAlgorithm: crypto.SHA1, HashedMessage: digest[:20], Nonce: big.NewInt(1)},
	} {
		der, err := r.Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, req []byte) {
		resp, err := a.Respond(req)
		if err != nil {
			if !errors.Is(err, rfc3161.ErrMalformed) {
				t.Fatalf("Respond(%x) failed with an internal error: %v", req, err)
			}
			return
		}
		parsed, err := timestamp.ParseRequest(req)
		if err != nil {
			return
		}
		_, err = rfc3161.Verify(resp, parsed.HashedMessage, parsed.Nonce, a.Roots(), a.Certificates())
		if err != nil && !errors.Is(err, rfc3161.ErrStatus) {
			t.Fatalf("the authority granted a token that fails verification for its own request %x: %v", req, err)
		}
	})
}
