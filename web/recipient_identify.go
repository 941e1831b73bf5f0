package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// recipientIdentify is GET /r/:token/identify: the code form. It records
// no evidence: only the link itself counts as an access.
func (s *Server) recipientIdentify(c echo.Context) error {
	v, err := s.svc.Letters.ViewLink(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	if v.Stage != core.StageOpen && v.Stage != core.StageAccepted {
		return s.renderState(c, http.StatusOK, v)
	}
	return s.renderLetter(c, http.StatusOK, "recipient_identify", "identify_title", letterPage{View: v})
}
