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
	tsa, _ := s.chains()
	return c.Blob(http.StatusOK, "application/x-pem-file", tsa)
}

// sealCerts serves the seal certificate and its root, so that an auditor
// can trust them in pdfsig's NSS database.
func (s *Server) sealCerts(c echo.Context) error {
	_, seal := s.chains()
	if len(seal) == 0 {
		return core.Errorf(core.ENOTFOUND, "no seal certificate is configured")
	}
	return c.Blob(http.StatusOK, "application/x-pem-file", seal)
}

func (s *Server) chains() (tsa, seal []byte) {
	if s.cfg.Chains != nil {
		return s.cfg.Chains()
	}
	return s.cfg.TSAChainPEM, s.cfg.SealChainPEM
}
