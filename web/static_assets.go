package web

import (
	"embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// The pages' only stylesheets and script, served from the binary: the CSP
// (style-src and script-src 'self') allows these and nothing inline.
// style.css styles every page, sender.css adds the sender's wider tables
// and forms, compose.js checks chosen files in the browser before an upload
// (the compose and batch forms).
//
//go:embed static/style.css static/sender.css static/compose.js
var staticFiles embed.FS

// staticAsset is GET /static/<name>: one embedded file, cached for a day.
func staticAsset(name, contentType string) echo.HandlerFunc {
	body, err := staticFiles.ReadFile("static/" + name)
	if err != nil {
		panic("web: no embedded static/" + name) // a route naming a file the build does not embed
	}
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "public, max-age=86400")
		return c.Blob(http.StatusOK, contentType, body)
	}
}
