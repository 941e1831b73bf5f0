package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// recipientChoice is GET /r/:token/choice: for an identified recipient,
// the two buttons. Showing them changes nothing.
func (s *Server) recipientChoice(c echo.Context) error {
	accepted, err := s.checkSession(c)
	if err != nil {
		return s.recipientFail(c, err)
	}
	if accepted {
		return c.Redirect(http.StatusSeeOther, "/r/"+c.Param("token")+"/letter")
	}
	v, err := s.svc.Letters.ViewLink(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	if v.Stage != core.StageOpen {
		return s.renderState(c, http.StatusOK, v)
	}
	return s.renderLetter(c, http.StatusOK, "recipient_choice", "choice_title", letterPage{View: v})
}
