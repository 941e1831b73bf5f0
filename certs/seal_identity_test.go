package certs_test

import (
	"context"
	"crypto/rand"
	"encoding/asn1"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/pkcs11key"
	"github.com/lre-project/lre/internal/pkcs11key/pkcs11test"
)

var provider = certs.Identity{Name: "Recommandé Numérique", Organization: "Recommandé Numérique SAS", Country: "FR", OrganizationID: "NTRFR-552100554"}

// TestSealIdentity: the subject names the legal person as ETSI EN 319 412-3
// wants it, as openssl reads it; a changed identity gives a new generation.
func TestSealIdentity(t *testing.T) {
	dir := t.TempDir()
	seal, err := certs.LoadOrCreateSeal(dir, "ignored", time.Now, rand.Reader, certs.WithIdentity(provider))
	if err != nil {
		t.Fatal(err)
	}
	pemFile := filepath.Join(t.TempDir(), "seal.pem")
	if err := os.WriteFile(pemFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: seal.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	out := run(t, "openssl", "x509", "-in", pemFile, "-noout", "-subject", "-nameopt", "RFC2253,-esc_msb")
	for _, want := range []string{"CN=Recommandé Numérique", "O=Recommandé Numérique SAS", "C=FR", "organizationIdentifier=NTRFR-552100554"} {
		if !strings.Contains(out, want) {
			t.Errorf("openssl reads the subject as %q, missing %q", out, want)
		}
	}
	oid := asn1.ObjectIdentifier{2, 5, 4, 97}
	var found bool
	for _, n := range seal.Certificate().Subject.Names {
		found = found || n.Type.Equal(oid)
	}
	if !found {
		t.Error("no organizationIdentifier (2.5.4.97) attribute")
	}

	other := provider
	other.OrganizationID = "VATFR-12345678901"
	again, err := certs.LoadOrCreateSeal(dir, "ignored", time.Now, rand.Reader, certs.WithIdentity(other))
	if err != nil {
		t.Fatal(err)
	}
	prev := again.Previous()
	if again.Certificate().Equal(seal.Certificate()) || len(prev) != 1 || !prev[0].Equal(seal.Certificate()) {
		t.Fatal("a new identity did not give a new seal certificate keeping the old one")
	}
	if n := strings.Count(string(again.GenerationsPEM()), "BEGIN CERTIFICATE"); n != 3 {
		t.Errorf("GenerationsPEM holds %d certificates, want seal, root and the previous seal", n)
	}
}

func TestSealIdentityRefusesTypos(t *testing.T) {
	for _, id := range []certs.Identity{
		{Name: "x", Country: "France"},
		{Name: "x", Country: "fr"},
		{Name: "x", OrganizationID: "552100554"},
		{Name: "x", OrganizationID: "NTRFR 552100554"},
	} {
		if _, err := certs.LoadOrCreateSeal(t.TempDir(), "x", time.Now, rand.Reader, certs.WithIdentity(id)); err == nil {
			t.Errorf("%+v accepted", id)
		}
	}
}

// TestSealKeyInSoftHSM: the seal key is generated in, and only in, a
// PKCS#11 token (SoftHSM), and the certificates it seals are valid and
// trusted for pdfsig.
func TestSealKeyInSoftHSM(t *testing.T) {
	cfg := pkcs11test.NewToken(t)
	tok, err := pkcs11key.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tok.Close()
	dir := t.TempDir()
	seal, err := certs.LoadOrCreateSeal(dir, "x", time.Now, rand.Reader, certs.WithIdentity(provider), certs.WithKeys(tok))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "seal-key.pem")); strings.Contains(string(b), "PRIVATE KEY") {
		t.Fatal("the seal key was written to a file")
	}
	reopened, err := certs.LoadOrCreateSeal(dir, "x", time.Now, rand.Reader, certs.WithIdentity(provider), certs.WithKeys(tok))
	if err != nil || !reopened.Certificate().Equal(seal.Certificate()) {
		t.Fatalf("reopening the token-held seal: %v", err)
	}
	tsa, _ := testAuthority(t)
	pdf, err := certs.NewRenderer(reopened, tsa).Render(context.Background(), certificate(t, core.CertReceipt, "fr"))
	if err != nil {
		t.Fatal(err)
	}
	out := run(t, "pdfsig", "-nssdir", trustingNSS(t, reopened), writeTemp(t, pdf))
	for _, w := range []string{"Signature is Valid.", "Certificate is Trusted.", "Recommandé Numérique"} {
		if !strings.Contains(out, w) {
			t.Errorf("pdfsig misses %q:\n%s", w, out)
		}
	}
}

// trustingNSS returns a new NSS database trusting seal's root.
func trustingNSS(t *testing.T, seal *certs.Seal) string {
	t.Helper()
	dir := t.TempDir()
	root := filepath.Join(dir, "root.pem")
	if err := os.WriteFile(root, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: seal.Root().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, "certutil", "-N", "-d", "sql:"+dir, "--empty-password")
	run(t, "certutil", "-A", "-d", "sql:"+dir, "-n", "root", "-t", "C,C,", "-i", root)
	return "sql:" + dir
}
