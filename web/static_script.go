package web

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

//go:embed static/compose.js
var composeJS []byte

// composeScript is GET /static/compose.js, the pages' only script: it
// checks chosen files in the browser before an upload (the compose and
// batch forms). The CSP's script-src 'self' allows it and nothing inline.
func (s *Server) composeScript(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return c.Blob(http.StatusOK, "text/javascript; charset=utf-8", composeJS)
}
