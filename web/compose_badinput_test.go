package web_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
)

// composeRequest is a POST of body to the compose preview with b's cookies
// and the page's CSRF token already in the body, served in process so that
// the test can count how much of the body the handler read.
func composeRequest(b *browser, ctype string, body []byte) (*http.Request, *countingReader) {
	cr := &countingReader{r: bytes.NewReader(body)}
	req := httptest.NewRequest(http.MethodPost, b.abs("/app/letters/preview"), cr)
	req.Header.Set("Content-Type", ctype)
	u, _ := url.Parse(b.site.url)
	for _, c := range b.c.Jar.Cookies(u) {
		req.AddCookie(c)
	}
	return req, cr
}

// rawCompose builds a compose body by hand: the CSRF field, then parts.
func rawCompose(csrf string, parts ...string) []byte {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "--%s\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n%s\r\n", boundary, csrf)
	for _, p := range parts {
		fmt.Fprintf(&buf, "--%s\r\n%s\r\n", boundary, p)
	}
	fmt.Fprintf(&buf, "--%s--\r\n", boundary)
	return buf.Bytes()
}

func textPart(name, value string) string {
	return fmt.Sprintf("Content-Disposition: form-data; name=%q\r\n\r\n%s", name, value)
}

// TestComposeBadInput sends the sender's compose form what no browser
// would: file names with directories, 10,000 parts, broken multipart. Each
// is refused with a 4xx page, early, and nothing is deposited.
func TestComposeBadInput(t *testing.T) {
	s := appSite(t)
	s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	b := s.browser(t)
	b.login("alice@acme.example")

	t.Run("file names with directories", func(t *testing.T) {
		for _, name := range []string{"../../etc/passwd", "dossier/facture.pdf", "/facture.pdf"} {
			x := b.preview(composeFields(), "", upload{name, "application/pdf", []byte("%PDF-1.7")})
			if x.status != http.StatusUnprocessableEntity {
				t.Errorf("file name %q: HTTP %d, want 422 (the name must be refused, not cut to its base)", name, x.status)
			}
		}
	})

	want(t, "compose form", b.get("/app/letters/new"), http.StatusOK)
	fields := []string{}
	for k, v := range composeFields() {
		fields = append(fields, textPart(k, v))
	}
	many := func(p string) []string {
		out := append([]string(nil), fields...)
		for range 10000 {
			out = append(out, p)
		}
		return out
	}
	tests := []struct {
		name  string
		ctype string
		body  []byte
	}{
		{"10,000 CSRF fields", multipartType, rawCompose(b.csrf, many(textPart("_csrf", b.csrf))...)},
		{"10,000 empty file inputs", multipartType, rawCompose(b.csrf, many("Content-Disposition: form-data; name=\"attachments\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n")...)},
		{"10,000 unnamed parts", multipartType, rawCompose(b.csrf, many("Content-Type: text/plain\r\n\r\nx")...)},
		{"no boundary", "multipart/form-data", rawCompose(b.csrf, fields...)},
		{"boundary of another body", "multipart/form-data; boundary=other", rawCompose(b.csrf, fields...)},
		{"no closing delimiter", multipartType, bytes.TrimSuffix(rawCompose(b.csrf, fields...), []byte("--"+boundary+"--\r\n"))},
		{"cut in a part header", multipartType, rawCompose(b.csrf, fields...)[:200]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, cr := composeRequest(b, tt.ctype, tt.body)
			rec := httptest.NewRecorder()
			s.srv.Config.Handler.ServeHTTP(rec, req)
			if rec.Code < 400 || rec.Code >= 500 {
				t.Errorf("HTTP %d, want a 4xx page", rec.Code)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type %q, want an HTML page", ct)
			}
			if len(tt.body) > 100<<10 && cr.n > int64(len(tt.body))/10 {
				t.Errorf("the handler read %d of %d bytes before refusing; want it to stop within the first tenth", cr.n, len(tt.body))
			}
		})
	}
	if n := s.logRecords(t); n != 0 {
		t.Errorf("%d events logged, want none", n)
	}
}
