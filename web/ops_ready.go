package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// readyTimeout bounds each readiness check.
const readyTimeout = 3 * time.Second

type checkResult struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// readyz is GET /readyz: 200 when every check passes, else 503, with the
// result of each check. Checks run concurrently, each bounded in time.
func (s *Server) readyz(c echo.Context) error {
	checks := s.cfg.Ops.Ready
	results := make(map[string]checkResult, len(checks))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, ch := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(c.Request().Context(), readyTimeout)
			defer cancel()
			r := checkResult{OK: true}
			if err := ch.Check(ctx); err != nil {
				r = checkResult{Error: err.Error()}
			}
			mu.Lock()
			results[ch.Name] = r
			mu.Unlock()
		}()
	}
	wg.Wait()
	status, word := http.StatusOK, "ready"
	for _, r := range results {
		if !r.OK {
			status, word = http.StatusServiceUnavailable, "not_ready"
		}
	}
	return c.JSON(status, map[string]any{"status": word, "checks": results})
}

// QueueAgeCheck fails when the oldest due entry reported by oldest has
// waited more than maxAge by now: the worker that drains the queue is
// stuck or failing. A zero time means the queue is empty.
func QueueAgeCheck(oldest func(context.Context) (time.Time, error), now func() time.Time, maxAge time.Duration) func(context.Context) error {
	return func(ctx context.Context) error {
		t, err := oldest(ctx)
		if err != nil {
			return err
		}
		if age := now().Sub(t); !t.IsZero() && age > maxAge {
			return fmt.Errorf("oldest due entry has waited %s (limit %s)", age.Round(time.Second), maxAge)
		}
		return nil
	}
}

// DialCheck passes when a TCP connection to the host of any of urls opens:
// a cheap reachability test that sends nothing.
func DialCheck(urls []string) func(context.Context) error {
	return func(ctx context.Context) error {
		var errs []error
		for _, raw := range urls {
			u, err := url.Parse(raw)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			port := u.Port()
			if port == "" {
				port = map[string]string{"https": "443"}[u.Scheme]
			}
			if port == "" {
				port = "80"
			}
			var d net.Dialer
			conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(u.Hostname(), port))
			if err == nil {
				return conn.Close()
			}
			errs = append(errs, err)
		}
		if len(errs) == 0 {
			return errors.New("no URL to check")
		}
		return errors.Join(errs...)
	}
}
