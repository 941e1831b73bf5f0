package jades_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/jades"
)

var signedAt = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// chain returns a signer's key and its certificate under a fresh root.
func chain(t testing.TB, key crypto.Signer) []*x509.Certificate {
	t.Helper()
	rootKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	root := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "root"}, NotBefore: signedAt.AddDate(-1, 0, 0), NotAfter: signedAt.AddDate(10, 0, 0), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	rootDER, err := x509.CreateCertificate(rand.Reader, root, root, rootKey.Public(), rootKey)
	if err != nil {
		t.Fatal(err)
	}
	rootCert, _ := x509.ParseCertificate(rootDER)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "seal"}, NotBefore: signedAt.AddDate(0, -1, 0), NotAfter: signedAt.AddDate(3, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, leaf, rootCert, key.Public(), rootKey)
	if err != nil {
		t.Fatal(err)
	}
	leafCert, _ := x509.ParseCertificate(der)
	return []*x509.Certificate{leafCert, rootCert}
}

func keys(t *testing.T) map[string]crypto.Signer {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	return map[string]crypto.Signer{"ES256": p256, "ES384": p384, "PS256": rsaKey, "EdDSA": ed}
}

func TestSignVerifyEveryAlgorithm(t *testing.T) {
	data := []byte(`{"EvidenceIdentifier":"LRE-1/1"}`)
	for alg, key := range keys(t) {
		t.Run(alg, func(t *testing.T) {
			c := chain(t, key)
			sig, err := jades.Sign(key, c, signedAt, "urn:lre:evidence:LRE-1/1", "application/json", data, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			h := header(t, sig)
			if h.Alg != alg || h.SigT != "2026-11-23T10:00:00Z" || len(h.X5c) != 2 || strings.Join(h.Crit, ",") != "sigT,sigD" {
				t.Fatalf("header %+v", h)
			}
			if !strings.Contains(sig.Compact(), "..") {
				t.Fatalf("compact form %q has a payload", sig.Compact())
			}
			v, err := jades.Verify(sig, "urn:lre:evidence:LRE-1/1", data)
			if err != nil || !v.SigningTime.Equal(signedAt) || !v.Chain[0].Equal(c[0]) {
				t.Fatalf("verify: %v %+v", err, v)
			}
		})
	}
}

func header(t *testing.T, sig jades.Signature) jades.Header {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(sig.Protected)
	if err != nil {
		t.Fatal(err)
	}
	var h jades.Header
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

// TestVerifyRefuses checks each way a signature can be wrong, and that
// each is named by its sentinel error.
func TestVerifyRefuses(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	c := chain(t, key)
	data := []byte(`{"a":1}`)
	sig, err := jades.Sign(key, c, signedAt, "urn:x", "application/json", data, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rewrite := func(edit func(h *jades.Header)) jades.Signature {
		h := header(t, sig)
		edit(&h)
		b, _ := json.Marshal(h)
		return jades.Signature{Protected: base64.RawURLEncoding.EncodeToString(b), Signature: sig.Signature}
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cases := []struct {
		name string
		sig  jades.Signature
		ref  string
		data []byte
		want error
	}{
		{"other data", sig, "urn:x", []byte(`{"a":2}`), jades.ErrReference},
		{"other object", sig, "urn:y", data, jades.ErrReference},
		{"changed signing time", rewrite(func(h *jades.Header) { h.SigT = "2026-11-24T10:00:00Z" }), "urn:x", data, jades.ErrSignature},
		{"no crit", rewrite(func(h *jades.Header) { h.Crit = nil }), "urn:x", data, jades.ErrHeader},
		{"alg none", rewrite(func(h *jades.Header) { h.Alg = "none" }), "urn:x", data, jades.ErrHeader},
		{"other thumbprint", rewrite(func(h *jades.Header) { h.X5tS256 = "AAAA" }), "urn:x", data, jades.ErrHeader},
		{"certificate of another key", rewrite(func(h *jades.Header) {
			c2 := chain(t, other)
			h.X5c[0] = base64.StdEncoding.EncodeToString(c2[0].Raw)
			h.X5tS256 = thumb(c2[0])
		}), "urn:x", data, jades.ErrSignature},
		{"flipped signature", jades.Signature{Protected: sig.Protected, Signature: flip(sig.Signature)}, "urn:x", data, jades.ErrSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := jades.Verify(tc.sig, tc.ref, tc.data); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("signed outside the certificate's validity", func(t *testing.T) {
		late, err := jades.Sign(key, c, signedAt.AddDate(4, 0, 0), "urn:x", "application/json", data, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := jades.Verify(late, "urn:x", data); !errors.Is(err, jades.ErrChain) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("a certificate that does not hold the key", func(t *testing.T) {
		if _, err := jades.Sign(other, c, signedAt, "urn:x", "application/json", data, rand.Reader); err == nil {
			t.Fatal("signed with a key the certificate does not certify")
		}
	})
}

// flip changes one base64url character of s into another.
func flip(s string) string {
	b := []byte(s)
	if b[5] == 'A' {
		b[5] = 'B'
	} else {
		b[5] = 'A'
	}
	return string(b)
}

func thumb(c *x509.Certificate) string {
	h := crypto.SHA256.New()
	h.Write(c.Raw)
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// FuzzVerify feeds Verify arbitrary headers and signatures: it must not
// panic, and what it accepts has a chain and a signing time. (Each fuzzing
// process makes its own key, so the seed is valid only in the first.)
func FuzzVerify(f *testing.F) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	c := chain(f, key)
	sig, err := jades.Sign(key, c, signedAt, "urn:x", "application/json", []byte("{}"), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sig.Protected, sig.Signature)
	f.Add("e30", "")
	f.Fuzz(func(t *testing.T, protected, signature string) {
		v, err := jades.Verify(jades.Signature{Protected: protected, Signature: signature}, "urn:x", []byte("{}"))
		if err == nil && (len(v.Chain) == 0 || v.SigningTime.IsZero()) {
			t.Fatalf("accepted %q without a chain or signing time", protected)
		}
	})
}
