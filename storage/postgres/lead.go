package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// leaderLock is the session-level advisory lock the leader holds ("lre\x01").
const leaderLock = 0x6c726501

// workChannel is notified by every transaction that queues background work,
// so that the leader wakes at once instead of at its next tick.
const workChannel = "lre_work"

// wakeBuckets are the queues whose writes concern the leader.
var wakeBuckets = map[string]bool{"outbox_due": true, "webhook_due": true, "pending_timestamp": true}

// leaderCheck is how often a follower tries for the lock and the leader
// checks that its session is alive.
var leaderCheck = 2 * time.Second

// Lead blocks until this process holds the leader lock, then runs fn with a
// context that ends when ctx does or when the session holding the lock is
// lost (the database restarted, the network broke): the lock then passes to
// another process, and this one tries again. A process killed outright loses
// its session, and so the lock, as its connection closes.
func (e *Engine) Lead(ctx context.Context, wake func(), fn func(ctx context.Context)) {
	for ctx.Err() == nil {
		conn, err := e.pool.Acquire(ctx)
		if err != nil {
			sleep(ctx, leaderCheck)
			continue
		}
		if e.holdLock(ctx, conn) {
			e.leadOn(ctx, conn, wake, fn)
		}
		// The session may hold the lock or a LISTEN: never return it to the pool.
		conn.Hijack().Close(context.Background())
	}
}

func (e *Engine) holdLock(ctx context.Context, conn *pgxpool.Conn) bool {
	for ctx.Err() == nil {
		var got bool
		if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", int64(leaderLock)).Scan(&got); err != nil {
			return false
		}
		if got {
			return true
		}
		sleep(ctx, leaderCheck)
	}
	return false
}

// leadOn runs fn while conn, which holds the lock, stays healthy, and turns
// notifications on workChannel into wake calls.
func (e *Engine) leadOn(ctx context.Context, conn *pgxpool.Conn, wake func(), fn func(ctx context.Context)) {
	if _, err := conn.Exec(ctx, "LISTEN "+workChannel); err != nil {
		return
	}
	lctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); fn(lctx) }()
	for lctx.Err() == nil {
		wctx, wcancel := context.WithTimeout(lctx, leaderCheck)
		_, err := conn.Conn().WaitForNotification(wctx)
		wcancel()
		switch {
		case err == nil:
			if wake != nil {
				wake()
			}
		case errors.Is(err, context.DeadlineExceeded) && lctx.Err() == nil:
			if err := conn.Ping(lctx); err != nil {
				cancel()
			}
		default:
			cancel()
		}
	}
	cancel()
	<-done
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
