package web_test

import (
	"bytes"
	"context"
	"encoding/json"
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
	"github.com/lre-project/lre/internal/lretest"
	"github.com/lre-project/lre/rfc3161"
	"github.com/lre-project/lre/storage"
)

// The account and sender page tests reuse the recipient pages' site and
// browser (recipient_helpers_test.go); appSite builds that site with cheap
// argon2id parameters, which are stored with each hash, so that logging in
// costs microseconds.

const password = "une phrase de passe assez longue"

var cheapPasswords = lretest.CheapPasswords

func appSite(t testing.TB, opts ...siteOption) *site {
	t.Helper()
	return appSiteWith(t, nil, opts...)
}

// appSiteWith is appSite with more service options (limits).
func appSiteWith(t testing.TB, svcOpts []services.Option, opts ...siteOption) *site {
	t.Helper()
	return appSiteOn(t, func(*storage.DB, *rfc3161.Authority) []services.Option { return svcOpts }, opts...)
}

// appSiteOn is appSiteWith for service options that need the site's
// store and authority (lretest.Proofs).
func appSiteOn(t testing.TB, svcOpts func(*storage.DB, *rfc3161.Authority) []services.Option, opts ...siteOption) *site {
	t.Helper()
	return startSite(t, func(db *storage.DB, a *rfc3161.Authority) []services.Option {
		return append([]services.Option{cheapPasswords, services.WithProvider(core.Provider{Name: "Poste Test", FromEmail: "noreply@lre.test"})}, svcOpts(db, a)...)
	}, opts...)
}

// account creates a user with a web password and returns it with its
// first API key.
func (s *site) account(t testing.TB, email, org string, role core.Role) (core.User, string) {
	t.Helper()
	ctx := context.Background()
	u, key, err := s.svc.Accounts.AddUser(ctx, email, "Test "+strings.Split(email, "@")[0], org, role)
	if err != nil {
		t.Fatalf("add user %s: %v", email, err)
	}
	if err := s.svc.Accounts.SetPassword(ctx, email, password); err != nil {
		t.Fatal(err)
	}
	return u, key
}

// login logs b in and requires the redirect into the application.
func (b *browser) login(email string) {
	b.t.Helper()
	x := b.tryLogin(email, password)
	if x.status != http.StatusSeeOther || !strings.HasPrefix(x.header.Get("Location"), "/app/") {
		b.t.Fatalf("login %s: %s", email, x)
	}
}

func (b *browser) tryLogin(email, pw string) exchange {
	b.t.Helper()
	want(b.t, "login form", b.get("/login"), http.StatusOK)
	return b.post("/login", url.Values{"email": {email}, "password": {pw}})
}

// cookie returns the browser's cookie called name, or nil.
func (b *browser) cookie(name string) *http.Cookie {
	u, _ := url.Parse(b.site.url)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// composeForm is a valid letter typed into the compose form.
func composeFields() map[string]string {
	f := letterFields()
	f["sender_reference"] = "DOSSIER-42"
	return f
}

// preview opens the compose form and posts it with files, the _csrf
// field first as the form has it; csrf "" sends the page's token.
func (b *browser) preview(fields map[string]string, csrf string, files ...upload) exchange {
	b.t.Helper()
	want(b.t, "compose form", b.get("/app/letters/new"), http.StatusOK)
	if csrf == "" {
		csrf = b.csrf
	}
	body, ctype := composeBody(b.t, csrf, fields, files...)
	req, _ := http.NewRequest(http.MethodPost, b.abs("/app/letters/preview"), bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Accept-Language", "fr-FR")
	x := do(b.t, b.c, req)
	if loc := x.header.Get("Location"); x.status == http.StatusSeeOther && strings.HasPrefix(loc, "/app/letters/drafts/") {
		x = b.get(loc) // the preview redirects to the draft's page
	}
	if tok := csrfOf(x.body); tok != "" {
		b.csrf = tok
	}
	return x
}

func composeBody(t testing.TB, csrf string, fields map[string]string, files ...upload) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if csrf != "-" {
		w.WriteField("_csrf", csrf)
	}
	for _, k := range []string{"kept", "kept_drop", "recipient_email", "recipient_name", "recipient_type", "subject", "sender_reference", "body", "language", "knowledge_question", "knowledge_answer"} {
		if v, ok := fields[k]; ok {
			w.WriteField(k, v)
		}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="attachments"; filename=%q`, f.name))
		h.Set("Content-Type", f.ctype)
		p, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		p.Write(f.data)
	}
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

var apiKeyShape = regexp.MustCompile(`^lre_[a-z2-7]{52}$`)

var draftField = regexp.MustCompile(`name="draft" value="([0-9a-f]{32})"`)

// draftOf returns the draft id of a confirmation page.
func draftOf(t testing.TB, x exchange) string {
	t.Helper()
	m := draftField.FindStringSubmatch(x.body)
	if m == nil {
		t.Fatalf("no draft on the confirmation page: %s", x)
	}
	return m[1]
}

var sha256Cell = regexp.MustCompile(`<code class="sha256">([0-9a-f]{64})</code>`)

func digestsOf(body string) []string {
	var out []string
	for _, m := range sha256Cell.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// send composes, previews and confirms a letter, ticking "send anyway"
// should it repeat a recent one; it returns the letter id.
func (b *browser) send(fields map[string]string, files ...upload) string {
	b.t.Helper()
	x := want(b.t, "preview", b.preview(fields, "", files...), http.StatusOK)
	x = want(b.t, "send", b.post("/app/letters", url.Values{"draft": {draftOf(b.t, x)}, "send_anyway": {"1"}}), http.StatusSeeOther)
	id, ok := strings.CutPrefix(x.header.Get("Location"), "/app/letters/")
	if !ok || !noticeIDShape.MatchString(id) {
		b.t.Fatalf("send redirects to %q", x.header.Get("Location"))
	}
	return id
}

// api sends a JSON request with an API key.
func (s *site) api(t testing.TB, key, method, path string, body any) exchange {
	t.Helper()
	var r *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	} else {
		r = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, s.url+path, r)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	return do(t, s.srv.Client(), req)
}

func decode(t testing.TB, x exchange, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(x.body), v); err != nil {
		t.Fatalf("%s: %v", x, err)
	}
}
