package rfc3161_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/rfc3161"
)

// openssl runs the openssl binary, the independent verifier auditors use.
// Without it the test is skipped, except in CI where it must be installed.
func openssl(t *testing.T, args ...string) string {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("openssl is required in CI: ", err)
		}
		t.Skip("openssl not installed")
	}
	out, err := exec.Command(path, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func writeFiles(t *testing.T, files map[string][]byte) string {
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestOpenSSLVerifies hands our tokens to `openssl ts -verify`, exactly as
// an auditor would with the data, the token and /api/v1/tsa/certs.pem.
func TestOpenSSLVerifies(t *testing.T) {
	a := newAuthority(t)
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	data := []byte("Mise en demeure: payer sous huit jours.\n")
	digest := sum256(string(data))
	client := newClient(t, []string{srv.URL}, a.Roots())
	tests := []struct {
		name string
		ts   core.Timestamper
	}{
		{"local", rfc3161.NewLocal(a)},
		{"client over HTTP", client},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := tt.ts.Timestamp(context.Background(), digest)
			if err != nil {
				t.Fatal(err)
			}
			dir := writeFiles(t, map[string][]byte{"data": data, "t.tsr": tok.DER, "certs.pem": a.ChainPEM()})
			out := openssl(t, "ts", "-verify", "-data", filepath.Join(dir, "data"), "-in", filepath.Join(dir, "t.tsr"), "-CAfile", filepath.Join(dir, "certs.pem"))
			if !strings.Contains(out, "Verification: OK") {
				t.Fatalf("openssl says:\n%s", out)
			}
		})
	}
}

// TestOpenSSLQuery sends a request made by openssl, which carries its own
// nonce, and lets openssl check the reply against that request.
func TestOpenSSLQuery(t *testing.T) {
	a := newAuthority(t)
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	dir := writeFiles(t, map[string][]byte{"data": []byte("hello"), "certs.pem": a.ChainPEM()})
	path := func(name string) string { return filepath.Join(dir, name) }
	openssl(t, "ts", "-query", "-data", path("data"), "-sha256", "-cert", "-out", path("q.tsq"))
	query, err := os.ReadFile(path("q.tsq"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(srv.URL, "application/timestamp-query", bytes.NewReader(query))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var reply bytes.Buffer
	if _, err := reply.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path("r.tsr"), reply.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out := openssl(t, "ts", "-verify", "-queryfile", path("q.tsq"), "-in", path("r.tsr"), "-CAfile", path("certs.pem"))
	if !strings.Contains(out, "Verification: OK") {
		t.Fatalf("openssl says:\n%s", out)
	}
}

// TestOpenSSLReadsTokenContents checks with openssl's own parser what the
// token promises: policy, one-second accuracy, nonce, and the ESSCertIDv2
// attribute binding the signer certificate.
func TestOpenSSLReadsTokenContents(t *testing.T) {
	signer, _ := fixtureChainCerts(t)
	dir := t.TempDir()
	path := func(name string) string { return filepath.Join(dir, name) }
	for _, tt := range []struct {
		name string
		args []string
		want []string
	}{
		{"TSTInfo", []string{"ts", "-reply", "-in", filepath.Join(fixtureDir, fixtureEmbedded), "-text"},
			[]string{"Status: Granted.", "Policy OID: " + rfc3161.EmbeddedPolicy, "Hash Algorithm: sha256", "Accuracy: 0x01 seconds", "Nonce: 0x", "TSA: DirName:/O=lre fixture/CN=" + signer.Subject.CommonName}},
		{"token out", []string{"ts", "-reply", "-in", filepath.Join(fixtureDir, fixtureEmbedded), "-token_out", "-out", path("token.der")}, nil},
		{"signed attributes", []string{"cms", "-cmsout", "-print", "-inform", "DER", "-in", path("token.der")},
			[]string{"id-smime-ct-TSTInfo", "id-smime-aa-signingCertificateV2", "ecdsa-with-SHA256"}},
		{"detached fixture", []string{"ts", "-verify", "-data", filepath.Join(fixtureDir, fixtureData), "-in", filepath.Join(fixtureDir, fixtureDetached),
			"-CAfile", filepath.Join(fixtureDir, fixtureChain), "-untrusted", filepath.Join(fixtureDir, fixtureChain)}, []string{"Verification: OK"}},
	} {
		out := openssl(t, tt.args...)
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: openssl output lacks %q:\n%s", tt.name, w, out)
			}
		}
	}
}
