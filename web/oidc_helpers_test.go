package web_test

import (
	"crypto/rand"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/internal/oidctest"
	"github.com/lre-project/lre/oidc"
	"github.com/lre-project/lre/rfc3161"
	"github.com/lre-project/lre/web"
)

// pendingProvider stands for the relying party until the site knows its
// own URL, which the callback registered at the provider must name.
type pendingProvider struct {
	web.IdentityProvider
	p *oidctest.Provider
}

// withProvider offers sign-in through the test provider p.
func withProvider(p *oidctest.Provider) siteOption {
	return func(c *web.Config) {
		c.Identity = web.IdentityConfig{Provider: pendingProvider{p: p}, Name: "IdP Test+", ACR: "eidas2"}
	}
}

// bindIdentity replaces a pendingProvider with the real relying party
// (package oidc) now that cfg.BaseURL is final.
func bindIdentity(t testing.TB, cfg *web.Config) {
	t.Helper()
	pp, ok := cfg.Identity.Provider.(pendingProvider)
	if !ok {
		return
	}
	rp, err := oidc.New(oidc.Config{Issuer: pp.p.Issuer, ClientID: pp.p.ClientID, ClientSecret: pp.p.ClientSecret, RedirectURL: cfg.BaseURL + "/oidc/callback", ACRValues: cfg.Identity.ACR})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Identity.Provider = rp
}

// withReceipts renders and seals certificates, so that receipts can be
// downloaded.
func withReceipts(t testing.TB) services.Option {
	t.Helper()
	dir := t.TempDir()
	a, err := rfc3161.LoadOrCreateAuthority(filepath.Join(dir, "tsa"), "lre receipts", time.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	seal, err := certs.LoadOrCreateSeal(filepath.Join(dir, "seal"), "lre test", time.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return services.WithEvidence(evidence.WithRenderer(certs.NewRenderer(seal, rfc3161.NewLocal(a))))
}

// signIn goes from the letter's landing page to the provider's callback:
// it presses #oidc-login, signs in at the provider as login, and returns
// the callback URL the provider sent the browser to (not yet followed).
func (b *browser) signIn(token, login string) string {
	b.t.Helper()
	return b.signInWith(token, login, nil)
}

// signInWith is signIn with more fields on the start form (the answer to
// the sender's question).
func (b *browser) signInWith(token, login string, form url.Values) string {
	b.t.Helper()
	x := want(b.t, "start sign-in", b.post("/r/"+token+"/oidc", form), http.StatusSeeOther)
	back, err := oidctest.SignIn(b.c, x.header.Get("Location"), login)
	if err != nil {
		b.t.Fatalf("provider sign-in: %v", err)
	}
	if !strings.HasPrefix(back, b.site.url+"/oidc/callback?") {
		b.t.Fatalf("the provider sends the browser to %q", back)
	}
	return back
}

// signInCookie returns the sealed sign-in cookie the browser holds.
func (b *browser) signInCookie() *http.Cookie {
	u, _ := url.Parse(b.site.url)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "lre_signin" {
			return c
		}
	}
	return nil
}

func tokenOf(s *site, link string) string { return strings.TrimPrefix(link, s.url+"/r/") }

// bobMartin is the recipient of letterFields, as the provider knows him.
var bobMartin = oidctest.User{Login: "bob", Subject: "pairwise-7f3a", GivenName: "Bob Édouard", FamilyName: "MARTIN", Birthdate: "1981-06-14", Email: "bob@example.net", EmailVerified: true, ACR: "eidas2"}
