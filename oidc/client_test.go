package oidc_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/oidctest"
	"github.com/lre-project/lre/oidc"
)

var bob = oidctest.User{Login: "bob", Subject: "sub-bob-1", GivenName: "Bob Jean", FamilyName: "Durand", Birthdate: "1980-04-02", Email: "Bob@Example.com", EmailVerified: true, ACR: "eidas2"}

func noRedirect() *http.Client {
	return &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func newClient(t *testing.T, p *oidctest.Provider, clientID string) *oidc.Client {
	t.Helper()
	c, err := oidc.New(oidc.Config{Issuer: p.Issuer, ClientID: clientID, ClientSecret: p.ClientSecret, RedirectURL: "http://127.0.0.1:1/oidc/callback", ACRValues: "eidas2"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// flow runs one sign-in: AuthURL, the provider's login page, then Exchange
// with the code the provider sent back.
func flow(t *testing.T, c *oidc.Client, login, nonceSent, nonceKept string) (core.ProvidedIdentity, string, error) {
	t.Helper()
	ctx := context.Background()
	verifier := "v-" + time.Now().Format("150405.000000000") + "-0123456789abcdefghijklmnopqrstuvwxyz"
	auth, err := c.AuthURL(ctx, "state-1", nonceSent, verifier)
	if err != nil {
		t.Fatalf("AuthURL: %v", err)
	}
	q := mustQuery(t, auth)
	if q.Get("code_challenge_method") != "S256" || q.Get("acr_values") != "eidas2" || q.Get("nonce") != nonceSent || q.Get("state") != "state-1" {
		t.Fatalf("authorization request lacks PKCE, acr, nonce or state: %s", auth)
	}
	back, err := oidctest.SignIn(noRedirect(), auth, login)
	if err != nil {
		t.Fatal(err)
	}
	code := mustQuery(t, back).Get("code")
	id, err := c.Exchange(ctx, code, verifier, nonceKept)
	return id, code, err
}

func mustQuery(t *testing.T, s string) url.Values {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func reason(err error) string {
	var r *core.IdentityRefusal
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}

func TestExchangeVerifiesTheIDToken(t *testing.T) {
	for _, alg := range []string{oidctest.RS256, oidctest.ES256} {
		t.Run(alg, func(t *testing.T) {
			p := oidctest.Start(t, alg, bob)
			id, _, err := flow(t, newClient(t, p, p.ClientID), "bob", "n-1", "n-1")
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			want := core.ProvidedIdentity{Issuer: p.Issuer, Subject: "sub-bob-1", ACR: "eidas2", GivenName: "Bob Jean", FamilyName: "Durand", Birthdate: "1980-04-02", Email: "bob@example.com", EmailVerified: true}
			if id != want {
				t.Errorf("identity = %+v, want %+v", id, want)
			}
		})
	}
}

func TestExchangeReadsUserInfo(t *testing.T) {
	p := oidctest.Start(t, oidctest.ES256, bob)
	p.Set(oidctest.Knobs{ClaimsInUserInfo: true})
	id, _, err := flow(t, newClient(t, p, p.ClientID), "bob", "n-1", "n-1")
	if err != nil || id.FamilyName != "Durand" || id.GivenName != "Bob Jean" || id.ACR != "eidas2" {
		t.Fatalf("identity through userinfo = %+v, %v", id, err)
	}
}

func TestExchangeReadsSignedUserInfo(t *testing.T) {
	p := oidctest.Start(t, oidctest.RS256, bob)
	p.Set(oidctest.Knobs{ClaimsInUserInfo: true, UserInfoJWT: true})
	id, _, err := flow(t, newClient(t, p, p.ClientID), "bob", "n-1", "n-1")
	if err != nil || id.FamilyName != "Durand" || id.Birthdate != "1980-04-02" || id.ACR != "eidas2" {
		t.Fatalf("identity through a signed userinfo = %+v, %v", id, err)
	}
}

func TestExchangeRefuses(t *testing.T) {
	for _, tt := range []struct {
		name     string
		knobs    oidctest.Knobs
		clientID string // "" = the registered one
		nonce    string // what the relying party kept; "" = what it sent
		want     string
	}{
		{"wrong signature", oidctest.Knobs{ForeignKey: true}, "", "", core.ReasonTokenSignature},
		{"wrong issuer", oidctest.Knobs{Mutate: func(c map[string]any) { c["iss"] = "https://evil.example" }}, "", "", core.ReasonTokenIssuer},
		{"wrong audience", oidctest.Knobs{Mutate: func(c map[string]any) { c["aud"] = []string{"someone-else"} }}, "", "", core.ReasonTokenAudience},
		{"expired", oidctest.Knobs{Mutate: func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() }}, "", "", core.ReasonTokenExpired},
		{"wrong nonce", oidctest.Knobs{}, "", "n-other", core.ReasonTokenNonce},
		{"nonce replaced by the provider", oidctest.Knobs{Mutate: func(c map[string]any) { c["nonce"] = "n-2" }}, "", "", core.ReasonTokenNonce},
		{"unregistered client", oidctest.Knobs{}, "not-registered", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := oidctest.Start(t, oidctest.RS256, bob)
			p.Set(tt.knobs)
			c := newClient(t, p, p.ClientID)
			kept := tt.nonce
			if kept == "" {
				kept = "n-1"
			}
			if tt.clientID != "" {
				c = newClient(t, p, tt.clientID)
				if _, err := c.AuthURL(context.Background(), "s", "n", "verifier-0123456789012345678901234567890123"); err != nil {
					t.Fatal(err)
				}
				if _, err := c.Exchange(context.Background(), "any", "verifier-0123456789012345678901234567890123", "n"); reason(err) != core.ReasonCodeRefused || core.ErrorCode(err) != core.EUNAUTHORIZED {
					t.Fatalf("unregistered client: %v", err)
				}
				return
			}
			id, _, err := flow(t, c, "bob", "n-1", kept)
			if reason(err) != tt.want || core.ErrorCode(err) != core.EUNAUTHORIZED {
				t.Fatalf("Exchange = %+v, %v; want refusal %s", id, err, tt.want)
			}
		})
	}
}

func TestExchangeRefusesAReplayedCode(t *testing.T) {
	p := oidctest.Start(t, oidctest.ES256, bob)
	c := newClient(t, p, p.ClientID)
	verifier := "verifier-0123456789012345678901234567890123"
	auth, err := c.AuthURL(context.Background(), "s", "n", verifier)
	if err != nil {
		t.Fatal(err)
	}
	back, err := oidctest.SignIn(noRedirect(), auth, "bob")
	if err != nil {
		t.Fatal(err)
	}
	code := mustQuery(t, back).Get("code")
	if _, err := c.Exchange(context.Background(), code, "wrong-verifier-012345678901234567890123456789", "n"); reason(err) != core.ReasonCodeRefused {
		t.Fatalf("wrong PKCE verifier: %v", err)
	}
	if _, err := c.Exchange(context.Background(), code, verifier, "n"); reason(err) != core.ReasonCodeRefused {
		t.Fatalf("code redeemed again after a refusal: %v", err)
	}
	if issued, refused := p.Counts(); issued != 0 || refused != 2 {
		t.Errorf("provider issued %d tokens and refused %d requests, want 0 and 2", issued, refused)
	}
}

func TestNewRefusesPlainHTTP(t *testing.T) {
	if _, err := oidc.New(oidc.Config{Issuer: "http://idp.example", ClientID: "x", RedirectURL: "https://lre.example/oidc/callback"}); err == nil {
		t.Error("an http issuer off loopback was accepted")
	}
}
