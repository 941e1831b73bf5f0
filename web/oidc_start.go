package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// recipientSignIn is POST /r/:token/oidc: start a sign-in at the identity
// provider for this letter. It records nothing; the sealed cookie carries
// the request (state, nonce, PKCE verifier) to the callback.
func (s *Server) recipientSignIn(c echo.Context) error {
	if s.oidc == nil {
		return echo.ErrNotFound
	}
	token := c.Param("token")
	v, err := s.svc.Letters.ViewLink(c.Request().Context(), token)
	if err != nil {
		return err
	}
	if v.Stage != core.StageOpen && v.Stage != core.StageAccepted {
		return s.renderState(c, http.StatusConflict, v)
	}
	answer, err := formValue(c, "knowledge_answer", 400)
	if err != nil {
		return err
	}
	si := newSignIn(purposeRecipient, s.cfg.Now())
	si.Token, si.Answer = token, answer
	return s.redirectToProvider(c, si)
}

func (s *Server) redirectToProvider(c echo.Context, si signIn) error {
	auth, err := s.oidc.cfg.Provider.AuthURL(c.Request().Context(), si.State, si.Nonce, si.Verifier)
	if err != nil {
		return err
	}
	if err := s.setSignIn(c, si); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, auth)
}
