package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/lre-project/lre/internal/oidctest"
)

// FuzzSignInCallback: whatever cookie and query reach the callback, it
// answers without crashing, and nothing but a cookie this server sealed
// gets past the first check (400 for everything else).
func FuzzSignInCallback(f *testing.F) {
	p := oidctest.Start(f, oidctest.ES256, bobMartin)
	s := newSite(f, withProvider(p))
	f.Add("AAAA", "state", "code")
	f.Add("", "", "")
	f.Add("eyJwIjoiciJ9", "x", "y")
	f.Fuzz(func(t *testing.T, cookie, state, code string) {
		req, err := http.NewRequest(http.MethodGet, s.url+"/oidc/callback?"+url.Values{"state": {state}, "code": {code}}.Encode(), nil)
		if err != nil {
			t.Skip()
		}
		if c := (&http.Cookie{Name: "lre_signin", Value: cookie}); c.Valid() == nil {
			req.AddCookie(c)
		}
		x := do(t, s.srv.Client(), req)
		if x.status != http.StatusBadRequest && x.status != http.StatusTooManyRequests {
			t.Fatalf("callback with cookie %q answered %d", cookie, x.status)
		}
	})
}
