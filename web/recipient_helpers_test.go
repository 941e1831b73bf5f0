package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/internal/lretest"
	"github.com/lre-project/lre/internal/storetest"
	"github.com/lre-project/lre/rfc3161"
	"github.com/lre-project/lre/storage"
	"github.com/lre-project/lre/web"
)

var siteLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// site is one running lre for the page tests: lretest's store, authority,
// services, fake clock and mailer, and the web server on loopback.
type site struct {
	db    *storage.DB
	svc   *services.Set
	srv   *httptest.Server
	clock *lretest.Clock
	mail  *lretest.Mailer
	url   string
}

type siteOption func(*web.Config)

// withTLS serves the site over HTTPS, which makes its cookies Secure and
// __Host- prefixed.
func withTLS() siteOption {
	return func(c *web.Config) { c.BaseURL = "https://" }
}

// withPageLimits keeps the default rate limits of the pages; other tests
// lift them so that a flow of many requests is not cut short.
func withPageLimits() siteOption {
	return func(c *web.Config) { c.PageGets, c.PagePosts = web.RateLimit{}, web.RateLimit{} }
}

func withMailbox(m web.DevMailbox) siteOption {
	return func(c *web.Config) { c.DevMailbox = m }
}

func newSite(t testing.TB, opts ...siteOption) *site {
	t.Helper()
	return newSiteWith(t, nil, opts...)
}

// newSiteWith is newSite with more options for the service.
func newSiteWith(t testing.TB, svcOpts []services.Option, opts ...siteOption) *site {
	t.Helper()
	return startSite(t, func(*storage.DB, *rfc3161.Authority) []services.Option {
		return append([]services.Option{services.WithProvider(core.Provider{Name: "Poste Test", Address: "1 rue de l'Exemple, Paris", FromEmail: "noreply@lre.test"})}, svcOpts...)
	}, opts...)
}

// startSite starts the web server on loopback over an lretest.Env whose
// clock starts now (the browser's cookie jar reads the real time) and
// which svcOpts, given the site's store and authority, complete.
func startSite(t testing.TB, svcOpts func(*storage.DB, *rfc3161.Authority) []services.Option, opts ...siteOption) *site {
	t.Helper()
	dir := t.TempDir()
	db := storetest.Open(t, dir, storage.Options{LockTimeout: time.Second})
	auth := lretest.NewAuthority(t)
	srv := httptest.NewUnstartedServer(nil)
	cfg := web.Config{BaseURL: "http://", TSAChainPEM: auth.ChainPEM(), Logger: siteLog,
		PageGets: web.RateLimit{PerSecond: 10000, Burst: 10000}, PagePosts: web.RateLimit{PerSecond: 10000, Burst: 10000}}
	for _, o := range opts {
		o(&cfg)
	}
	cfg.BaseURL += srv.Listener.Addr().String()
	bindIdentity(t, &cfg)
	e := lretest.Build(t, lretest.Fixture{DB: db, Authority: auth, Clock: lretest.NewClock(time.Now().UTC().Truncate(time.Second)), NoSender: true},
		append([]services.Option{services.WithLogger(siteLog), services.WithBaseURL(cfg.BaseURL)}, svcOpts(db, auth)...)...)
	s := &site{db: db, svc: e.Svc, srv: srv, clock: e.Clock, mail: e.Mailer, url: cfg.BaseURL}
	cfg.Now = s.clock.Now
	srv.Config.Handler = web.NewServer(s.svc, cfg)
	if strings.HasPrefix(cfg.BaseURL, "https://") {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return s
}

// outbox delivers every due mail.
func (s *site) outbox(t testing.TB) {
	t.Helper()
	if _, err := s.svc.Letters.ProcessOutbox(context.Background()); err != nil {
		t.Fatalf("process outbox: %v", err)
	}
}

func (s *site) sender(t testing.TB, name, org string) string {
	t.Helper()
	_, key, err := s.svc.Accounts.AddUser(context.Background(), fmt.Sprintf("sender%d@acme.example", time.Now().UnixNano()), name, org, core.RoleSender)
	if err != nil {
		t.Fatalf("add sender: %v", err)
	}
	return key
}

// upload is an attachment of a deposit.
type upload struct {
	name, ctype string
	data        []byte
}

// letterFields is a valid deposit to bob@example.net, in French.
func letterFields() map[string]string {
	return map[string]string{
		"recipient_email": "bob@example.net",
		"recipient_name":  "Bob Martin",
		"recipient_type":  "professional",
		"subject":         "Mise en demeure de payer",
		"body":            "Madame, Monsieur,\n\nnous vous mettons en demeure de régler la facture 42.\n",
		"language":        "fr",
	}
}

// exchange is a finished HTTP request.
type exchange struct {
	status int
	header http.Header
	body   string
}

func (x exchange) String() string { return fmt.Sprintf("HTTP %d\n%s", x.status, x.body) }

// depositRaw posts a multipart deposit through the API.
func (s *site) depositRaw(t testing.TB, key string, fields map[string]string, files ...upload) exchange {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		h := make(map[string][]string)
		h["Content-Disposition"] = []string{fmt.Sprintf(`form-data; name="attachments"; filename*=UTF-8''%s`, ext5987(f.name))}
		h["Content-Type"] = []string{f.ctype}
		p, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		p.Write(f.data)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, s.url+"/api/v1/notices", &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+key)
	return do(t, s.srv.Client(), req)
}

// ext5987 percent-encodes all but the unreserved characters.
func ext5987(v string) string {
	var b strings.Builder
	for _, c := range []byte(v) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// deposit posts a letter, requires 201 and returns its id.
func (s *site) deposit(t testing.TB, key string, fields map[string]string, files ...upload) string {
	t.Helper()
	x := s.depositRaw(t, key, fields, files...)
	if x.status != http.StatusCreated {
		t.Fatalf("deposit: %s", x)
	}
	var n struct{ ID string }
	if err := json.Unmarshal([]byte(x.body), &n); err != nil || n.ID == "" {
		t.Fatalf("deposit answer %s: %v", x.body, err)
	}
	return n.ID
}

// notified deposits a letter, delivers the notification and returns the
// letter id and the notification mail.
func (s *site) notified(t testing.TB, key string, fields map[string]string, files ...upload) (string, core.OutgoingMail) {
	t.Helper()
	id := s.deposit(t, key, fields, files...)
	s.outbox(t)
	m := s.mail.Last(t, core.MailNotification, fields["recipient_email"])
	if m.NoticeID != id || !strings.HasPrefix(m.Link, s.url+"/r/") {
		t.Fatalf("notification of %s: %+v", id, m)
	}
	return id, m
}

type apiEvent struct {
	Type    string            `json:"type"`
	Time    string            `json:"time"`
	Details map[string]string `json:"details"`
}

func (s *site) events(t testing.TB, key, id string) []apiEvent {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.url+"/api/v1/notices/"+id+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	x := do(t, s.srv.Client(), req)
	if x.status != http.StatusOK {
		t.Fatalf("events: %s", x)
	}
	var out struct{ Events []apiEvent }
	if err := json.Unmarshal([]byte(x.body), &out); err != nil {
		t.Fatal(err)
	}
	return out.Events
}

func eventsOf(evs []apiEvent, typ core.EventType) []apiEvent {
	var out []apiEvent
	for _, e := range evs {
		if e.Type == string(typ) {
			out = append(out, e)
		}
	}
	return out
}

func (s *site) status(t testing.TB, id string) core.Status {
	t.Helper()
	s.logRecords(t)
	n, err := s.db.Notice(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return n.Status
}

// browser is a person's browser: cookies, no JavaScript, and redirects
// shown rather than followed.
type browser struct {
	t    testing.TB
	site *site
	c    *http.Client
	csrf string // the _csrf of the last page that had a form
}

func (s *site) browser(t testing.TB) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, site: s, c: &http.Client{
		Jar:           jar,
		Transport:     s.srv.Client().Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func do(t testing.TB, c *http.Client, req *http.Request) exchange {
	t.Helper()
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return read(t, res)
}

func read(t testing.TB, res *http.Response) exchange {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return exchange{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (b *browser) abs(path string) string {
	if strings.HasPrefix(path, "http") {
		return path
	}
	return b.site.url + path
}

func (b *browser) get(path string) exchange {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.abs(path), nil)
	req.Header.Set("Accept-Language", "fr-FR,fr;q=0.9")
	x := do(b.t, b.c, req)
	if tok := csrfOf(x.body); tok != "" {
		b.csrf = tok
	}
	return x
}

// post sends a form with the current CSRF token, unless form sets _csrf
// (an empty _csrf sends none).
func (b *browser) post(path string, form url.Values) exchange {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, set := form["_csrf"]; !set {
		form.Set("_csrf", b.csrf)
	}
	if form.Get("_csrf") == "" {
		form.Del("_csrf")
	}
	res, err := b.c.Do(formRequest(b.abs(path), form))
	if err != nil {
		b.t.Fatalf("POST %s: %v", path, err)
	}
	x := read(b.t, res)
	if tok := csrfOf(x.body); tok != "" {
		b.csrf = tok
	}
	return x
}

func formRequest(u string, form url.Values) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "fr-FR,fr;q=0.9")
	return req
}

// want fails unless x has status code.
func want(t testing.TB, what string, x exchange, code int) exchange {
	t.Helper()
	if x.status != code {
		t.Fatalf("%s: %s\nwant HTTP %d", what, x, code)
	}
	return x
}

// identify goes from the notification link to an open session: open the
// link, ask for a code, enter the code from the mail.
func (b *browser) identify(link string, answer string) string {
	b.t.Helper()
	token := strings.TrimPrefix(link, b.site.url+"/r/")
	want(b.t, "open link", b.get(link), http.StatusOK)
	x := want(b.t, "request code", b.post("/r/"+token+"/code", nil), http.StatusSeeOther)
	if loc := x.header.Get("Location"); loc != "/r/"+token+"/identify" {
		b.t.Fatalf("request code redirects to %q", loc)
	}
	want(b.t, "code form", b.get("/r/"+token+"/identify"), http.StatusOK)
	b.site.outbox(b.t)
	otp := b.site.mail.Last(b.t, core.MailOTP, "bob@example.net").Code
	x = want(b.t, "verify", b.post("/r/"+token+"/verify", url.Values{"code": {otp}, "knowledge_answer": {answer}}), http.StatusSeeOther)
	if loc := x.header.Get("Location"); loc != "/r/"+token+"/choice" {
		b.t.Fatalf("verify redirects to %q", loc)
	}
	return token
}

// decide confirms a decision from the choice page.
func (b *browser) decide(token, action string) exchange {
	b.t.Helper()
	want(b.t, "choice", b.get("/r/"+token+"/choice"), http.StatusOK)
	want(b.t, "confirmation page", b.post("/r/"+token+"/decide", url.Values{"action": {action}}), http.StatusOK)
	return b.post("/r/"+token+"/decide", url.Values{"action": {action}, "confirm": {"yes"}})
}

// csrfOf returns the value of the first _csrf input of an HTML page.
func csrfOf(body string) string {
	var tok string
	walk(body, func(n *html.Node) {
		if tok == "" && n.Type == html.ElementNode && n.Data == "input" && attr(n, "name") == "_csrf" {
			tok = attr(n, "value")
		}
	})
	return tok
}

type htmlNode = html.Node

// walk calls fn on every node of an HTML document.
func walk(body string, fn func(*html.Node)) {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return
	}
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		fn(n)
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
	}
	rec(doc)
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// links returns the href of every <a> of a page.
func links(body string) []string {
	var out []string
	walk(body, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "a" {
			out = append(out, attr(n, "href"))
		}
	})
	return out
}

// hasID reports whether a page has an element with id.
func hasID(body, id string) bool {
	found := false
	walk(body, func(n *html.Node) {
		if n.Type == html.ElementNode && attr(n, "id") == id {
			found = true
		}
	})
	return found
}

// text returns the visible text of a page, entities decoded.
func text(body string) string {
	var b strings.Builder
	walk(body, func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
	})
	return b.String()
}

func (s *site) logRecords(t testing.TB) uint64 {
	t.Helper()
	n, err := s.db.VerifyLog(context.Background())
	if err != nil {
		t.Fatalf("VerifyLog: %v", err)
	}
	if _, err := s.db.VerifyRecords(context.Background(), core.CheckRecord); err != nil {
		t.Fatalf("VerifyRecords: %v", err)
	}
	return n
}

// requestConsent asks through the API for consent of addr, delivers the
// mail and returns the token of its link.
func (s *site) requestConsent(t testing.TB, key, addr, lang string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.url+"/api/v1/consents", strings.NewReader(fmt.Sprintf(`{"email":%q,"name":"Carole Petit","language":%q}`, addr, lang)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	x := do(t, s.srv.Client(), req)
	if x.status != http.StatusAccepted {
		t.Fatalf("request consent: %s", x)
	}
	s.outbox(t)
	link := s.mail.Last(t, core.MailConsent, addr).Link
	token, ok := strings.CutPrefix(link, s.url+"/consent/")
	if !ok {
		t.Fatalf("consent link %q", link)
	}
	return token
}
