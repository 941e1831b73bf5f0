package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// migrations are applied in order, each once, in one transaction with the
// version it brings. Never edit one that has shipped: add the next.
var migrations = []string{
	// 1: the buckets, the sequences, the append-only evidence log and the
	// documents.
	`CREATE TABLE kv (
		bucket text NOT NULL,
		key bytea NOT NULL,
		value bytea NOT NULL,
		PRIMARY KEY (bucket, key)
	);
	CREATE TABLE kv_sequences (
		bucket text PRIMARY KEY,
		seq bigint NOT NULL
	);
	CREATE TABLE events (
		key bytea PRIMARY KEY,
		value bytea NOT NULL
	);
	CREATE TABLE contents (
		key bytea PRIMARY KEY,
		value bytea NOT NULL
	);
	CREATE FUNCTION lre_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		RAISE EXCEPTION 'the evidence log is append-only: % refused', TG_OP;
	END $$;
	CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
		FOR EACH ROW EXECUTE FUNCTION lre_events_append_only();
	CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
		FOR EACH STATEMENT EXECUTE FUNCTION lre_events_append_only();
	REVOKE UPDATE, DELETE, TRUNCATE ON events FROM PUBLIC;
	REVOKE UPDATE, DELETE, TRUNCATE ON events FROM CURRENT_USER;`,
	// 2: documents are sealed (AES-GCM), so incompressible: store them out
	// of line without the compression attempt TOAST would make on each.
	`ALTER TABLE contents ALTER COLUMN value SET STORAGE EXTERNAL;`,
	// 3: the write generation, one more with every write transaction, by
	// which a process knows whether its memo of the database still holds
	// (memo.go). An lre older than this schema would write without
	// counting, so it is refused by the version check.
	`CREATE TABLE lre_generation (n bigint NOT NULL);
	INSERT INTO lre_generation (n) VALUES (0);`,
	// 4: room on each page of kv for the next version of its rows. A letter
	// rewrites its notice and outbox entries as it goes; with full pages
	// every new version went to another page and needed an index entry of
	// its own. With room left, it stays on its page without one (a HOT
	// update). Pages written before keep their fill.
	`ALTER TABLE kv SET (fillfactor = 80);`,
}

// SchemaVersion is the schema this lre writes.
func SchemaVersion() int { return len(migrations) }

// migrate brings the schema to SchemaVersion under the write lock, so that
// processes starting together migrate once. A database of a newer schema is
// refused: an older lre would misread it.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(writeLock)); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := tx.Exec(ctx, "CREATE TABLE IF NOT EXISTS lre_schema (version int NOT NULL)"); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var have int
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM lre_schema").Scan(&have); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if have > len(migrations) {
		return fmt.Errorf("database schema version %d is newer than this lre's %d: run the lre that wrote it, or a newer one (downgrades are refused)", have, len(migrations))
	}
	for v := have + 1; v <= len(migrations); v++ {
		if _, err := tx.Exec(ctx, migrations[v-1]); err != nil {
			return fmt.Errorf("migrate to schema %d: %w", v, err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO lre_schema (version) VALUES ($1)", v); err != nil {
			return fmt.Errorf("migrate to schema %d: %w", v, err)
		}
	}
	return tx.Commit(ctx)
}
