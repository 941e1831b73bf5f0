package accounts

import (
	"context"

	"github.com/lre-project/lre/core"
)

// WithIdentityPolicy sets how identity providers' acr values map to
// levels, for sessions opened through a provider.
func WithIdentityPolicy(p core.IdentityPolicy) Option {
	return func(s *Service) { s.identity = p }
}

// LoginWithProvider opens a web session for the user whose address the
// identity provider verified: the account must exist already (an admin
// created it), and the provider must say the address is verified, so the
// link between the two is the address both agree on. The session records
// the method, issuer, subject and level for the evidence of what the user
// then does. Errors: EUNAUTHORIZED (no verified address, no such account),
// EFORBIDDEN caused by *core.IdentityRefusal (acr missing or unknown).
func (s *Service) LoginWithProvider(ctx context.Context, p core.ProvidedIdentity) (core.User, string, error) {
	level := s.identity.LevelOf(p.ACR)
	switch {
	case p.ACR == "":
		return core.User{}, "", core.Refusal(&core.IdentityRefusal{Reason: core.ReasonACRMissing})
	case level == "":
		return core.User{}, "", core.Refusal(&core.IdentityRefusal{Reason: core.ReasonACRUnknown})
	case p.Email == "" || !p.EmailVerified:
		return core.User{}, "", core.Errorf(core.EUNAUTHORIZED, "the identity provider did not give a verified email address: log in with your password")
	}
	u, err := s.store.UserByEmail(ctx, normEmail(p.Email))
	if core.ErrorCode(err) == core.ENOTFOUND {
		return core.User{}, "", core.Errorf(core.EUNAUTHORIZED, "no account uses the address %s: ask your administrator to create one", normEmail(p.Email))
	}
	if err != nil {
		return core.User{}, "", err
	}
	now := s.clock()
	token, err := s.putSession(ctx, Session{UserID: u.ID, CreatedAt: now, LastSeen: now, Method: core.MethodOIDC, Assurance: level, Issuer: p.Issuer, Subject: p.Subject})
	if err != nil {
		return core.User{}, "", err
	}
	return u, token, nil
}
