package web

import (
	"github.com/labstack/echo/v4"
)

// metrics is GET /metrics, the Prometheus scrape endpoint. Expose it to
// the monitoring network only: it reveals volumes, not content.
func (s *Server) metrics(c echo.Context) error {
	if s.cfg.Ops.Metrics == nil {
		return echo.ErrNotFound
	}
	s.cfg.Ops.Metrics.Handler().ServeHTTP(c.Response(), c.Request())
	return nil
}
