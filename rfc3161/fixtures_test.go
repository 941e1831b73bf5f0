package rfc3161_test

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/digitorus/timestamp"

	"github.com/lre-project/lre/rfc3161"
)

// The fixtures are real responses of the embedded authority, kept to prove
// that stored evidence keeps verifying as the code changes. Rebuild them with
//
//	go test ./rfc3161 -run TestFixtures -update
var update = flag.Bool("update", false, "rewrite the fixtures in testdata/tsa")

const fixtureDir = "../testdata/tsa"

// Fixture files: the time-stamped data, the authority's chain (signer then
// root), a token with its signer certificate and one without.
const (
	fixtureData     = "deposit.txt"
	fixtureChain    = "certs.pem"
	fixtureEmbedded = "embedded.tsr"
	fixtureDetached = "detached.tsr"
)

func writeFixtures(t *testing.T) {
	a, err := rfc3161.LoadOrCreateAuthority(t.TempDir(), "lre fixture", time.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("Mise en demeure, fixture deposit of the lre test suite.\n")
	files := map[string][]byte{fixtureData: data, fixtureChain: a.ChainPEM()}
	digest := sha256.Sum256(data)
	for name, certReq := range map[string]bool{fixtureEmbedded: true, fixtureDetached: false} {
		nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
		if err != nil {
			t.Fatal(err)
		}
		req := timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: digest[:], Certificates: certReq, Nonce: nonce}
		reqDER, err := req.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if files[name], err = a.Respond(reqDER); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(fixtureDir, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixtureChainCerts returns the fixture authority's signer and root pool.
func fixtureChainCerts(t testing.TB) (*x509.Certificate, *x509.CertPool) {
	var certs []*x509.Certificate
	for block, rest := pem.Decode(readFixture(t, fixtureChain)); block != nil; block, rest = pem.Decode(rest) {
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, c)
	}
	if len(certs) != 2 {
		t.Fatalf("%s holds %d certificates, want 2", fixtureChain, len(certs))
	}
	roots := x509.NewCertPool()
	roots.AddCert(certs[1])
	return certs[0], roots
}

func TestFixtures(t *testing.T) {
	if *update {
		writeFixtures(t)
	}
	signer, roots := fixtureChainCerts(t)
	digest := sha256.Sum256(readFixture(t, fixtureData))
	tests := []struct {
		name          string
		file          string
		digest        []byte
		intermediates []*x509.Certificate
		want          error
	}{
		{"embedded", fixtureEmbedded, digest[:], nil, nil},
		{"detached, signer supplied", fixtureDetached, digest[:], []*x509.Certificate{signer}, nil},
		{"detached, signer missing", fixtureDetached, digest[:], nil, rfc3161.ErrSignature},
		{"other data", fixtureEmbedded, sum256("other"), nil, rfc3161.ErrImprint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := rfc3161.VerifyToken(readFixture(t, tt.file), tt.digest, roots, tt.intermediates)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if err == nil && (tok.TSA != "lre fixture embedded TSA (non-qualified)" || tok.Policy != rfc3161.EmbeddedPolicy) {
				t.Errorf("token = %+v", tok)
			}
		})
	}
}
