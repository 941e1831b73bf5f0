package storage

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/lre-project/lre/storage/postgres"
)

// IsURL says whether s names a PostgreSQL store rather than a directory.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// openPostgres opens the store in the database at o.URL, migrating its
// schema. Several processes may hold it at once: the database serialises
// their writers, and Lead elects the one that runs background work.
func openPostgres(dir string, o Options) (*DB, error) {
	if !IsURL(o.URL) {
		return nil, fmt.Errorf("open store: %q is not a postgres:// URL", RedactURL(o.URL))
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	eng, err := postgres.Open(ctx, o.URL)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", RedactURL(o.URL), err)
	}
	db := &DB{kv: eng, pg: eng, group: &groupCommit{db: eng, max: or(o.MaxBatchSize, 256)}}
	if db.keys, err = loadKeyring(dir, o.ReadOnly, eng); err != nil {
		eng.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	if !o.ReadOnly {
		if err := db.catchUp(); err != nil {
			eng.Close()
			return nil, err
		}
	}
	return db, nil
}

// Lead runs fn while this process is the one that does background work
// (pending timestamps, outbox, deadlines, webhooks, checkpoints,
// retention): always at once on bbolt, whose file admits one process; on
// PostgreSQL once it holds the database's leader lock, so that the work is
// done once whichever processes run. wake is called when another process
// queued work (a deposit's notification), so that the leader need not wait
// for its next tick. Lead returns when ctx ends.
func (db *DB) Lead(ctx context.Context, wake func(), fn func(ctx context.Context)) {
	if db.pg == nil {
		fn(ctx)
		return
	}
	db.pg.Lead(ctx, wake, fn)
}

// RedactURL drops the password of a connection URL, for messages and logs.
func RedactURL(u string) string {
	at := strings.LastIndex(u, "@")
	scheme := strings.Index(u, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return u
	}
	creds := u[scheme+3 : at]
	if i := strings.Index(creds, ":"); i >= 0 {
		return u[:scheme+3] + creds[:i] + ":REDACTED" + u[at:]
	}
	return u
}
