package web_test

import (
	"bytes"
	"encoding/json"
	"html"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/rfc3161"
)

// qrTarget is the verification link of a certificate: the URI its QR code
// and its link annotation carry.
var qrTarget = regexp.MustCompile(`/verify\?id=(LRE-[A-Z2-7-]{19})&c=([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})`)

func (e *env) getLang(t *testing.T, path, lang, accept string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Language", lang)
	return e.do(t, req)
}

// TestVerifyConfirmsACertificate follows a certificate's QR link to
// /verify, which confirms in the reader's language that the provider
// issued that certificate for that letter with that digest, and refuses a
// changed code or another letter's id; then uploads the PDF on /verify,
// answered as a page for a browser and as JSON for a program.
func TestVerifyConfirmsACertificate(t *testing.T) {
	a := newAuthority(t)
	certificates := withCertificates(t, a)
	e := newEnv(t, withTimestamper(rfc3161.NewLocal(a), a), func(c *envConfig) {
		c.opts = append(c.opts, certificates, services.WithEvidence(evidence.WithCheckKey(bytes.Repeat([]byte{7}, 32))))
	})
	key := e.addUser(t, "alice@example.org", "Cabinet", core.RoleSender)
	n := e.deposit(t, key, http.StatusCreated)
	other := e.deposit(t, key, http.StatusCreated, file("autre.pdf", []byte("%PDF-1.4 autre")))
	pdf := e.get(t, key, "/api/v1/notices/"+n.ID+"/certificates/deposit.pdf")
	m := qrTarget.FindSubmatch(pdf.body)
	if pdf.status != http.StatusOK || m == nil || string(m[1]) != n.ID {
		t.Fatalf("the deposit certificate carries no verification link with a check code (%s)", pdf)
	}
	link := string(m[0])

	fr := e.getLang(t, link, "fr-FR", "text/html")
	body := html.UnescapeString(string(fr.body))
	for _, want := range []string{`id="certificate-genuine"`, "Preuve de dépôt", n.ID, n.DepositDigest, `value="` + n.ID + `"`} {
		if fr.status != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("French answer to the QR link lacks %q (HTTP %d)", want, fr.status)
		}
	}
	if en := e.getLang(t, link, "en", "text/html"); !strings.Contains(string(en.body), "Proof of deposit") {
		t.Error("English answer does not name the proof of deposit")
	}
	code := string(m[2])
	tampered := code[:len(code)-1] + map[bool]string{true: "B", false: "A"}[code[len(code)-1] == 'A']
	for name, path := range map[string]string{
		"changed code":  "/verify?id=" + n.ID + "&c=" + tampered,
		"other letter":  "/verify?id=" + other.ID + "&c=" + code,
		"unknown id":    "/verify?id=LRE-AAAA-AAAA-AAAA-AAAA&c=" + code,
		"lower case ok": "/verify?id=" + n.ID + "&c=" + strings.ToLower(strings.ReplaceAll(code, "-", "")),
	} {
		r := e.getLang(t, path, "fr", "text/html")
		genuine := strings.Contains(string(r.body), `id="certificate-genuine"`)
		if genuine != (name == "lower case ok") || r.status != http.StatusOK {
			t.Errorf("%s: HTTP %d, genuine=%v", name, r.status, genuine)
		}
	}

	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("file", "deposit.pdf")
	fw.Write(pdf.body)
	w.Close()
	post := func(accept string) response {
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/verify/upload", bytes.NewReader(buf.Bytes()))
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Accept", accept)
		req.Header.Set("Accept-Language", "fr")
		return e.do(t, req)
	}
	var report struct {
		OK       bool   `json:"ok"`
		NoticeID string `json:"notice_id"`
	}
	js := post("application/json")
	if err := json.Unmarshal(js.body, &report); err != nil || !report.OK || report.NoticeID != n.ID {
		t.Fatalf("JSON report: %s", js)
	}
	page := post("text/html,application/xhtml+xml,*/*;q=0.8")
	if b := html.UnescapeString(string(page.body)); page.status != http.StatusOK || !strings.Contains(b, `id="upload-report"`) || !strings.Contains(b, "Toutes les vérifications réussissent pour la lettre "+n.ID) || !strings.Contains(b, "Sceau du PDF") {
		t.Errorf("the upload form's answer is not a French report page: %s", page)
	}
}
