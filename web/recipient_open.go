package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// recipientOpen is GET /r/:token, the link of the notification email. It
// records NotificationAccessTracking and changes nothing else, because
// mail scanners fetch every link they see.
func (s *Server) recipientOpen(c echo.Context) error {
	v, err := s.svc.Letters.OpenLink(c.Request().Context(), c.Param("token"), accessOf(c))
	if err != nil {
		return err
	}
	if v.Stage != core.StageOpen {
		return s.renderState(c, http.StatusOK, v)
	}
	return s.renderLetter(c, http.StatusOK, "recipient_open", "open_title", letterPage{View: v})
}
