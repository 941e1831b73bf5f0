package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Transactions are begun and ended by hand on a pooled connection rather
// than with pgx.Tx, so that BEGIN travels with the statements that follow
// it and COMMIT with the last writes: lre bench on two loaded cores showed
// each round trip of a group commit waiting milliseconds for a core, and
// pgx.Tx spends one on BEGIN and one on COMMIT alone. A connection given
// back to the pool inside a transaction (an error before its end) is
// closed by the pool, never reused.

// conn is what a transaction sends its statements on.
type conn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
}

var _ conn = (*pgxpool.Conn)(nil)

// beginWrite begins a write transaction, takes the write lock and reads
// the generation in one round trip (the generation's snapshot is taken
// after the lock is granted: read committed), and sets the savepoint the
// first COPY needs (copy.go).
func beginWrite(ctx context.Context, c conn) (gen int64, err error) {
	var b pgx.Batch
	b.Queue("BEGIN ISOLATION LEVEL READ COMMITTED")
	b.Queue("SELECT pg_advisory_xact_lock($1)", int64(writeLock))
	b.Queue("SELECT n FROM lre_generation")
	b.Queue(copySavepoint)
	res := c.SendBatch(ctx, &b)
	defer func() {
		if cerr := res.Close(); err == nil {
			err = cerr
		}
	}()
	for range 2 {
		if _, err := res.Exec(); err != nil {
			return 0, err
		}
	}
	if err := res.QueryRow().Scan(&gen); err != nil {
		return 0, err
	}
	_, err = res.Exec()
	return gen, err
}

// viewConn begins its read-only snapshot with its first query, in the same
// round trip; a View that queries nothing begins nothing.
type viewConn struct {
	*pgxpool.Conn
	begun bool
}

const beginView = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

func (v *viewConn) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if v.begun {
		return v.Conn.Query(ctx, sql, args...)
	}
	v.begun = true
	var b pgx.Batch
	b.Queue(beginView)
	b.Queue(sql, args...)
	res := v.Conn.SendBatch(ctx, &b)
	if _, err := res.Exec(); err != nil {
		res.Close()
		return nil, fmt.Errorf("begin: %w", err)
	}
	rows, err := res.Query()
	if err != nil {
		res.Close()
		return nil, err
	}
	return &batchRows{Rows: rows, res: res}, nil
}

func (v *viewConn) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, err := v.Query(ctx, sql, args...)
	return &firstRow{rows: rows, err: err}
}

// end closes the snapshot, if one was begun.
func (v *viewConn) end() {
	if v.begun {
		v.Conn.Exec(context.Background(), "ROLLBACK")
	}
}

// batchRows are the rows of a batch's last statement: closing them ends
// the batch.
type batchRows struct {
	pgx.Rows
	res    pgx.BatchResults
	closed bool
	err    error
}

func (r *batchRows) Close() {
	if r.closed {
		return
	}
	r.closed = true
	r.Rows.Close()
	r.err = r.res.Close()
}

func (r *batchRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

func (r *batchRows) Err() error {
	if err := r.Rows.Err(); err != nil {
		return err
	}
	return r.err
}

// firstRow is pgx's QueryRow over Query: the first row, or pgx.ErrNoRows.
type firstRow struct {
	rows pgx.Rows
	err  error
}

func (r *firstRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}

// commitUnknown says whether a commit batch that failed with err may still
// have committed: only an error the server sent says that it did not.
func commitUnknown(err error) bool {
	var pgErr *pgconn.PgError
	return !errors.As(err, &pgErr)
}
