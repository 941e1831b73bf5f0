package web

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// observeRequests logs every request (the access log) and feeds the HTTP
// metrics. It runs after RequestID and before Recover, so it sees the
// request id and the status of a recovered panic. The path is logged with
// its secrets redacted (redact.go) and without its query; no header, body or
// credential is logged.
func (s *Server) observeRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		d := time.Since(start)
		req, res := c.Request(), c.Response()
		route := c.Path()
		if route == "" || route == "/*" {
			route = "unmatched"
		}
		level := slog.LevelInfo
		switch {
		case res.Status >= 500:
			level = slog.LevelWarn
		case quietRoutes[route]:
			level = slog.LevelDebug
		}
		s.log.LogAttrs(req.Context(), level, "http request",
			slog.String("request_id", res.Header().Get(echo.HeaderXRequestID)),
			slog.String("method", req.Method),
			slog.String("path", s.redact.path(req.URL.Path)),
			slog.String("route", route),
			slog.Int("status", res.Status),
			slog.Int64("bytes", res.Size),
			slog.Duration("duration", d),
			slog.String("ip", c.RealIP()),
		)
		if m := s.cfg.Ops.Metrics; m != nil {
			m.ObserveHTTP(methodLabel(req.Method), route, res.Status, d)
			if req.Method == http.MethodPost && route == "/api/v1/notices" {
				m.ObserveDeposit(depositResult(res))
			}
		}
		return err
	}
}

// quietRoutes are polled by probes and scrapers: logged at debug level.
var quietRoutes = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// methodLabel keeps the metrics' method label to the methods HTTP defines,
// so that a client cannot create series at will.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

func depositResult(res *echo.Response) string {
	switch {
	case res.Header().Get("Idempotent-Replayed") == "true":
		return "replayed"
	case res.Status == http.StatusCreated:
		return "deposited"
	case res.Status == http.StatusAccepted:
		return "pending_timestamp"
	case res.Status >= 500:
		return "error"
	}
	return "rejected"
}
