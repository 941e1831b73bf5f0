package postgres

import (
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/lre-project/lre/storage/kv"
)

// Buckets with a table of their own: the append-only evidence log, and the
// documents, which are large. Every other bucket is a range of the kv table.
var ownTables = map[string]string{
	"events":   "events",
	"contents": "contents",
}

// appendOnly buckets are inserted into, never updated or deleted from.
var appendOnly = map[string]bool{"events": true}

func tableOf(bucket string) string {
	if t, ok := ownTables[bucket]; ok {
		return t
	}
	return "kv"
}

type bucket struct {
	t     *tx
	name  string
	table string
}

var _ kv.Bucket = (*bucket)(nil)

// shared says the bucket is a range of the kv table, whose statements
// take the bucket name as their first argument.
func (b *bucket) shared() bool { return b.table == "kv" }

func (b *bucket) args(a ...any) []any {
	if b.shared() {
		return append([]any{b.name}, a...)
	}
	return a
}

// q picks the statement for a table of its own or for the shared table.
func (b *bucket) q(own, shared string) string {
	if b.shared() {
		return shared
	}
	return own
}

func (b *bucket) Get(key []byte) []byte {
	if b.t.failed() {
		return nil
	}
	var v []byte
	err := b.t.tx.QueryRow(b.t.ctx,
		b.q("SELECT value FROM "+b.table+" WHERE key = $1", "SELECT value FROM kv WHERE bucket = $1 AND key = $2"),
		b.args(key)...).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	b.t.fail("get "+b.name, err)
	if v == nil && err == nil {
		v = []byte{}
	}
	return v
}

func (b *bucket) Put(key, value []byte) error {
	if err := b.writable(); err != nil {
		return err
	}
	if value == nil {
		value = []byte{}
	}
	var err error
	switch {
	case appendOnly[b.name]:
		_, err = b.t.tx.Exec(b.t.ctx, "INSERT INTO "+b.table+" (key, value) VALUES ($1, $2)", key, value)
	case b.shared():
		_, err = b.t.tx.Exec(b.t.ctx, "INSERT INTO kv (bucket, key, value) VALUES ($1, $2, $3) ON CONFLICT (bucket, key) DO UPDATE SET value = EXCLUDED.value", b.name, key, value)
	default:
		_, err = b.t.tx.Exec(b.t.ctx, "INSERT INTO "+b.table+" (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", key, value)
	}
	b.t.fail("put "+b.name, err)
	if wakeBuckets[b.name] {
		b.t.wake = true
	}
	return b.t.err
}

func (b *bucket) Delete(key []byte) error {
	if err := b.writable(); err != nil {
		return err
	}
	if appendOnly[b.name] {
		return kv.ErrAppendOnly
	}
	_, err := b.t.tx.Exec(b.t.ctx,
		b.q("DELETE FROM "+b.table+" WHERE key = $1", "DELETE FROM kv WHERE bucket = $1 AND key = $2"),
		b.args(key)...)
	b.t.fail("delete "+b.name, err)
	return b.t.err
}

func (b *bucket) writable() error {
	if b.t.failed() {
		return b.t.err
	}
	if !b.t.write {
		return errWriteInRead
	}
	return nil
}

func (b *bucket) ForEach(fn func(k, v []byte) error) error {
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return b.t.err
}

func (b *bucket) NextSequence() (uint64, error) {
	if err := b.writable(); err != nil {
		return 0, err
	}
	var seq int64
	err := b.t.tx.QueryRow(b.t.ctx,
		"INSERT INTO kv_sequences (bucket, seq) VALUES ($1, 1) ON CONFLICT (bucket) DO UPDATE SET seq = kv_sequences.seq + 1 RETURNING seq",
		b.name).Scan(&seq)
	b.t.fail("next sequence "+b.name, err)
	return uint64(seq), b.t.err
}

func (b *bucket) Sequence() uint64 {
	if b.t.failed() {
		return 0
	}
	var seq int64
	err := b.t.tx.QueryRow(b.t.ctx, "SELECT seq FROM kv_sequences WHERE bucket = $1", b.name).Scan(&seq)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0
	}
	b.t.fail("sequence "+b.name, err)
	return uint64(seq)
}

func (b *bucket) SetSequence(v uint64) error {
	if err := b.writable(); err != nil {
		return err
	}
	_, err := b.t.tx.Exec(b.t.ctx,
		"INSERT INTO kv_sequences (bucket, seq) VALUES ($1, $2) ON CONFLICT (bucket) DO UPDATE SET seq = EXCLUDED.seq",
		b.name, int64(v))
	b.t.fail("set sequence "+b.name, err)
	return b.t.err
}

func (b *bucket) KeyN() int {
	if b.t.failed() {
		return 0
	}
	var n int
	err := b.t.tx.QueryRow(b.t.ctx,
		b.q("SELECT count(*) FROM "+b.table, "SELECT count(*) FROM kv WHERE bucket = $1"),
		b.args()...).Scan(&n)
	b.t.fail("count "+b.name, err)
	return n
}
