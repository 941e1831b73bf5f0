package certs_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/lretest"
	"github.com/lre-project/lre/rfc3161"
)

// ltaFixture is a seal and an embedded authority that both name CRL URLs,
// and a renderer putting their chains and CRLs in the DSS.
type ltaFixture struct {
	seal      *certs.Seal
	authority *rfc3161.Authority
	renderer  *certs.Renderer
	roots     string // PEM file of both roots, the auditor's trust list
}

func newLTA(t *testing.T, now func() time.Time) ltaFixture {
	t.Helper()
	dir := t.TempDir()
	seal, err := certs.LoadOrCreateSeal(filepath.Join(dir, "seal"), "LRE Test Seal", now, rand.Reader,
		certs.WithIdentity(provider), certs.WithCRLURL("https://lre.example/api/v1/seal/crl"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := rfc3161.LoadOrCreateAuthority(filepath.Join(dir, "tsa"), "LRE Test", now, rand.Reader,
		rfc3161.WithCRLURL("https://lre.example/api/v1/tsa/crl"))
	if err != nil {
		t.Fatal(err)
	}
	vd := func() (certs.ValidationData, error) {
		crl, err := a.CRL()
		return certs.ValidationData{Certs: a.Certificates(), CRLs: [][]byte{crl}}, err
	}
	roots := filepath.Join(dir, "roots.pem")
	pemRoots := append(seal.GenerationsPEM(), a.GenerationsPEM()...)
	if err := os.WriteFile(roots, pemRoots, 0o644); err != nil {
		t.Fatal(err)
	}
	r := certs.NewRenderer(seal, rfc3161.NewLocal(a), certs.WithClock(now), certs.WithValidationData(vd))
	return ltaFixture{seal: seal, authority: a, renderer: r, roots: roots}
}

// padesCheck runs testdata/pades/PadesCheck.java (PDFBox + Bouncy Castle)
// on pdf; at, when not empty, is the RFC 3339 date to validate as of.
func padesCheck(t *testing.T, pdf []byte, roots, at string) (string, bool) {
	t.Helper()
	classes, cp := compilePadesCheck(t)
	args := []string{"-XX:TieredStopAtLevel=1", "-cp", classes + ":" + cp, "PadesCheck", writeTemp(t, pdf), roots}
	if at != "" {
		args = append(args, at)
	}
	out, err := exec.Command(tool(t, "java"), args...).CombinedOutput()
	if _, exit := err.(*exec.ExitError); err != nil && !exit {
		t.Fatal(err)
	}
	return string(out), err == nil
}

// TestPAdESLTAValidatedByPDFBox: a certificate is a certification signature
// (DocMDP P=1) with a signature time-stamp, a DSS holding both chains and
// both CRLs, and a document time-stamp over the whole file; PDFBox and
// Bouncy Castle validate each at its time-stamp's time, with the CRLs.
func TestPAdESLTAValidatedByPDFBox(t *testing.T) {
	f := newLTA(t, time.Now)
	pdf, err := f.renderer.Render(context.Background(), certificate(t, core.CertReceipt, "fr"))
	if err != nil {
		t.Fatal(err)
	}
	out, ok := padesCheck(t, pdf, f.roots, "")
	if !ok {
		t.Fatalf("PDFBox/BC refuse the certificate:\n%s", out)
	}
	for _, want := range []string{"DocMDP transform with P=1", "DSS holds 4 certificates and 2 CRLs", "document time-stamp signature verifies",
		"seal certificate path valid and not revoked", "document time-stamp authority path valid"} {
		if !strings.Contains(out, want) {
			t.Errorf("PadesCheck does not say %q:\n%s", want, out)
		}
	}
	pdfsig := run(t, "pdfsig", "-nssdir", trustingNSS(t, f.seal), writeTemp(t, pdf))
	if !strings.Contains(pdfsig, "Signature is Valid.") || !strings.Contains(pdfsig, "Certificate is Trusted.") ||
		!strings.Contains(lastSignature(pdfsig), "- Total document signed") {
		t.Errorf("pdfsig:\n%s", pdfsig)
	}
}

// TestChangeAfterSealingIsReported: an incremental update that adds a
// visible "PAID - letter withdrawn" note after sealing keeps every
// signature's own bytes intact, yet pdfsig says the newest signature no
// longer covers the file, and PDFBox/BC fail the check.
func TestChangeAfterSealingIsReported(t *testing.T) {
	f := newLTA(t, time.Now)
	pdf, err := f.renderer.Render(context.Background(), certificate(t, core.CertDeposit, "en"))
	if err != nil {
		t.Fatal(err)
	}
	tampered, err := lretest.AppendNote(pdf, "PAID - letter withdrawn")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(pdfText(t, tampered), "PAID - letter withdrawn") {
		t.Fatal("the appended note is not visible: the test would prove nothing")
	}
	pdfsig := run(t, "pdfsig", "-nssdir", trustingNSS(t, f.seal), writeTemp(t, tampered))
	if !strings.Contains(lastSignature(pdfsig), "- Not total document signed") {
		t.Errorf("pdfsig does not report the change:\n%s", pdfsig)
	}
	if out, ok := padesCheck(t, tampered, f.roots, ""); ok || !strings.Contains(out, "FAIL the newest signature covers the whole file") {
		t.Errorf("PDFBox/BC accept a certificate changed after sealing:\n%s", out)
	}
}

var javaCheck struct {
	once        sync.Once
	classes, cp string
	err         error
}

// compilePadesCheck compiles the validator once per source version, into
// the user's cache directory: javac costs seconds, a run well under one.
func compilePadesCheck(t *testing.T) (classes, classpath string) {
	t.Helper()
	javac := tool(t, "javac")
	var cp []string
	for _, jar := range []string{"pdfbox2", "fontbox2", "commons-logging", "bcprov", "bcpkix", "bcutil"} {
		p := "/usr/share/java/" + jar + ".jar"
		if _, err := os.Stat(p); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s missing: apt-get install libpdfbox2-java libbcpkix-java", p)
			}
			t.Skipf("%s missing", p)
		}
		cp = append(cp, p)
	}
	javaCheck.once.Do(func() {
		src, err := os.ReadFile("../testdata/pades/PadesCheck.java")
		if err != nil {
			javaCheck.err = err
			return
		}
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		sum := sha256.Sum256(src)
		dir := filepath.Join(cache, "lre-padescheck", hex.EncodeToString(sum[:8]))
		javaCheck.classes, javaCheck.cp = dir, strings.Join(cp, ":")
		if _, err := os.Stat(filepath.Join(dir, "PadesCheck.class")); err == nil {
			return
		}
		tmp := ""
		if err = os.MkdirAll(filepath.Dir(dir), 0o755); err == nil {
			tmp, err = os.MkdirTemp(filepath.Dir(dir), "build-")
		}
		if err != nil {
			javaCheck.err = err
			return
		}
		out, err := exec.Command(javac, "-nowarn", "-d", tmp, "-cp", javaCheck.cp, "../testdata/pades/PadesCheck.java").CombinedOutput()
		if err != nil {
			javaCheck.err = fmt.Errorf("javac: %v\n%s", err, out)
			return
		}
		if err := os.Rename(tmp, dir); err != nil && !os.IsExist(err) {
			os.RemoveAll(tmp) // another process compiled it first
		}
	})
	if javaCheck.err != nil {
		t.Fatal(javaCheck.err)
	}
	return javaCheck.classes, javaCheck.cp
}
