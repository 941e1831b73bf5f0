package postgres

import (
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// copyTable is the table whose new values go by COPY rather than by the
// multi-row upsert: the documents, ~100 KB each.
//
// lre bench at 100 KB showed the upsert of a group commit's documents (one
// bytea[] parameter of some 3-6 MB, unnested by the server) as the longest
// statement of the commit, 36 ms of server time on average, and pgx's
// encoding of that array as most of the commit's CPU in lre; a COPY of the
// same 60 rows of 50 KB took 35-50 ms from the client's side where the
// upsert took 90-150 ms (and one statement per row 40-110 ms). COPY cannot
// upsert, and a document is put again only in rare paths (a key written
// twice in one transaction that was flushed in between, a migration run
// again): the COPY runs behind a savepoint, and a key already stored rolls
// it back and sends the upsert instead.
const copyTable = "contents"

// copySavepoint is set when the transaction begins and at the end of
// every batch but the last (tx.send), so that nothing is written between
// it and the next COPY: rolling back to it undoes the COPY alone.
const copySavepoint = "SAVEPOINT lre_copy"

// copyIn writes rows into copyTable by COPY, or by the upsert when one of
// their keys is already stored.
func (t *tx) copyIn(rows []stagedRow) {
	if t.failed() || len(rows) == 0 {
		return
	}
	src := pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
		return []any{rows[i].key, rows[i].value}, nil
	})
	_, err := t.tx.CopyFrom(t.ctx, pgx.Identifier{copyTable}, []string{"key", "value"}, src)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" { // unique_violation
		// Two round trips, not one batch: pgx would prepare the upsert
		// ahead of the batch, in the aborted transaction.
		if _, err = t.tx.Exec(t.ctx, "ROLLBACK TO SAVEPOINT lre_copy"); err == nil {
			_, err = t.tx.Exec(t.ctx, upsertSQL(copyTable), columns(rows, false, true)...)
		}
	}
	t.fail("copy into "+copyTable, err)
}
