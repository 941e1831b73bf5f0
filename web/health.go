package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) tsaCerts(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/x-pem-file", s.cfg.TSAChainPEM)
}
