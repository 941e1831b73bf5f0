// Package oidc is the OpenID Connect relying party: it sends people to the
// configured identity provider (authorization code flow with PKCE, state
// and nonce) and turns the provider's answer into a core.ProvidedIdentity
// once the ID token's signature, issuer, audience, expiry and nonce are
// checked. The rules about what that identity may do (level, name match)
// stay in core. Built on github.com/coreos/go-oidc/v3 and
// golang.org/x/oauth2.
package oidc

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/lre-project/lre/core"
)

// Config is the relying party's registration at the provider.
type Config struct {
	Issuer       string // discovery at Issuer + "/.well-known/openid-configuration"
	ClientID     string
	ClientSecret string
	RedirectURL  string   // this service's callback, registered at the provider
	ACRValues    string   // space-separated acr_values requested ("eidas2")
	Scopes       []string // default: openid profile email
	HTTPClient   *http.Client
	Now          func() time.Time
}

// Client talks to one provider. Discovery happens on first use and is
// retried on the next one after a failure, so lre starts while the
// provider is down and recovers without a restart.
type Client struct {
	cfg Config

	mu       sync.Mutex
	provider *gooidc.Provider
	verifier *gooidc.IDTokenVerifier
	oauth    oauth2.Config
}

// New checks cfg; it does not reach the provider yet.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.Issuer)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !loopback(u.Hostname())) {
		return nil, fmt.Errorf("oidc issuer %q: want an https URL (http only on loopback)", cfg.Issuer)
	}
	if cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, errors.New("oidc: a client id and a redirect URL are required")
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{gooidc.ScopeOpenID, "profile", "email"}
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Client{cfg: cfg}, nil
}

func loopback(host string) bool { return host == "127.0.0.1" || host == "::1" || host == "localhost" }

// Issuer is the provider's issuer URL, recorded in the evidence.
func (c *Client) Issuer() string { return c.cfg.Issuer }

func (c *Client) ctx(ctx context.Context) context.Context {
	return oidcContext(ctx, c.cfg.HTTPClient)
}

func oidcContext(ctx context.Context, hc *http.Client) context.Context {
	return context.WithValue(gooidc.ClientContext(ctx, hc), oauth2.HTTPClient, hc)
}

// discover returns the provider's endpoints and verifier, fetching them once.
func (c *Client) discover(ctx context.Context) (*gooidc.Provider, *gooidc.IDTokenVerifier, oauth2.Config, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider != nil {
		return c.provider, c.verifier, c.oauth, nil
	}
	// The provider keeps this context for its key set: it must outlive the request.
	p, err := gooidc.NewProvider(c.ctx(context.WithoutCancel(ctx)), c.cfg.Issuer)
	if err != nil {
		return nil, nil, oauth2.Config{}, unavailable(err)
	}
	c.provider = p
	c.verifier = p.Verifier(&gooidc.Config{ClientID: c.cfg.ClientID, Now: c.cfg.Now})
	ep := p.Endpoint()
	ep.AuthStyle = authStyle(p)
	c.oauth = oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, Endpoint: ep, RedirectURL: c.cfg.RedirectURL, Scopes: c.cfg.Scopes}
	return c.provider, c.verifier, c.oauth, nil
}

// authStyle sends the client secret the way the provider says it takes it
// (client_secret_basic unless it lists only client_secret_post), rather
// than guessing, which costs a refused request per exchange.
func authStyle(p *gooidc.Provider) oauth2.AuthStyle {
	var d struct {
		Methods []string `json:"token_endpoint_auth_methods_supported"`
	}
	if err := p.Claims(&d); err == nil && len(d.Methods) > 0 && !slices.Contains(d.Methods, "client_secret_basic") && slices.Contains(d.Methods, "client_secret_post") {
		return oauth2.AuthStyleInParams
	}
	return oauth2.AuthStyleInHeader
}

// AuthURL is where to send the browser: the provider's authorization
// endpoint with state, nonce, the PKCE S256 challenge of verifier and the
// requested acr_values. Errors: EUNAVAILABLE when discovery fails.
func (c *Client) AuthURL(ctx context.Context, state, nonce, verifier string) (string, error) {
	_, _, oc, err := c.discover(ctx)
	if err != nil {
		return "", err
	}
	opts := []oauth2.AuthCodeOption{gooidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)}
	if c.cfg.ACRValues != "" {
		opts = append(opts, oauth2.SetAuthURLParam("acr_values", c.cfg.ACRValues))
	}
	return oc.AuthCodeURL(state, opts...), nil
}

// Exchange redeems code with the PKCE verifier, verifies the ID token
// (signature against the provider's JWKS, issuer, audience, expiry, then
// nonce in constant time) and reads the person's claims, from the ID token
// or, when it carries no names, from the userinfo endpoint. Errors:
// EUNAUTHORIZED caused by *core.IdentityRefusal naming the check that
// failed; EUNAVAILABLE when the provider cannot be reached.
func (c *Client) Exchange(ctx context.Context, code, verifier, nonce string) (core.ProvidedIdentity, error) {
	p, v, oc, err := c.discover(ctx)
	if err != nil {
		return core.ProvidedIdentity{}, err
	}
	tok, err := oc.Exchange(c.ctx(ctx), code, oauth2.VerifierOption(verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return core.ProvidedIdentity{}, refused(core.ReasonCodeRefused, err)
		}
		return core.ProvidedIdentity{}, unavailable(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return core.ProvidedIdentity{}, refused(core.ReasonProviderError, errors.New("no id_token in the token response"))
	}
	idt, err := v.Verify(ctx, raw)
	if err != nil {
		return core.ProvidedIdentity{}, refused(c.whyRefused(raw, err), err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return core.ProvidedIdentity{}, refused(core.ReasonTokenNonce, errors.New("nonce differs from this browser's request"))
	}
	return c.identity(ctx, p, tok, idt)
}

// claims are the ID token and userinfo members lre reads.
type claims struct {
	ACR           string `json:"acr"`
	GivenName     string `json:"given_name"`
	FamilyName    string `json:"family_name"`
	Birthdate     string `json:"birthdate"`
	Email         string `json:"email"`
	EmailVerified any    `json:"email_verified"` // a boolean, or "true" from some providers
}

func (c *Client) identity(ctx context.Context, p *gooidc.Provider, tok *oauth2.Token, idt *gooidc.IDToken) (core.ProvidedIdentity, error) {
	var cl claims
	if err := idt.Claims(&cl); err != nil {
		return core.ProvidedIdentity{}, refused(core.ReasonProviderError, err)
	}
	if cl.FamilyName == "" && cl.GivenName == "" {
		ui, err := p.UserInfo(c.ctx(ctx), oauth2.StaticTokenSource(tok))
		if err != nil {
			return core.ProvidedIdentity{}, unavailable(err)
		}
		if ui.Subject != idt.Subject { // OpenID Connect Core 5.3.2
			return core.ProvidedIdentity{}, refused(core.ReasonProviderError, errors.New("userinfo subject differs from the ID token's"))
		}
		acr := cl.ACR
		if err := ui.Claims(&cl); err != nil {
			return core.ProvidedIdentity{}, refused(core.ReasonProviderError, err)
		}
		cl.ACR = acr // the level is the ID token's, signed for this sign-in
	}
	return core.ProvidedIdentity{
		Issuer: idt.Issuer, Subject: idt.Subject, ACR: cl.ACR, GivenName: cl.GivenName, FamilyName: cl.FamilyName,
		Birthdate: cl.Birthdate, Email: strings.ToLower(strings.TrimSpace(cl.Email)), EmailVerified: cl.EmailVerified == true || cl.EmailVerified == "true",
	}, nil
}

func refused(reason string, err error) error {
	return &core.Error{Code: core.EUNAUTHORIZED, Message: "the identity provider's answer was refused (" + reason + ")", Err: fmt.Errorf("%w: %v", &core.IdentityRefusal{Reason: reason}, err)}
}

func unavailable(err error) error {
	return &core.Error{Code: core.EUNAVAILABLE, Message: "the identity provider cannot be reached: try again in a few minutes", Err: fmt.Errorf("%w: %v", &core.IdentityRefusal{Reason: core.ReasonProviderError}, err)}
}
