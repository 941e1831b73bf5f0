package rfc3161_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/internal/pkcs11key"
	"github.com/lre-project/lre/internal/pkcs11key/pkcs11test"
	"github.com/lre-project/lre/rfc3161"
)

// TestAuthorityKeyInSoftHSM: the TSA signing key lives in a PKCS#11 token
// and its tokens pass openssl ts -verify; the signer certificate names the
// CRL URL, and the CRL it serves verifies under the root.
func TestAuthorityKeyInSoftHSM(t *testing.T) {
	tok, err := pkcs11key.Open(pkcs11test.NewToken(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tok.Close()
	dir := t.TempDir()
	const url = "https://lre.example/api/v1/tsa/crl"
	a, err := rfc3161.LoadOrCreateAuthority(dir, "lre hsm", time.Now, rand.Reader, rfc3161.WithKeys(tok), rfc3161.WithCRLURL(url))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "tsa.key")); strings.Contains(string(b), "PRIVATE KEY") {
		t.Fatal("the TSA key was written to a file")
	}
	signer := a.Certificates()[0]
	if !slices.Equal(signer.CRLDistributionPoints, []string{url}) {
		t.Errorf("CRL distribution points %v, want %s", signer.CRLDistributionPoints, url)
	}
	data := []byte("manifest")
	sum := sha256.Sum256(data)
	token, err := rfc3161.NewLocal(a).Timestamp(context.Background(), sum[:])
	if err != nil {
		t.Fatal(err)
	}
	crl, err := a.CRL()
	if err != nil {
		t.Fatal(err)
	}
	files := writeFiles(t, map[string][]byte{"data": data, "t.tsr": token.DER, "chain.pem": a.ChainPEM(), "crl.der": crl})
	out := openssl(t, "ts", "-verify", "-data", filepath.Join(files, "data"), "-in", filepath.Join(files, "t.tsr"), "-CAfile", filepath.Join(files, "chain.pem"))
	if !strings.Contains(out, "Verification: OK") {
		t.Errorf("openssl ts -verify of a token signed in SoftHSM:\n%s", out)
	}
	out = openssl(t, "crl", "-inform", "DER", "-in", filepath.Join(files, "crl.der"), "-CAfile", filepath.Join(files, "chain.pem"), "-noout")
	if !strings.Contains(out, "verify OK") {
		t.Errorf("openssl crl does not verify the CRL under the root:\n%s", out)
	}
}

// TestAuthorityRenewsBeforeExpiry: within the renewal margin a new signer
// certificate is issued under the same root and the old one is still
// published, so tokens of both generations verify with GenerationsPEM.
func TestAuthorityRenewsBeforeExpiry(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	old, err := rfc3161.LoadOrCreateAuthority(dir, "lre", func() time.Time { return start }, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	first := old.Certificates()[0]
	near := first.NotAfter.Add(-30 * 24 * time.Hour)
	same, err := rfc3161.LoadOrCreateAuthority(dir, "lre", func() time.Time { return near }, rand.Reader, rfc3161.WithRenewBefore(7*24*time.Hour))
	if err != nil || !same.Certificates()[0].Equal(first) {
		t.Fatalf("renewed outside the margin (%v)", err)
	}
	renewed, err := rfc3161.LoadOrCreateAuthority(dir, "lre", func() time.Time { return near }, rand.Reader, rfc3161.WithRenewBefore(90*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if renewed.Certificates()[0].Equal(first) || !renewed.Certificates()[1].Equal(old.Certificates()[1]) {
		t.Fatal("not renewed under the same root within the margin")
	}
	var certs []*x509.Certificate
	for rest := renewed.GenerationsPEM(); len(rest) > 0; {
		c, r := parsePEM(t, rest)
		if c == nil {
			break
		}
		certs, rest = append(certs, c), r
	}
	if len(certs) != 3 || !certs[2].Equal(first) {
		t.Errorf("GenerationsPEM holds %d certificates, want signer, root, previous signer", len(certs))
	}
}

func parsePEM(t *testing.T, b []byte) (*x509.Certificate, []byte) {
	t.Helper()
	blk, rest := pem.Decode(b)
	if blk == nil {
		return nil, nil
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c, rest
}
