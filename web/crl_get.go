package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// sealCRL and tsaCRL serve the revocation lists that the seal and embedded
// authority certificates point to: a validator (Acrobat, PDFBox, DSS)
// fetches them when a proof's own DSS copy is not enough.
func (s *Server) sealCRL(c echo.Context) error { return serveCRL(c, s.cfg.SealCRL, "seal") }

func (s *Server) tsaCRL(c echo.Context) error {
	return serveCRL(c, s.cfg.TSACRL, "embedded time-stamping authority")
}

func serveCRL(c echo.Context, crl func() ([]byte, error), who string) error {
	if crl == nil {
		return core.Errorf(core.ENOTFOUND, "no %s CRL is published here", who)
	}
	der, err := crl()
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=3600")
	return c.Blob(http.StatusOK, "application/pkix-crl", der)
}
