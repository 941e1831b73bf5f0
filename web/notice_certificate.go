package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// noticeCertificate is GET /api/v1/notices/:id/certificates/:file where file
// is <kind>.pdf.
func (s *Server) noticeCertificate(c echo.Context) error {
	kind, ok := strings.CutSuffix(c.Param("file"), ".pdf")
	if !ok {
		return core.Errorf(core.ENOTFOUND, "certificates are served as <kind>.pdf")
	}
	pdf, err := s.svc.Evidence.CertificatePDF(c.Request().Context(), userOf(c), c.Param("id"), core.CertificateKind(kind))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+c.Param("id")+"-"+kind+`.pdf"`)
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}
