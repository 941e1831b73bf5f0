package core

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// RunEvery runs job now, then every interval and whenever wake receives
// (nil: never), until ctx ends. A failed run is logged and retried at the
// next tick: background jobs keep their work durable, so nothing is lost
// by waiting.
func RunEvery(ctx context.Context, log *slog.Logger, interval time.Duration, wake <-chan struct{}, name string, job func(context.Context) (int, error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := job(ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Warn("background job failed; will retry", "job", name, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
	}
}
