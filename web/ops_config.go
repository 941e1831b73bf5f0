package web

import (
	"context"
	"io"
	"net/http"
	"time"
)

// Ops holds the operations hooks of the server; cmd fills them, and a zero
// value turns each one off (the routes stay, answering 404 or 503).
type Ops struct {
	// Metrics receives request and deposit observations and serves
	// /metrics; nil disables both.
	Metrics Metrics
	// Ready lists what /readyz checks.
	Ready []ReadyCheck
	// Backup streams a consistent copy of the store as a tar, calling size
	// with its length before writing (storage.DB.Backup).
	Backup func(w io.Writer, size func(int64)) (int64, error)
}

// Metrics is what the server reports to and serves from (metrics).
type Metrics interface {
	ObserveHTTP(method, route string, status int, d time.Duration)
	ObserveDeposit(result string)
	Handler() http.Handler
}

// ReadyCheck is one named readiness check; Check returns nil when ready.
type ReadyCheck struct {
	Name  string
	Check func(ctx context.Context) error
}
