package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// passwordView is the Data of the set-password page, reached from the link
// an admin hands to a new user.
type passwordView struct {
	Email  string
	Done   bool
	Error  string // catalogue key
	Field  string // the input at fault
	Detail string
}

// passwordForm is GET /account/password/:token.
func (s *Server) passwordForm(c echo.Context) error {
	u, err := s.svc.Accounts.PasswordTokenUser(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	return s.renderPassword(c, http.StatusOK, passwordView{Email: u.Email})
}

func (s *Server) renderPassword(c echo.Context, status int, v passwordView) error {
	return s.render(c, status, "account_password", s.page(c, s.uiLang(c), "acct_password_title", v))
}

// passwordSet is POST /account/password/:token: the link works once.
func (s *Server) passwordSet(c echo.Context) error {
	ctx, token := c.Request().Context(), c.Param("token")
	u, err := s.svc.Accounts.PasswordTokenUser(ctx, token)
	if err != nil {
		return err
	}
	pw, err := rawFormValue(c, "password", 1024)
	if err != nil {
		return err
	}
	v := passwordView{Email: u.Email}
	if confirm, _ := rawFormValue(c, "password_confirm", 1024); confirm != pw {
		v.Error, v.Field = "acct_err_mismatch", "password_confirm"
		return s.renderPassword(c, http.StatusUnprocessableEntity, v)
	}
	if _, err := s.svc.Accounts.SetPasswordWithToken(ctx, token, pw); err != nil {
		if core.ErrorCode(err) != core.EINVALID {
			return err
		}
		v.Error, v.Field, v.Detail = "acct_err_password", "password", s.localError(err, s.uiLang(c))
		return s.renderPassword(c, http.StatusUnprocessableEntity, v)
	}
	v.Done = true
	return s.renderPassword(c, http.StatusOK, v)
}
