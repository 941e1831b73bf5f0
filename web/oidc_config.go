package web

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"net/url"
	"strings"

	"github.com/lre-project/lre/core"
)

// IdentityProvider is the OpenID Connect relying party (package oidc): the
// URL to send a browser to, and the checked identity behind the code the
// provider sends back.
type IdentityProvider interface {
	AuthURL(ctx context.Context, state, nonce, verifier string) (string, error)
	Exchange(ctx context.Context, code, verifier, nonce string) (core.ProvidedIdentity, error)
	Issuer() string
}

// IdentityConfig offers sign-in through an identity provider beside the
// email code (recipients) and the password (senders). A nil Provider
// offers neither.
type IdentityConfig struct {
	Provider IdentityProvider
	Name     string // shown on the button: "FranceConnect+"
	ACR      string // the acr_values requested, to say what level the provider reaches
}

// oidcPages holds what the sign-in pages need besides the server: the key
// that seals the in-flight request cookie, made at start-up and never
// stored (a restart only makes sign-ins in progress start again).
type oidcPages struct {
	cfg   IdentityConfig
	aead  cipher.AEAD
	level string // what the requested acr reaches, per the service's map
	form  string // the provider's origin, allowed as a form target by the CSP
}

func newOIDCPages(svc *core.Service, cfg IdentityConfig) *oidcPages {
	if cfg.Provider == nil {
		return nil
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic("web: no randomness for the sign-in cookie key: " + err.Error())
	}
	block, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCM(block)
	o := &oidcPages{cfg: cfg, aead: aead}
	if acr := strings.Fields(cfg.ACR); len(acr) > 0 {
		o.level = svc.LevelOfACR(acr[0])
	}
	if u, err := url.Parse(cfg.Provider.Issuer()); err == nil {
		o.form = u.Scheme + "://" + u.Host
	}
	return o
}
