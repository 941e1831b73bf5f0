package web

import "github.com/lre-project/lre/core"

// means are the ways a recipient may identify for a letter, as the pages
// offer them: the email code when the letter's required level is low, the
// identity provider when one is configured and its level (when known)
// suffices. Required is the letter's level, for the pages to say.
type means struct {
	Required      string
	Code          bool
	Provider      bool
	ProviderName  string
	ProviderLevel string // "" when the configured acr maps to no known level
}

// None reports a letter that no configured means can open.
func (m means) None() bool { return !m.Code && !m.Provider }

func (s *Server) meansFor(v core.LetterView) means {
	m := means{Required: v.RequiredAssurance, Code: core.AssuranceAtLeast(core.AssuranceLow, v.RequiredAssurance)}
	if s.oidc != nil {
		m.ProviderName, m.ProviderLevel = s.oidc.cfg.Name, s.oidc.level
		m.Provider = m.ProviderLevel == "" || core.AssuranceAtLeast(m.ProviderLevel, v.RequiredAssurance)
	}
	return m
}

// formTarget is the provider's origin for the CSP's form-action, with its
// leading space; "" without a provider.
func (o *oidcPages) formTarget() string {
	if o == nil || o.form == "" {
		return ""
	}
	return " " + o.form
}
