package web

import (
	_ "embed"
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"
)

// openAPI describes the whole API; a test compares it with the route table
// so that the two cannot drift apart.
//
//go:embed openapi.json
var openAPI []byte

// openapiSpec is GET /api/v1/openapi.json.
func (s *Server) openapiSpec(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPI)
}

// RouteInfo is one registered route: method and echo path (/notices/:id).
type RouteInfo struct {
	Method string
	Path   string
}

// Routes lists the registered routes, sorted by path then method, without
// the catch-all routes echo adds so that group middleware runs on 404s.
func (s *Server) Routes() []RouteInfo {
	var out []RouteInfo
	for _, r := range s.echo.Routes() {
		if r.Method == echo.RouteNotFound {
			continue
		}
		out = append(out, RouteInfo{Method: r.Method, Path: r.Path})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}
