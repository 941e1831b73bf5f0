package rfc3161_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/digitorus/timestamp"

	"github.com/lre-project/lre/rfc3161"
)

func TestLoadOrCreateAuthorityPersists(t *testing.T) {
	dir := t.TempDir()
	first, err := rfc3161.LoadOrCreateAuthority(dir, "lre-test", time.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	second, err := rfc3161.LoadOrCreateAuthority(dir, "lre-test", time.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.ChainPEM(), second.ChainPEM()) {
		t.Error("second start made new certificates")
	}
	digest := sum256("deposit")
	if _, err := rfc3161.VerifyToken(issue(t, second, digest, nil), digest, first.Roots(), nil); err != nil {
		t.Errorf("token of the reloaded authority: %v", err)
	}
	for name, want := range map[string]os.FileMode{"root.key": 0o600, "tsa.key": 0o600, "root.pem": 0o644, "tsa.pem": 0o644} {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != want {
			t.Errorf("%s mode = %o, want %o", name, got, want)
		}
	}
}

func TestAuthorityCertificates(t *testing.T) {
	certs := newAuthority(t).Certificates()
	tsa, root := certs[0], certs[1]
	var eku *pkix.Extension
	for i, e := range tsa.Extensions {
		if e.Id.String() == "2.5.29.37" {
			eku = &tsa.Extensions[i]
		}
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"signer EKU critical", eku != nil && eku.Critical},
		{"signer EKU timeStamping only", len(tsa.ExtKeyUsage) == 1 && tsa.ExtKeyUsage[0] == x509.ExtKeyUsageTimeStamping},
		{"signer not a CA", !tsa.IsCA && tsa.BasicConstraintsValid},
		{"signer key usage", tsa.KeyUsage == x509.KeyUsageDigitalSignature},
		{"signer P-256", isP256(tsa.PublicKey)},
		{"signer says non-qualified", tsa.Subject.CommonName == "lre-test embedded TSA (non-qualified)"},
		{"signer signed by root", tsa.CheckSignatureFrom(root) == nil},
		{"root is a CA", root.IsCA && root.KeyUsage&x509.KeyUsageCertSign != 0},
		{"root P-256", isP256(root.PublicKey)},
		{"root self-signed", root.CheckSignatureFrom(root) == nil},
		{"root lasts about 20 years", root.NotAfter.Sub(root.NotBefore) > 19*365*24*time.Hour},
		{"root says non-qualified", strings.Contains(root.Subject.CommonName, "(non-qualified)")},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: no", c.name)
		}
	}
}

func isP256(pub crypto.PublicKey) bool {
	k, ok := pub.(*ecdsa.PublicKey)
	return ok && k.Curve == elliptic.P256()
}

func TestLoadOrCreateAuthorityRenewsExpiredSigner(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	old, err := rfc3161.LoadOrCreateAuthority(dir, "lre-test", func() time.Time { return start }, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	later := start.AddDate(11, 0, 0)
	renewed, err := rfc3161.LoadOrCreateAuthority(dir, "lre-test", func() time.Time { return later }, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	oldTSA, newTSA := old.Certificates()[0], renewed.Certificates()[0]
	if oldTSA.Equal(newTSA) || !old.Certificates()[1].Equal(renewed.Certificates()[1]) {
		t.Fatal("want a new signer under the same root")
	}
	if !newTSA.NotBefore.After(start.AddDate(10, 0, 0)) {
		t.Errorf("renewed signer valid from %s", newTSA.NotBefore)
	}
	if _, err := os.Stat(filepath.Join(dir, "tsa-"+oldTSA.SerialNumber.Text(16)+".pem")); err != nil {
		t.Errorf("old signer not archived: %v", err)
	}
}

func TestLoadOrCreateAuthorityRefuses(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(dir string) error
		now   time.Time
	}{
		{"key readable by others", func(dir string) error { return os.Chmod(filepath.Join(dir, "tsa.key"), 0o644) }, time.Now()},
		{"certificate without key", func(dir string) error { return os.Remove(filepath.Join(dir, "root.key")) }, time.Now()},
		{"key of another certificate", func(dir string) error {
			key, err := os.ReadFile(filepath.Join(dir, "root.key"))
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, "tsa.key"), key, 0o600)
		}, time.Now()},
		{"corrupt certificate", func(dir string) error { return os.WriteFile(filepath.Join(dir, "tsa.pem"), []byte("x"), 0o644) }, time.Now()},
		{"root expired", func(string) error { return nil }, time.Now().AddDate(21, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := rfc3161.LoadOrCreateAuthority(dir, "lre-test", time.Now, rand.Reader); err != nil {
				t.Fatal(err)
			}
			if err := tt.spoil(dir); err != nil {
				t.Fatal(err)
			}
			if _, err := rfc3161.LoadOrCreateAuthority(dir, "lre-test", func() time.Time { return tt.now }, rand.Reader); err == nil {
				t.Fatal("loaded a spoilt authority")
			}
		})
	}
	if _, err := rfc3161.LoadOrCreateAuthority(t.TempDir(), "", time.Now, rand.Reader); err == nil {
		t.Error("created an authority without a name")
	}
}

// TestRespondRejects checks that requests the authority will not serve get a
// protocol answer (a rejection Verify reports as ErrStatus), and that bytes
// that are no request at all get ErrMalformed.
func TestRespondRejects(t *testing.T) {
	a := newAuthority(t)
	digest := sum256("deposit")
	tests := []struct {
		name string
		req  timestamp.Request
	}{
		{"SHA-1", timestamp.Request{HashAlgorithm: crypto.SHA1, HashedMessage: digest[:20]}},
		{"short imprint", timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: digest[:16]}},
		{"other policy", timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: digest, TSAPolicyOID: []int{1, 2, 3}}},
		{"extension", timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: digest,
			ExtraExtensions: []pkix.Extension{{Id: []int{1, 2, 3}, Value: []byte{5, 0}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reqDER, err := tt.req.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			resp, err := a.Respond(reqDER)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := rfc3161.VerifyToken(resp, digest, a.Roots(), nil); !errors.Is(err, rfc3161.ErrStatus) {
				t.Fatalf("err = %v, want ErrStatus", err)
			}
		})
	}
	if _, err := a.Respond([]byte("hello")); !errors.Is(err, rfc3161.ErrMalformed) {
		t.Errorf("garbage request: err = %v, want ErrMalformed", err)
	}
}

func TestRespondSerialsAreUnique(t *testing.T) {
	a := newAuthority(t)
	digest := sum256("deposit")
	seen := map[string]bool{}
	for i := range 200 {
		tok, err := rfc3161.Verify(issue(t, a, digest, big.NewInt(int64(i))), digest, big.NewInt(int64(i)), a.Roots(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if seen[tok.Serial] {
			t.Fatalf("serial %s issued twice", tok.Serial)
		}
		seen[tok.Serial] = true
	}
}
