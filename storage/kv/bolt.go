package kv

import (
	bolt "go.etcd.io/bbolt"
)

// Bolt is the embedded engine: one bbolt file, one writer at a time.
type Bolt struct {
	DB *bolt.DB
	// Ascending names the buckets whose new keys come after the keys of
	// their prefix (sequences, times): their leaves are filled whole, not
	// half. bbolt splits a node at half a page, which suits random keys;
	// an appended key never lands in a left half again, so at half fill
	// such a bucket wrote twice the pages its records need (lre bench:
	// the event log took 1.2 pages of 4 KB per letter for 1.7 KB).
	Ascending map[string]bool
}

var _ Engine = Bolt{}

// View runs fn in a bbolt read transaction.
func (b Bolt) View(fn func(Tx) error) error {
	return b.DB.View(func(tx *bolt.Tx) error { return fn(boltTx{tx: tx}) })
}

// Update runs fn in a bbolt write transaction.
func (b Bolt) Update(fn func(Tx) error) error {
	return b.DB.Update(func(tx *bolt.Tx) error { return fn(boltTx{tx: tx, ascending: b.Ascending}) })
}

// Close closes the file.
func (b Bolt) Close() error { return b.DB.Close() }

// BoltTx wraps a bbolt transaction opened by the caller.
func BoltTx(tx *bolt.Tx) Tx { return boltTx{tx: tx} }

type boltTx struct {
	tx        *bolt.Tx
	ascending map[string]bool
}

func (t boltTx) Bucket(name []byte) Bucket {
	b := t.tx.Bucket(name)
	if b == nil {
		return nil
	}
	if t.ascending[string(name)] {
		b.FillPercent = 1
	}
	return boltBucket{b}
}

func (t boltTx) Writable() bool { return t.tx.Writable() }

type boltBucket struct{ *bolt.Bucket }

func (b boltBucket) Cursor() Cursor { return b.Bucket.Cursor() }
func (b boltBucket) KeyN() int      { return b.Bucket.Stats().KeyN }
