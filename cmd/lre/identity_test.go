package main

import (
	"io"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
)

// TestIdentityFlags: the identity provider's flags are read with the
// serve flags, the secret from the environment, and bad combinations are
// refused with the flag's name.
func TestIdentityFlags(t *testing.T) {
	t.Setenv("LRE_OIDC_CLIENT_SECRET", "from-the-environment")
	c, err := parseServe([]string{"--oidc-issuer", "https://idp.example/api/v2", "--oidc-client-id", "lre", "--oidc-acr", "eidas3",
		"--oidc-acr-levels", "eidas2=substantial,eidas3=high", "--consumer-assurance", "substantial"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.identity.clientSecret != "from-the-environment" || c.identity.policy().ConsumerDefault != core.AssuranceSubstantial || c.identity.policy().LevelOf("eidas3") != core.AssuranceHigh || c.identity.policy().LevelOf("eidas1") != "" {
		t.Errorf("identity config %+v", c.identity)
	}
	w, err := c.identity.web(c.baseURL)
	if err != nil || w.Provider == nil || w.Name != "idp.example/api/v2" || w.Provider.Issuer() != "https://idp.example/api/v2" {
		t.Errorf("web identity %+v, %v", w, err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--oidc-issuer", "https://idp.example"}, "--oidc-client-id"},
		{[]string{"--oidc-client-id", "lre"}, "--oidc-issuer"},
		{[]string{"--oidc-acr-levels", "eidas2=medium"}, "--oidc-acr-levels"},
		{[]string{"--consumer-assurance", "maximal"}, "--consumer-assurance"},
	} {
		t.Setenv("LRE_OIDC_CLIENT_SECRET", "")
		if _, err := parseServe(tt.args, io.Discard); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseServe(%v) = %v, want an error naming %s", tt.args, err, tt.want)
		}
	}
	if _, err := parseServe(nil, io.Discard); err != nil {
		t.Errorf("no provider configured: %v", err)
	}
}
