package web

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

//go:embed static/style.css
var styleCSS []byte

// staticStyle is GET /static/style.css, the stylesheet of every page
// (sender.css adds the sender's): the CSP allows no inline style.
func (s *Server) staticStyle(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return c.Blob(http.StatusOK, "text/css; charset=utf-8", styleCSS)
}
