package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/oidc"
	"github.com/lre-project/lre/web"
)

// identityConfig is the identification part of `lre serve`: the OpenID
// Connect provider offered to recipients and senders, how its acr values
// map to levels, and the level consumer letters require by default.
type identityConfig struct {
	issuer, clientID, clientSecret string
	acr, name, scopes, acrLevels   string
	consumerLevel                  string
	acrMap                         map[string]string
}

func (c *identityConfig) register(f *flags) {
	f.string(&c.issuer, "oidc-issuer", "LRE_OIDC_ISSUER", "", "OpenID Connect issuer URL (discovery at <issuer>/.well-known/openid-configuration); empty = no identity provider")
	f.string(&c.clientID, "oidc-client-id", "LRE_OIDC_CLIENT_ID", "", "client id registered at the provider")
	f.string(&c.clientSecret, "oidc-client-secret", "LRE_OIDC_CLIENT_SECRET", "", "client secret (prefer the environment variable)")
	f.string(&c.acr, "oidc-acr", "LRE_OIDC_ACR", "eidas2", "acr_values requested, space-separated (FranceConnect+: eidas2 or eidas3)")
	f.string(&c.name, "oidc-name", "LRE_OIDC_NAME", "", "the provider's name shown to recipients and senders (default: the issuer's host)")
	f.string(&c.scopes, "oidc-scopes", "LRE_OIDC_SCOPES", "openid profile email", "scopes requested, space-separated (FranceConnect+: openid given_name family_name birthdate email)")
	f.string(&c.acrLevels, "oidc-acr-levels", "LRE_OIDC_ACR_LEVELS", "", "acr=level pairs, comma-separated (default eidas1=low,eidas2=substantial,eidas3=high)")
	f.string(&c.consumerLevel, "consumer-assurance", "LRE_CONSUMER_ASSURANCE", "low", "level a consumer letter requires when its sender asks for none: low, substantial or high")
}

func (c *identityConfig) validate() error {
	m, err := core.ParseACRLevels(c.acrLevels)
	if err != nil {
		return fmt.Errorf("--oidc-acr-levels: %w", err)
	}
	c.acrMap = m
	if !core.ValidAssurance(c.consumerLevel) {
		return fmt.Errorf("--consumer-assurance must be low, substantial or high, not %q", c.consumerLevel)
	}
	if c.issuer == "" {
		if c.clientID != "" || c.clientSecret != "" {
			return errors.New("--oidc-client-id and --oidc-client-secret need --oidc-issuer")
		}
		return nil
	}
	if c.clientID == "" {
		return errors.New("--oidc-issuer needs --oidc-client-id")
	}
	return nil
}

func (c *identityConfig) policy() core.IdentityPolicy {
	return core.IdentityPolicy{ACRLevels: c.acrMap, ConsumerDefault: c.consumerLevel}
}

// web builds the relying party; the zero IdentityConfig when none is set.
func (c *identityConfig) web(baseURL string) (web.IdentityConfig, error) {
	if c.issuer == "" {
		return web.IdentityConfig{}, nil
	}
	rp, err := oidc.New(oidc.Config{
		Issuer: c.issuer, ClientID: c.clientID, ClientSecret: c.clientSecret, RedirectURL: baseURL + "/oidc/callback",
		ACRValues: c.acr, Scopes: strings.Fields(c.scopes),
	})
	if err != nil {
		return web.IdentityConfig{}, err
	}
	name := c.name
	if name == "" {
		name = strings.TrimPrefix(strings.TrimPrefix(c.issuer, "https://"), "http://")
	}
	return web.IdentityConfig{Provider: rp, Name: name, ACR: c.acr}, nil
}
