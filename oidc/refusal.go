package oidc

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	gooidc "github.com/coreos/go-oidc/v3/oidc"

	"github.com/lre-project/lre/core"
)

// whyRefused names the check an ID token failed, for the page and the
// evidence. The library checks the signature first, then issuer, audience
// and expiry; it reports expiry with a type of its own, and the others are
// told apart by reading the (untrusted) claims: a token whose issuer and
// audience are right failed on its signature.
func (c *Client) whyRefused(raw string, err error) string {
	var exp *gooidc.TokenExpiredError
	if errors.As(err, &exp) {
		return core.ReasonTokenExpired
	}
	var cl struct {
		Iss string `json:"iss"`
		Aud any    `json:"aud"` // a string or an array of strings
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return core.ReasonTokenSignature
	}
	payload, derr := base64.RawURLEncoding.DecodeString(parts[1])
	if derr != nil || json.Unmarshal(payload, &cl) != nil {
		return core.ReasonTokenSignature
	}
	if cl.Iss != c.cfg.Issuer {
		return core.ReasonTokenIssuer
	}
	if !audienceHas(cl.Aud, c.cfg.ClientID) {
		return core.ReasonTokenAudience
	}
	return core.ReasonTokenSignature
}

func audienceHas(aud any, id string) bool {
	switch a := aud.(type) {
	case string:
		return a == id
	case []any:
		return slices.Contains(a, any(id))
	}
	return false
}
