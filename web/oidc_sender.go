package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// senderSignIn is POST /login/oidc: a sender or auditor logs in through
// the identity provider instead of a password.
func (s *Server) senderSignIn(c echo.Context) error {
	if s.oidc == nil {
		return echo.ErrNotFound
	}
	si := newSignIn(purposeSender, s.cfg.Now())
	si.Next = localNext(c.Request().PostFormValue("next"))
	return s.redirectToProvider(c, si)
}

// senderSignedIn opens the session of the account whose verified address
// the provider returned, ending the one the browser had (no fixation).
func (s *Server) senderSignedIn(c echo.Context, si signIn, ident core.ProvidedIdentity, err error) error {
	ctx := c.Request().Context()
	var token string
	if err == nil {
		_, token, err = s.svc.Accounts.LoginWithProvider(ctx, ident)
	}
	switch core.ErrorCode(err) {
	case core.EUNAUTHORIZED, core.EFORBIDDEN:
		s.log.Info("sender sign-in through the identity provider refused", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "code", core.ErrorCode(err))
		return s.renderLogin(c, http.StatusUnauthorized, loginView{Next: si.Next, Error: "oidc_sender_refused", Detail: s.localError(err, s.uiLang(c))})
	}
	if err != nil {
		return err
	}
	if err := s.svc.Accounts.Logout(ctx, s.sessionToken(c)); err != nil {
		return err
	}
	s.setSession(c, token)
	return c.Redirect(http.StatusSeeOther, si.Next)
}
