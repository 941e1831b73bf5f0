package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
)

func TestLogin(t *testing.T) {
	s := appSite(t)
	s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	s.svc.Accounts.AddUser(t.Context(), "nopass@acme.example", "No Password", "ACME", core.RoleSender)

	b := s.browser(t)
	x := want(t, "unauthenticated page", b.get("/app/letters?status=accepted"), http.StatusSeeOther)
	if loc := x.header.Get("Location"); loc != "/login?next="+url.QueryEscape("/app/letters?status=accepted") {
		t.Fatalf("redirects to %q", loc)
	}
	form := want(t, "login form", b.get(x.header.Get("Location")), http.StatusOK)
	for _, id := range []string{`id="login-email"`, `id="login-password"`, `id="login-submit"`} {
		if !strings.Contains(form.body, id) {
			t.Errorf("login form has no %s", id)
		}
	}

	var bodies []string
	for _, c := range []struct{ email, pw string }{
		{"alice@acme.example", "not the password"},
		{"nobody@acme.example", password},
		{"nopass@acme.example", password},
	} {
		x := want(t, "login "+c.email, b.tryLogin(c.email, c.pw), http.StatusUnauthorized)
		if !strings.Contains(x.body, "Adresse e-mail ou mot de passe incorrect.") || strings.Contains(x.body, c.pw) {
			t.Errorf("failed login page: %s", x)
		}
		bodies = append(bodies, strings.Replace(x.body, c.email, "EMAIL", 1))
	}
	for i, body := range bodies[1:] {
		if body != bodies[0] {
			t.Errorf("failed login %d answers differently from the first: unknown users and wrong passwords must look the same", i+1)
		}
	}
	if b.cookie("lre_session") != nil {
		t.Fatal("a failed login set a session cookie")
	}

	x = b.post("/login", url.Values{"email": {"Alice@ACME.example"}, "password": {password}, "next": {"/app/letters?status=accepted"}})
	if want(t, "login", x, http.StatusSeeOther).header.Get("Location") != "/app/letters?status=accepted" {
		t.Errorf("login goes to %q, want back to the page asked for", x.header.Get("Location"))
	}
	x = want(t, "letters", b.get("/app/letters"), http.StatusOK)
	if !strings.Contains(x.body, `id="logout"`) || !strings.Contains(x.body, "Test alice") {
		t.Errorf("letters page of a logged-in sender: %s", x)
	}

	for _, next := range []string{"https://evil.example/app/", "//evil.example/app/x", "/r/token", "/app\\..\\x"} {
		b2 := s.browser(t)
		want(t, "form", b2.get("/login"), http.StatusOK)
		x := want(t, "login", b2.post("/login", url.Values{"email": {"alice@acme.example"}, "password": {password}, "next": {next}}), http.StatusSeeOther)
		if loc := x.header.Get("Location"); loc != "/app/letters" {
			t.Errorf("next=%q redirects to %q", next, loc)
		}
	}
}

func TestLoginThrottled(t *testing.T) {
	s := appSite(t)
	s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	b := s.browser(t)
	for i := 0; i < 5; i++ {
		want(t, "wrong password", b.tryLogin("alice@acme.example", "wrong password"), http.StatusUnauthorized)
	}
	x := want(t, "6th attempt, right password", b.tryLogin("alice@acme.example", password), http.StatusTooManyRequests)
	if x.header.Get("Retry-After") != "30" || !strings.Contains(x.body, "Réessayez dans 30 secondes") {
		t.Errorf("throttled login: Retry-After %q\n%s", x.header.Get("Retry-After"), x.body)
	}
	// Unknown accounts are throttled alike, so throttling says nothing.
	for i := 0; i < 5; i++ {
		want(t, "unknown account", b.tryLogin("ghost@acme.example", "whatever"), http.StatusUnauthorized)
	}
	want(t, "unknown account, 6th", b.tryLogin("ghost@acme.example", "whatever"), http.StatusTooManyRequests)

	s.clock.Add(30 * time.Second)
	b.login("alice@acme.example")
}

func TestSessionTimeouts(t *testing.T) {
	s := appSite(t)
	s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	loggedIn := func(b *browser) bool {
		x := b.get("/app/letters")
		return x.status == http.StatusOK
	}

	idle := s.browser(t)
	idle.login("alice@acme.example")
	s.clock.Add(29 * time.Minute)
	if !loggedIn(idle) {
		t.Fatal("logged out after 29 idle minutes")
	}
	s.clock.Add(29 * time.Minute)
	if !loggedIn(idle) {
		t.Fatal("logged out although the session was used 29 minutes ago")
	}
	s.clock.Add(30 * time.Minute)
	if loggedIn(idle) {
		t.Fatal("still logged in after 30 idle minutes")
	}

	busy := s.browser(t)
	busy.login("alice@acme.example")
	for elapsed := 25 * time.Minute; elapsed < 12*time.Hour; elapsed += 25 * time.Minute {
		s.clock.Add(25 * time.Minute)
		if !loggedIn(busy) {
			t.Fatalf("busy session ended after %s", elapsed)
		}
	}
	s.clock.Add(25 * time.Minute)
	if loggedIn(busy) {
		t.Fatal("still logged in after 12 hours")
	}
}

func TestLogoutEndsTheSessionOnTheServer(t *testing.T) {
	s := appSite(t)
	s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	b := s.browser(t)
	b.login("alice@acme.example")
	stolen := *b.cookie("lre_session")
	want(t, "letters", b.get("/app/letters"), http.StatusOK)
	x := want(t, "logout", b.post("/logout", nil), http.StatusSeeOther)
	if x.header.Get("Location") != "/login" || b.cookie("lre_session") != nil {
		t.Fatalf("logout: %s, cookie %v", x, b.cookie("lre_session"))
	}
	// A copy of the cookie taken before logging out is worthless.
	req, _ := http.NewRequest(http.MethodGet, s.url+"/app/letters", nil)
	req.AddCookie(&stolen)
	if x := do(t, b.c, req); x.status != http.StatusSeeOther {
		t.Errorf("old session cookie after logout: %s", x)
	}
}

func TestSessionCookie(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   []siteOption
		cookie string
		secure bool
	}{
		{"http", nil, "lre_session", false},
		{"https", []siteOption{withTLS()}, "__Host-lre_session", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := appSite(t, tc.opts...)
			s.account(t, "alice@acme.example", "ACME", core.RoleSender)
			b := s.browser(t)
			x := b.tryLogin("alice@acme.example", password)
			res := http.Response{Header: x.header}
			var c *http.Cookie
			for _, ck := range res.Cookies() {
				if ck.Name == tc.cookie {
					c = ck
				}
			}
			if c == nil {
				t.Fatalf("no %s cookie in %v", tc.cookie, x.header["Set-Cookie"])
			}
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure != tc.secure || c.Domain != "" {
				t.Errorf("cookie %s: HttpOnly %v SameSite %v Path %q Secure %v Domain %q", c.Name, c.HttpOnly, c.SameSite, c.Path, c.Secure, c.Domain)
			}
			if len(c.Value) < 4+43 || !strings.HasPrefix(c.Value, "lrs_") {
				t.Errorf("session id %q: want 256 random bits", c.Value)
			}
		})
	}
}

func TestCSRFOnAccountForms(t *testing.T) {
	s := appSite(t)
	s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	b := s.browser(t)
	b.login("alice@acme.example")
	draft := draftOf(t, want(t, "preview", b.preview(composeFields(), ""), http.StatusOK))

	for _, tc := range []struct {
		name string
		path string
		form url.Values
	}{
		{"login", "/login", url.Values{"email": {"alice@acme.example"}, "password": {password}}},
		{"logout", "/logout", url.Values{}},
		{"send", "/app/letters", url.Values{"draft": {draft}}},
	} {
		for _, attack := range []struct{ name, token, site string }{
			{"no token", "", ""}, {"wrong token", "forged-forged-forged-forged-forged", ""}, {"cross-site", "keep", "cross-site"},
		} {
			t.Run(tc.name+"/"+attack.name, func(t *testing.T) {
				form := url.Values{}
				for k, v := range tc.form {
					form[k] = v
				}
				switch attack.token {
				case "keep":
					form.Set("_csrf", b.csrf)
				case "":
				default:
					form.Set("_csrf", attack.token)
				}
				req := formRequest(s.url+tc.path, form)
				if attack.site != "" {
					req.Header.Set("Sec-Fetch-Site", attack.site)
				}
				want(t, tc.name, do(t, b.c, req), http.StatusForbidden)
			})
		}
	}
	for _, attack := range []struct{ name, token, site string }{
		{"no token", "-", ""}, {"wrong token", "forged-forged-forged-forged-forged", ""}, {"cross-site", "", "cross-site"},
	} {
		t.Run("preview/"+attack.name, func(t *testing.T) {
			want(t, "form", b.get("/app/letters/new"), http.StatusOK)
			tok := attack.token
			if tok == "" {
				tok = b.csrf
			}
			body, ctype := composeBody(t, tok, composeFields(), upload{"contrat.pdf", "application/pdf", []byte("%PDF-1.7 x")})
			req, _ := http.NewRequest(http.MethodPost, s.url+"/app/letters/preview", strings.NewReader(string(body)))
			req.Header.Set("Content-Type", ctype)
			if attack.site != "" {
				req.Header.Set("Sec-Fetch-Site", attack.site)
			}
			want(t, "preview", do(t, b.c, req), http.StatusForbidden)
		})
	}
	// A browser's same-origin request needs no token.
	body, ctype := composeBody(t, "-", composeFields())
	req, _ := http.NewRequest(http.MethodPost, s.url+"/app/letters/preview", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	want(t, "same-origin preview", do(t, b.c, req), http.StatusSeeOther)
	if n := s.logRecords(t); n != 0 {
		t.Errorf("forged forms logged %d events", n)
	}
}
