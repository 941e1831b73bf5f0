package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// recipientCode is POST /r/:token/code: email a one-time code, then show
// the form to enter it.
func (s *Server) recipientCode(c echo.Context) error {
	token := c.Param("token")
	if err := s.svc.Letters.RequestCode(c.Request().Context(), token, accessOf(c)); err != nil {
		return s.recipientFail(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/r/"+token+"/identify")
}
