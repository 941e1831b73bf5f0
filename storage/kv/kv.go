// Package kv is the ordered key-value engine the store is written against:
// named buckets of byte keys in byte order, per-bucket sequences, and
// transactions that are either read-only snapshots or serialised writers.
// bbolt is the embedded engine (Bolt); PostgreSQL (package storage/postgres)
// is the engine for several processes on one database. Keeping one store
// implementation over two engines is what makes both behave the same: every
// rule of storage/ is written once.
package kv

import "errors"

// Engine runs transactions. Update transactions are serialised with each
// other (across processes, for a shared engine); View transactions see a
// consistent snapshot and never block a writer for long.
type Engine interface {
	View(fn func(Tx) error) error
	Update(fn func(Tx) error) error
	Close() error
}

// Tx is one transaction. Slices it returns stay valid only until it ends:
// copy them out.
type Tx interface {
	// Bucket returns the named bucket; every bucket the store uses exists
	// (Engine implementations create them when they open).
	Bucket(name []byte) Bucket
	Writable() bool
}

// Bucket is an ordered map of byte keys to byte values.
type Bucket interface {
	Get(key []byte) []byte
	Put(key, value []byte) error
	Delete(key []byte) error
	Cursor() Cursor
	ForEach(fn func(k, v []byte) error) error
	// NextSequence increments and returns the bucket's sequence.
	NextSequence() (uint64, error)
	Sequence() uint64
	SetSequence(v uint64) error
	// KeyN counts the keys (an estimate is not enough: probes show it).
	KeyN() int
}

// Cursor walks a bucket in key order. Every move returns nil, nil at the end.
type Cursor interface {
	First() (k, v []byte)
	Last() (k, v []byte)
	Seek(seek []byte) (k, v []byte)
	Next() (k, v []byte)
	Prev() (k, v []byte)
	// Delete removes the key the cursor is on.
	Delete() error
}

// ErrAppendOnly is returned when a transaction tries to overwrite or delete
// a record of an append-only bucket.
var ErrAppendOnly = errors.New("append-only bucket: records are never rewritten or deleted")

// Prefetcher is implemented by engines for which a read costs a round trip
// (PostgreSQL): keys announced before a batch of work are read together at
// the first lookup instead of one at a time. An engine without it reads
// each key when asked, which for bbolt costs nothing more.
type Prefetcher interface {
	Prefetch(bucket []byte, keys ...[]byte)
}

// Prefetch announces keys of bucket that tx is about to read.
func Prefetch(tx Tx, bucket []byte, keys ...[]byte) {
	if p, ok := tx.(Prefetcher); ok {
		p.Prefetch(bucket, keys...)
	}
}

// OneReader is implemented by engines for which a read-only transaction
// costs round trips of its own (PostgreSQL: BEGIN travels with the first
// query, and ending the snapshot is one more): ReadOne reads one key in one
// statement, which is a snapshot of its own.
type OneReader interface {
	ReadOne(bucket, key []byte) ([]byte, error)
}

// ReadOne returns a copy of key's value in bucket, nil when absent (an
// empty value is empty, not nil), read in a snapshot of its own: for a
// lookup that needs no other read to be consistent with it.
func ReadOne(e Engine, bucket, key []byte) ([]byte, error) {
	if r, ok := e.(OneReader); ok {
		return r.ReadOne(bucket, key)
	}
	var v []byte
	err := e.View(func(tx Tx) error {
		if b := tx.Bucket(bucket).Get(key); b != nil {
			v = append([]byte{}, b...)
		}
		return nil
	})
	return v, err
}

// LaterGetter is implemented by engines for which a read costs a round
// trip (PostgreSQL): fn is given key's value as it is at the call, but may
// run later in the transaction, together with every other such read in one
// round trip. Such functions run in call order, before the transaction's
// next count, read of a key or scan whose answer it does not know yet, or
// commit; a read whose answer it knows (a key, a scan of a range it has
// read whole) may come first, so fn must write only keys that nothing
// reads meanwhile. It suits a read whose answer only decides a write, like
// the index entry to remove for a record being replaced.
type LaterGetter interface {
	GetLater(bucket, key []byte, fn func(v []byte) error)
}

// GetLater runs fn on key's value in bucket now, or later in the
// transaction where the engine batches such reads. fn's error fails the
// transaction: Update returns it.
func GetLater(tx Tx, bucket, key []byte, fn func(v []byte) error) error {
	if l, ok := tx.(LaterGetter); ok {
		l.GetLater(bucket, key, fn)
		return nil
	}
	return fn(tx.Bucket(bucket).Get(key))
}
