package web

import (
	"errors"
	"fmt"
	"github.com/lre-project/lre/core/accounts"
	"math"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// loginView is the Data of the login page.
type loginView struct {
	Email string
	Next  string
	Error string // catalogue key
	Wait  int    // seconds, when throttled
	// Provider names the identity provider offered beside the password;
	// Detail is core's message on a refused sign-in there.
	Provider string
	Detail   string
}

// rawFormValue returns a POSTed field untrimmed (a password's spaces are
// part of it), refusing one longer than limit bytes.
func rawFormValue(c echo.Context, name string, limit int) (string, error) {
	v := c.Request().PostFormValue(name)
	if len(v) > limit {
		return "", core.FieldError(core.EINVALID, name, "%s is longer than %s", name, core.Bytes(limit))
	}
	return v, nil
}

// loginForm is GET /login; a live session goes straight on.
func (s *Server) loginForm(c echo.Context) error {
	next := localNext(c.QueryParam("next"))
	if _, err := s.svc.Accounts.SessionUser(c.Request().Context(), s.sessionToken(c)); err == nil {
		return c.Redirect(http.StatusSeeOther, next)
	}
	return s.renderLogin(c, http.StatusOK, loginView{Next: next})
}

func (s *Server) renderLogin(c echo.Context, status int, v loginView) error {
	if s.oidc != nil {
		v.Provider = s.oidc.cfg.Name
	}
	return s.render(c, status, "account_login", s.page(c, s.uiLang(c), "acct_login_title", v))
}

// loginSubmit is POST /login. Every failure shows the same message, with
// the same delay, whether the account exists or not; repeated failures
// are answered 429 with Retry-After. A success always opens a new session
// (no fixation) and ends the one the browser had.
func (s *Server) loginSubmit(c echo.Context) error {
	email, err := formValue(c, "email", 254)
	if err != nil {
		return err
	}
	password, err := rawFormValue(c, "password", 1024)
	if err != nil {
		return err
	}
	v := loginView{Email: email, Next: localNext(c.Request().PostFormValue("next"))}
	ctx := c.Request().Context()
	_, token, err := s.svc.Accounts.Login(ctx, email, password, c.RealIP())
	var te *accounts.ThrottledError
	switch {
	case errors.As(err, &te):
		v.Error, v.Wait = "acct_err_throttled", int(math.Ceil(te.Wait.Seconds()))
		c.Response().Header().Set("Retry-After", fmt.Sprint(v.Wait))
		return s.renderLogin(c, http.StatusTooManyRequests, v)
	case core.ErrorCode(err) == core.EUNAUTHORIZED:
		v.Error = "acct_err_login"
		return s.renderLogin(c, http.StatusUnauthorized, v)
	case err != nil:
		return err
	}
	if err := s.svc.Accounts.Logout(ctx, s.sessionToken(c)); err != nil {
		return err
	}
	s.setSession(c, token)
	return c.Redirect(http.StatusSeeOther, v.Next)
}

// logout is POST /logout: the session ends on the server, not only in the
// browser.
func (s *Server) logout(c echo.Context) error {
	if err := s.svc.Accounts.Logout(c.Request().Context(), s.sessionToken(c)); err != nil {
		return err
	}
	s.clearSession(c)
	return c.Redirect(http.StatusSeeOther, "/login")
}
