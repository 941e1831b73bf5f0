package certs_test

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lre-project/lre/certs"
)

func TestLoadOrCreateSeal(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "seal")
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	first, err := certs.LoadOrCreateSeal(dir, "Recommandé Numérique Seal", clock, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cert := first.Certificate()
	if cert.Subject.CommonName != "Recommandé Numérique Seal" || cert.IsCA {
		t.Errorf("seal certificate %s, CA %v", cert.Subject, cert.IsCA)
	}
	if cert.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment {
		t.Errorf("key usage %b", cert.KeyUsage)
	}
	if len(cert.ExtKeyUsage) != 1 || cert.ExtKeyUsage[0] != x509.ExtKeyUsageEmailProtection || len(cert.UnknownExtKeyUsage) != 1 {
		t.Errorf("extended key usage %v %v", cert.ExtKeyUsage, cert.UnknownExtKeyUsage)
	}
	roots := x509.NewCertPool()
	roots.AddCert(first.Root())
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}}); err != nil {
		t.Errorf("seal does not chain to its root: %v", err)
	}
	checkChainPEM(t, first)
	for name, perm := range map[string]os.FileMode{"root-key.pem": 0o600, "seal-key.pem": 0o600, "root.pem": 0o644, "seal.pem": 0o644} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Mode().Perm() != perm {
			t.Errorf("%s: %v, mode %v, want %v", name, err, fi.Mode().Perm(), perm)
		}
	}

	again, err := certs.LoadOrCreateSeal(dir, "Recommandé Numérique Seal", clock, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Certificate().Equal(cert) || !again.Root().Equal(first.Root()) {
		t.Error("second start created a new seal")
	}

	now = cert.NotAfter.Add(time.Hour)
	renewed, err := certs.LoadOrCreateSeal(dir, "Recommandé Numérique Seal", clock, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if renewed.Certificate().Equal(cert) || !renewed.Root().Equal(first.Root()) || !now.Before(renewed.Certificate().NotAfter) {
		t.Error("an expired seal certificate was not renewed under the same root")
	}
}

func checkChainPEM(t *testing.T, s *certs.Seal) {
	t.Helper()
	rest := s.ChainPEM()
	var chain []*x509.Certificate
	for {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		chain = append(chain, c)
	}
	if len(chain) != 2 || !chain[0].Equal(s.Certificate()) || !chain[1].Equal(s.Root()) {
		t.Errorf("ChainPEM holds %d certificates, want seal then root", len(chain))
	}
}

func TestLoadOrCreateSealRefusesPartialDirectory(t *testing.T) {
	dir := t.TempDir()
	if _, err := certs.LoadOrCreateSeal(dir, "x", time.Now, rand.Reader); err != nil {
		t.Fatal(err)
	}
	key, _ := os.ReadFile(filepath.Join(dir, "seal-key.pem"))
	if err := os.Remove(filepath.Join(dir, "seal.pem")); err != nil {
		t.Fatal(err)
	}
	if _, err := certs.LoadOrCreateSeal(dir, "x", time.Now, rand.Reader); err == nil {
		t.Fatal("loaded a seal without its certificate")
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "seal-key.pem")); !bytes.Equal(key, after) {
		t.Fatal("the seal key was overwritten")
	}
}
