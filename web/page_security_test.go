package web_test

import (
	"context"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
)

const msgCSRF = "Ce formulaire a expiré ou ne vient pas de ce site"

func TestCSRFOnEveryForm(t *testing.T) {
	s := newSite(t)
	key := s.sender(t, "Cabinet Dupont Avocats", "")
	id, m := s.notified(t, key, letterFields())
	b := s.browser(t)
	token := b.identify(m.Link, "")
	want(t, "choice", b.get("/r/"+token+"/choice"), http.StatusOK)
	consent := s.requestConsent(t, key, "carole@example.org", "fr")

	// A fresh code, valid, to show that a forged verify does not use it.
	s.clock.Add(61 * time.Second)
	want(t, "second code", b.post("/r/"+token+"/code", nil), http.StatusSeeOther)
	s.outbox(t)
	otp := s.mail.Last(t, core.MailOTP, "bob@example.net").Code
	otps := s.mail.Count(core.MailOTP)
	logBefore := s.logRecords(t)

	forms := []struct {
		name string
		path string
		form url.Values
	}{
		{"request code", "/r/" + token + "/code", url.Values{}},
		{"verify code", "/r/" + token + "/verify", url.Values{"code": {otp}}},
		{"decide", "/r/" + token + "/decide", url.Values{"action": {"accept"}, "confirm": {"yes"}}},
		{"check a notification", "/verify", url.Values{"notice_id": {id}, "code": {m.Code}}},
		{"give consent", "/consent/" + consent, url.Values{"action": {"give"}}},
	}
	attacks := []struct {
		name  string
		token string
		hdr   map[string]string
	}{
		{"no token", "", nil},
		{"wrong token", "forged-token-forged-token-forged1", nil},
		{"right token from another site", "keep", map[string]string{"Sec-Fetch-Site": "cross-site"}},
	}
	for _, f := range forms {
		for _, a := range attacks {
			t.Run(f.name+"/"+a.name, func(t *testing.T) {
				form := url.Values{}
				for k, v := range f.form {
					form[k] = v
				}
				switch a.token {
				case "":
				case "keep":
					form.Set("_csrf", b.csrf)
				default:
					form.Set("_csrf", a.token)
				}
				req := formRequest(s.url+f.path, form)
				for k, v := range a.hdr {
					req.Header.Set(k, v)
				}
				x := do(t, b.c, req)
				if x.status != http.StatusForbidden || !strings.Contains(text(x.body), msgCSRF) {
					t.Errorf("%s", x)
				}
			})
		}
	}
	if st := s.status(t, id); st != core.StatusNotified {
		t.Errorf("status %s after forged posts", st)
	}
	s.outbox(t)
	if n := s.mail.Count(core.MailOTP); n != otps {
		t.Errorf("forged posts sent %d codes", n-otps)
	}
	if n := s.logRecords(t); n != logBefore {
		t.Errorf("forged posts added %d evidence records", n-logBefore)
	}
	if rec, err := s.db.Consent(context.Background(), "carole@example.org"); err != nil || rec.Status != core.ConsentRequested {
		t.Errorf("consent after forged posts: %+v, %v", rec, err)
	}
	want(t, "the real verify still works", b.post("/r/"+token+"/verify", url.Values{"code": {otp}}), http.StatusSeeOther)
}

func TestPageRateLimits(t *testing.T) {
	s := newSite(t, withPageLimits())
	for _, tt := range []struct {
		name   string
		method string
		path   string
	}{
		{"GET of a link", http.MethodGet, "/r/" + strings.Repeat("a", 52)},
		{"POST of a form", http.MethodPost, "/verify"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var limited *exchange
			for i := 0; i < 200 && limited == nil; i++ {
				req, _ := http.NewRequest(tt.method, s.url+tt.path, nil)
				if x := do(t, s.srv.Client(), req); x.status == http.StatusTooManyRequests {
					limited = &x
				}
			}
			if limited == nil {
				t.Fatal("200 requests in a burst were never limited")
			}
			if limited.header.Get("Retry-After") == "" || !strings.Contains(text(limited.body), "Trop de demandes") {
				t.Errorf("429 answer: %s, Retry-After %q", limited, limited.header.Get("Retry-After"))
			}
		})
	}
}

func TestBadTokensLookAlike(t *testing.T) {
	s := newSite(t)
	key := s.sender(t, "Cabinet Dupont Avocats", "")
	_, m := s.notified(t, key, letterFields())
	token := strings.TrimPrefix(m.Link, s.url+"/r/")
	consent := s.requestConsent(t, key, "carole@example.org", "fr")
	b := s.browser(t)
	var first string
	for _, bad := range []string{
		strings.Repeat("a", len(token)), // unknown
		token[:len(token)-1],            // truncated
		token[:10],                      // badly truncated
		consent,                         // a token of another purpose
		strings.ToUpper(token) + "x",    // mangled
	} {
		for _, path := range []string{"/r/" + bad, "/r/" + bad + "/identify", "/r/" + bad + "/choice", "/r/" + bad + "/letter", "/r/" + bad + "/documents/body"} {
			x := want(t, path, b.get(path), http.StatusNotFound)
			if first == "" {
				first = x.body
			}
			if x.body != first {
				t.Errorf("%s: 404 page differs from the first one:\n%s\n---\n%s", path, x.body, first)
			}
		}
	}
	if !strings.Contains(text(first), "Ce lien n’est pas valide") {
		t.Errorf("404 page:\n%s", first)
	}
	x := want(t, "consent page with a link token", b.get("/consent/"+token), http.StatusNotFound)
	if x.body != first {
		t.Errorf("consent 404 differs")
	}
}

func TestSenderTextIsEscaped(t *testing.T) {
	const xss = `<script>alert(1)</script>`
	const img = `<img src=x onerror=alert(1)>`
	s := newSite(t)
	key := s.sender(t, "Maître "+xss, "Org "+xss)
	f := letterFields()
	for _, k := range []string{"subject", "body", "recipient_name", "sender_reference"} {
		f[k] = k + " " + xss
	}
	f["knowledge_question"], f["knowledge_answer"] = "Question "+xss, "42"
	_, m := s.notified(t, key, f, upload{img + ".pdf", "application/pdf", []byte("%PDF-1.4")})
	b := s.browser(t)
	token := b.identify(m.Link, "42")
	var pages []exchange
	pages = append(pages, b.get(m.Link), b.get("/r/"+token+"/identify"), b.get("/r/"+token+"/choice"))
	pages = append(pages, b.post("/r/"+token+"/decide", url.Values{"action": {"accept"}}))
	want(t, "accept", b.post("/r/"+token+"/decide", url.Values{"action": {"accept"}, "confirm": {"yes"}}), http.StatusSeeOther)
	letter := want(t, "letter", b.get("/r/"+token+"/letter"), http.StatusOK)
	pages = append(pages, letter)
	for i, p := range pages {
		if strings.Contains(p.body, "<script>") || strings.Contains(p.body, "<img") {
			t.Errorf("page %d carries live markup:\n%s", i, p.body)
		}
	}
	visible := text(letter.body)
	for _, w := range []string{"subject " + xss, "body " + xss, "Maître " + xss, "Org " + xss, img + ".pdf"} {
		if !strings.Contains(visible, w) {
			t.Errorf("letter page does not show %q as text", w)
		}
	}
	dl := want(t, "download", b.get("/r/"+token+"/documents/doc-01"), http.StatusOK)
	cd := dl.header.Get("Content-Disposition")
	_, params, err := mime.ParseMediaType(cd)
	if strings.Contains(cd, "<") || err != nil || params["filename"] != img+".pdf" {
		t.Errorf("Content-Disposition %q parses to %v, %v", cd, params, err)
	}
}

func TestDownloadHeaders(t *testing.T) {
	s := newSite(t)
	key := s.sender(t, "Cabinet Dupont Avocats", "")
	files := []upload{
		{`résumé "final"; filename=evil.html`, "text/html", []byte("<html><script>alert(1)</script></html>")},
		{"photo.svg", "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`)},
		{"relevé.csv", "text/csv", []byte("a;b\n1;2\n")},
	}
	_, m := s.notified(t, key, letterFields(), files...)
	b := s.browser(t)
	token := b.identify(m.Link, "")
	want(t, "accept", b.decide(token, "accept"), http.StatusSeeOther)
	for i, f := range files {
		x := want(t, f.name, b.get("/r/"+token+"/documents/"+docKey(i)), http.StatusOK)
		cd := x.header.Get("Content-Disposition")
		disp, params, err := mime.ParseMediaType(cd)
		if err != nil || disp != "attachment" || params["filename"] != f.name || strings.Contains(cd, `"final"`) {
			t.Errorf("%s: Content-Disposition %q -> %s %v %v", f.name, cd, disp, params, err)
		}
		ct := x.header.Get("Content-Type")
		if strings.Contains(ct, "html") || strings.Contains(ct, "svg") || x.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: Content-Type %q, nosniff %q", f.name, ct, x.header.Get("X-Content-Type-Options"))
		}
	}
	want(t, "unknown document", b.get("/r/"+token+"/documents/doc-99"), http.StatusNotFound)
}

func docKey(i int) string { return "doc-0" + string(rune('1'+i)) }

func TestCookies(t *testing.T) {
	for _, tt := range []struct {
		name          string
		opts          []siteOption
		session, csrf string
		secure        bool
	}{
		{"http", nil, "lre_rs", "lre_csrf", false},
		{"https", []siteOption{withTLS()}, "__Host-lre_rs", "__Host-lre_csrf", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t, tt.opts...)
			key := s.sender(t, "Cabinet Dupont Avocats", "")
			_, m := s.notified(t, key, letterFields())
			b := s.browser(t)
			landing := want(t, "open", b.get(m.Link), http.StatusOK)
			token := strings.TrimPrefix(m.Link, s.url+"/r/")
			checkCookie(t, landing, tt.csrf, tt.secure)
			want(t, "code", b.post("/r/"+token+"/code", nil), http.StatusSeeOther)
			s.outbox(t)
			x := want(t, "verify", b.post("/r/"+token+"/verify", url.Values{"code": {s.mail.Last(t, core.MailOTP, "bob@example.net").Code}}), http.StatusSeeOther)
			c := checkCookie(t, x, tt.session, tt.secure)
			if c != nil && c.MaxAge != 1800 {
				t.Errorf("session Max-Age %d, want 1800", c.MaxAge)
			}
			want(t, "choice with the session", b.get("/r/"+token+"/choice"), http.StatusOK)
		})
	}
}

func checkCookie(t *testing.T, x exchange, name string, secure bool) *http.Cookie {
	t.Helper()
	res := http.Response{Header: x.header}
	i := slices.IndexFunc(res.Cookies(), func(c *http.Cookie) bool { return c.Name == name })
	if i < 0 {
		t.Errorf("no cookie %s in %v", name, x.header["Set-Cookie"])
		return nil
	}
	c := res.Cookies()[i]
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Secure != secure {
		t.Errorf("cookie %s: HttpOnly %v SameSite %v Path %q Secure %v", name, c.HttpOnly, c.SameSite, c.Path, c.Secure)
	}
	return c
}

func TestFormBodyIsBounded(t *testing.T) {
	s := newSite(t)
	b := s.browser(t)
	want(t, "form", b.get("/verify"), http.StatusOK)
	x := b.post("/verify", url.Values{"notice_id": {strings.Repeat("A", 20<<10)}})
	want(t, "oversized form", x, http.StatusRequestEntityTooLarge)
	x = b.post("/verify", url.Values{"notice_id": {strings.Repeat("A", 100)}, "code": {"x"}})
	want(t, "overlong field", x, http.StatusUnprocessableEntity)
}

// TestGetNeverDecides crawls every same-origin link from the notification
// link, as mail scanners and prefetchers do, without cookies, with
// cookies, and with the cookies of an identified recipient: GET must never
// accept, refuse nor hand over anything.
func TestGetNeverDecides(t *testing.T) {
	s := newSite(t)
	key := s.sender(t, "Cabinet Dupont Avocats", "")
	f := letterFields()
	id, m := s.notified(t, key, f, upload{"piece.pdf", "application/pdf", []byte("%PDF-1.4")})
	identified := s.browser(t)
	identified.identify(m.Link, "")
	anonymous := s.browser(t)
	anonymous.c.Jar = nil
	for _, b := range []*browser{anonymous, s.browser(t), identified} {
		seen := map[string]bool{}
		queue := []string{m.Link}
		for _, suffix := range []string{"/identify", "/choice", "/letter", "/documents/body", "/documents/doc-01", "/code", "/verify", "/decide"} {
			queue = append(queue, m.Link+suffix)
		}
		for len(queue) > 0 && len(seen) < 100 {
			u := queue[0]
			queue = queue[1:]
			if seen[u] {
				continue
			}
			seen[u] = true
			x := b.get(u)
			if strings.Contains(x.body, f["subject"]) {
				t.Errorf("GET %s shows the subject", u)
			}
			for _, l := range append(links(x.body), x.header.Get("Location")) {
				if abs := sameOrigin(s.url, u, l); abs != "" && !seen[abs] {
					queue = append(queue, abs)
				}
			}
		}
		if len(seen) < 10 {
			t.Errorf("crawler saw only %v", seen)
		}
	}
	if st := s.status(t, id); st != core.StatusNotified {
		t.Errorf("status %s after crawling", st)
	}
	for _, e := range s.events(t, key, id) {
		switch core.EventType(e.Type) {
		case core.EventSubmissionAcceptance, core.EventNotificationForAcceptance, core.EventNotificationAccessTracking:
		default:
			t.Errorf("crawling recorded %s", e.Type)
		}
	}
}

// sameOrigin resolves href against page and returns it if it stays on base.
func sameOrigin(base, page, href string) string {
	if href == "" {
		return ""
	}
	p, err := url.Parse(page)
	if err != nil {
		return ""
	}
	r, err := p.Parse(href)
	if err != nil || !strings.HasPrefix(r.String(), base+"/") {
		return ""
	}
	r.Fragment = ""
	return r.String()
}

func TestAcceptRefuseRace(t *testing.T) {
	for i := range 5 {
		s := newSite(t)
		key := s.sender(t, "Cabinet Dupont Avocats", "")
		id, m := s.notified(t, key, letterFields())
		b := s.browser(t)
		token := b.identify(m.Link, "")
		want(t, "choice", b.get("/r/"+token+"/choice"), http.StatusOK)
		csrf := b.csrf
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for j, action := range []string{"accept", "refuse"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := b.c.Do(formRequest(s.url+"/r/"+token+"/decide", url.Values{"_csrf": {csrf}, "action": {action}, "confirm": {"yes"}}))
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				statuses[j] = res.StatusCode
			}()
		}
		wg.Wait()
		won := 0
		for _, st := range statuses {
			switch st {
			case http.StatusSeeOther, http.StatusOK:
				won++
			case http.StatusConflict:
			default:
				t.Errorf("round %d: status %d", i, st)
			}
		}
		evs := s.events(t, key, id)
		final := len(eventsOf(evs, core.EventConsignmentAcceptance)) + len(eventsOf(evs, core.EventConsignmentRejection))
		if won != 1 || final != 1 {
			t.Errorf("round %d: statuses %v, %d final events; want exactly one winner and one event", i, statuses, final)
		}
	}
}
