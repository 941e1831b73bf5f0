package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// noticeBundle is GET /api/v1/notices/:id/evidence.zip[?consistency_from=N]:
// the letter's evidence bundle, for `lre verify` or by hand.
func (s *Server) noticeBundle(c echo.Context) error {
	from, err := uintParam(c.QueryParam("consistency_from"), "consistency_from", false)
	if err != nil {
		return err
	}
	b, err := s.svc.Evidence.EvidenceBundle(c.Request().Context(), userOf(c), c.Param("id"), from)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+c.Param("id")+`-evidence.zip"`)
	return c.Blob(http.StatusOK, "application/zip", b)
}
