package web_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
)

// batchPreview opens the batch form and posts it as the browser does: the
// CSRF token first, the recipients file, the letter, the attachments.
func (b *browser) batchPreview(csv string, files ...upload) exchange {
	b.t.Helper()
	return b.batchPreviewWith(csv, nil, files...)
}

// batchPreviewWith is batchPreview with more fields (kept files).
func (b *browser) batchPreviewWith(csv string, extra map[string]string, files ...upload) exchange {
	b.t.Helper()
	want(b.t, "batch form", b.get("/app/batches/new"), http.StatusOK)
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("_csrf", b.csrf)
	for k, v := range extra {
		w.WriteField(k, v)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="recipients"; filename="coproprietaires.csv"`)
	h.Set("Content-Type", "text/csv")
	p, _ := w.CreatePart(h)
	p.Write([]byte(csv))
	w.WriteField("subject", "Convocation à l’assemblée générale du 12 mars")
	w.WriteField("body", "Madame, Monsieur,\n\nvous êtes convoqué(e) à l’assemblée générale.")
	w.WriteField("language", "fr")
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="attachments"; filename=%q`, f.name))
		h.Set("Content-Type", f.ctype)
		p, _ := w.CreatePart(h)
		p.Write(f.data)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.abs("/app/batches/preview"), &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	x := do(b.t, b.c, req)
	if tok := csrfOf(x.body); tok != "" {
		b.csrf = tok
	}
	return x
}

func coowners(n int) string {
	var s strings.Builder
	s.WriteString("\ufeffemail;name;reference\r\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&s, "lot%d@example.com;Copropriétaire %d;LOT-%d\r\n", i, i, i)
	}
	return s.String()
}

var batchLocation = regexp.MustCompile(`^/app/batches/(BATCH-[A-Z2-7-]{19})$`)

// TestBatchPages walks through bulk sending in both languages: the form,
// a file with bad rows (every one listed, nothing sent), the preview, the
// sending, a resubmission (the same batch), and the batch's page.
func TestBatchPages(t *testing.T) {
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			s := appSiteWith(t, []services.Option{withCertificates(t)})
			s.account(t, "syndic@acme.example", "ACME", core.RoleSender)
			b := s.browser(t)
			want(t, "language", b.get("/login?lang="+lang), http.StatusOK)
			b.login("syndic@acme.example")
			pages := []shown{{lang + "/form", want(t, "form", b.get("/app/batches/new"), 200), []string{"recipients", "subject", "body", "attachments", "batch-preview", "nav-batch"}}}

			bad := want(t, "bad rows", b.batchPreview("email,name\nok@example.com,Ok\nnope,Nope\nx@example.com,\n"), http.StatusUnprocessableEntity)
			pages = append(pages, shown{lang + "/bad rows", bad, []string{"bad-row-3", "bad-row-4", "recipients", "batch-preview"}})
			if !strings.Contains(bad.body, `aria-invalid="true"`) {
				t.Error("the recipients input is not marked invalid")
			}
			if page, _ := s.svc.Letters.ListNotices(t.Context(), userByEmail(t, s, "syndic@acme.example"), core.NoticeQuery{}); len(page.Notices) != 0 {
				t.Fatalf("%d letters sent from a refused file", len(page.Notices))
			}

			x := want(t, "preview", b.batchPreview(coowners(7), upload{"convocation.pdf", "application/pdf", []byte("%PDF-1.4 convocation")}), http.StatusOK)
			pages = append(pages, shown{lang + "/preview", x, []string{"batch-send", "start-over"}})
			if n := strings.Count(x.body, `class="batch-row"`); n != 7 {
				t.Errorf("preview lists %d rows, want 7", n)
			}
			draft := draftOf(t, x)
			sent := want(t, "send", b.post("/app/batches", url.Values{"draft": {draft}}), http.StatusSeeOther)
			m := batchLocation.FindStringSubmatch(sent.header.Get("Location"))
			if m == nil {
				t.Fatalf("send redirects to %q", sent.header.Get("Location"))
			}
			again := want(t, "resubmit", b.post("/app/batches", url.Values{"draft": {draft}}), http.StatusSeeOther)
			if again.header.Get("Location") != sent.header.Get("Location") {
				t.Errorf("resubmission went to %q, want the same batch %q", again.header.Get("Location"), sent.header.Get("Location"))
			}
			page := want(t, "batch page", b.get(m[0]), http.StatusOK)
			pages = append(pages, shown{lang + "/batch", page, []string{"batch-id", "batch-counts", "batch-proofs", "batch-summary"}})
			if n := strings.Count(page.body, `href="/app/letters/LRE-`); n != 7 {
				t.Errorf("batch page links %d letters, want 7", n)
			}
			if zip := b.get(m[0] + "/proofs.zip"); zip.status != http.StatusOK || !strings.HasPrefix(zip.body, "PK") {
				t.Errorf("proofs.zip: HTTP %d", zip.status)
			}
			for _, p := range pages {
				t.Run(p.name, func(t *testing.T) {
					checkPage(t, p.x.body)
					for _, id := range p.ids {
						if !hasID(p.x.body, id) {
							t.Errorf("no #%s", id)
						}
					}
				})
			}
		})
	}
}

func userByEmail(t *testing.T, s *site, email string) core.User {
	t.Helper()
	u, err := s.db.UserByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
