package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/internal/lretest"
	"github.com/lre-project/lre/rfc3161"
	"github.com/lre-project/lre/storage"
)

// TestWebDepositRecordsTheSession: a letter sent from the compose form,
// in a browser session opened with a password (its CSRF token posted with
// every form), records web_session as the sender's authentication method
// in the evidence bundle's events.json and in the deposit certificate; a
// letter of the same sender through the API records api_key in both. The
// deposit used to record api_key for every letter.
func TestWebDepositRecordsTheSession(t *testing.T) {
	pdftotext := needPoppler(t, "pdftotext")
	s := appSiteOn(t, func(db *storage.DB, a *rfc3161.Authority) []services.Option {
		return []services.Option{lretest.Proofs(t, db, a)}
	})
	_, key := s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	b := s.browser(t)
	b.login("alice@acme.example")
	web := b.send(composeFields())
	api := s.deposit(t, key, composeFields())

	for _, tt := range []struct {
		name, id, method, certText string
		get                        func(path string) exchange
	}{
		{"web form", web, core.MethodWebSession, "session web ouverte par mot de passe", func(p string) exchange { return b.get("/app/letters/" + p) }},
		{"API", api, "api_key", "clé d’API", func(p string) exchange { return s.apiGet(t, key, "/api/v1/notices/"+p) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bundle := want(t, "evidence bundle", tt.get(tt.id+"/evidence.zip"), http.StatusOK)
			sub := submission(t, zipFile(t, []byte(bundle.body), "events.json"))
			if sub.SenderDetails.AuthenticationMethod != tt.method || sub.Details["sender_authentication_method"] != tt.method {
				t.Errorf("events.json SubmissionAcceptance: SenderDetails.AuthenticationMethod %q, Details %q, want %q",
					sub.SenderDetails.AuthenticationMethod, sub.Details["sender_authentication_method"], tt.method)
			}
			pdf := want(t, "deposit certificate", tt.get(tt.id+"/certificates/deposit.pdf"), http.StatusOK)
			text := pdfToText(t, pdftotext, []byte(pdf.body))
			if !strings.Contains(text, tt.certText) {
				t.Errorf("the deposit certificate lacks %q:\n%s", tt.certText, text)
			}
			if other := map[bool]string{true: "clé d’API", false: "session web ouverte"}[tt.method == core.MethodWebSession]; strings.Contains(text, other) {
				t.Errorf("the deposit certificate also names %q", other)
			}
		})
	}
}

func (s *site) apiGet(t testing.TB, key, path string) exchange {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	return do(t, s.srv.Client(), req)
}

func zipFile(t *testing.T, z []byte, name string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := zr.Open(name)
	if err != nil {
		t.Fatalf("bundle has no %s: %v", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// submission is the SubmissionAcceptance of an events.json.
func submission(t *testing.T, eventsJSON []byte) evidence.Evidence {
	t.Helper()
	var f evidence.EvidenceFile
	if err := json.Unmarshal(eventsJSON, &f); err != nil {
		t.Fatal(err)
	}
	for _, e := range f.Evidences {
		if e.EventURI == core.EventSubmissionAcceptance.URI() {
			return e
		}
	}
	t.Fatalf("events.json has no SubmissionAcceptance: %s", eventsJSON)
	return evidence.Evidence{}
}

// needPoppler finds a poppler tool: CI must have it, elsewhere the test
// is skipped without it.
func needPoppler(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (poppler-utils) is required in CI: scripts/test.sh installs it", name)
	}
	t.Skipf("%s (poppler-utils) is not installed", name)
	return ""
}

// pdfToText extracts a PDF's text with pdftotext, white space collapsed.
func pdfToText(t *testing.T, pdftotext string, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "certificate.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, pdftotext, "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}
