package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) tsaCerts(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/x-pem-file", s.cfg.TSAChainPEM)
}

// sealCerts serves the seal certificate and its root, so that an auditor
// can trust them in pdfsig's NSS database.
func (s *Server) sealCerts(c echo.Context) error {
	if len(s.cfg.SealChainPEM) == 0 {
		return core.Errorf(core.ENOTFOUND, "no seal certificate is configured")
	}
	return c.Blob(http.StatusOK, "application/x-pem-file", s.cfg.SealChainPEM)
}
