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

// getSQL reads one key's value: Get in a transaction, Engine.ReadOne
// outside any.
func (b *bucket) getSQL() string {
	return b.q("SELECT value FROM "+b.table+" WHERE key = $1", "SELECT value FROM kv WHERE bucket = $1 AND key = $2")
}

// Get answers from the transaction's own writes and reads first: writers
// are serialised, so nothing else changes a key while a write transaction
// runs, and a group commit reads the same keys (the log head, tree nodes)
// once per deposit.
func (b *bucket) Get(key []byte) []byte {
	defer b.t.serial()()
	if b.t.failed() {
		return nil
	}
	if v, ok := b.t.known(b.name, key); ok {
		return v
	}
	// A miss costs a round trip anyway: the kept reads go first, so that
	// their writes are seen (later.go).
	if b.t.resolveLater(); b.t.failed() {
		return nil
	}
	if v, ok := b.t.known(b.name, key); ok {
		return v
	}
	if len(b.t.prefetch) > 0 {
		if b.t.resolvePrefetch(); b.t.failed() {
			return nil
		}
		if v, ok := b.t.known(b.name, key); ok {
			return v
		}
	}
	var v []byte
	err := b.t.tx.QueryRow(b.t.ctx,
		b.getSQL(), b.args(key)...).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		b.t.remember(b.name, key, nil)
		return nil
	}
	b.t.fail("get "+b.name, err)
	if v == nil && err == nil {
		v = []byte{}
	}
	b.t.remember(b.name, key, v)
	return v
}

// Put stages the write; the transaction sends its writes in one pipelined
// batch before its next scan and at commit, instead of one round trip each
// (stage.go).
func (b *bucket) Put(key, value []byte) error {
	if err := b.writable(); err != nil {
		return err
	}
	if value == nil {
		value = []byte{}
	}
	k, v := append([]byte(nil), key...), make([]byte, len(value))
	copy(v, value)
	r := stagedRow{bucket: b.name, key: k, value: v}
	if appendOnly[b.name] {
		b.t.stage.append(b.table, r)
	} else {
		b.t.stage.put(b.table, r)
	}
	b.t.remember(b.name, k, v)
	b.t.written(b.name)
	if wakeBuckets[b.name] {
		b.t.wake = true
	}
	return nil
}

func (b *bucket) Delete(key []byte) error {
	if err := b.writable(); err != nil {
		return err
	}
	if appendOnly[b.name] {
		return kv.ErrAppendOnly
	}
	k := append([]byte(nil), key...)
	b.t.stage.put(b.table, stagedRow{bucket: b.name, key: k, del: true})
	b.t.remember(b.name, k, nil)
	b.t.written(b.name)
	return nil
}

func (b *bucket) writable() error {
	if b.t.failed() {
		return b.t.err
	}
	if !b.t.write {
		return errWriteInRead
	}
	if b.t.forbidden[b.name] {
		b.t.fail("write "+b.name, errScannedBefore)
		return b.t.err
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
	defer b.t.serial()()
	return b.t.err
}

// NextSequence counts in the transaction after reading the stored value
// once; the last value is written with the other writes.
func (b *bucket) NextSequence() (uint64, error) {
	if err := b.writable(); err != nil {
		return 0, err
	}
	seq := b.Sequence() + 1
	if b.t.failed() {
		return 0, b.t.err
	}
	return seq, b.SetSequence(seq)
}

func (b *bucket) Sequence() uint64 {
	defer b.t.serial()()
	if b.t.failed() {
		return 0
	}
	if v, ok := b.t.seqs[b.name]; ok {
		return v
	}
	if b.t.memo != nil {
		if v, ok := b.t.memo.seqs[b.name]; ok {
			b.t.seqs[b.name] = v
			return v
		}
	}
	var seq int64
	err := b.t.tx.QueryRow(b.t.ctx, "SELECT seq FROM kv_sequences WHERE bucket = $1", b.name).Scan(&seq)
	if errors.Is(err, pgx.ErrNoRows) {
		err = nil
	}
	b.t.fail("sequence "+b.name, err)
	if b.t.write {
		b.t.seqs[b.name] = uint64(seq)
	}
	return uint64(seq)
}

func (b *bucket) SetSequence(v uint64) error {
	if err := b.writable(); err != nil {
		return err
	}
	b.t.seqs[b.name] = v
	b.t.dirtySeqs[b.name] = true
	b.t.wrote = true
	return nil
}

func (b *bucket) KeyN() int {
	defer b.t.serial()()
	if !b.t.flush() {
		return 0
	}
	var n int
	err := b.t.tx.QueryRow(b.t.ctx,
		b.q("SELECT count(*) FROM "+b.table, "SELECT count(*) FROM kv WHERE bucket = $1"),
		b.args()...).Scan(&n)
	b.t.fail("count "+b.name, err)
	return n
}
