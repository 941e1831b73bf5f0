package kv

import (
	bolt "go.etcd.io/bbolt"
)

// Bolt is the embedded engine: one bbolt file, one writer at a time.
type Bolt struct{ DB *bolt.DB }

var _ Engine = Bolt{}

// View runs fn in a bbolt read transaction.
func (b Bolt) View(fn func(Tx) error) error {
	return b.DB.View(func(tx *bolt.Tx) error { return fn(boltTx{tx}) })
}

// Update runs fn in a bbolt write transaction.
func (b Bolt) Update(fn func(Tx) error) error {
	return b.DB.Update(func(tx *bolt.Tx) error { return fn(boltTx{tx}) })
}

// Close closes the file.
func (b Bolt) Close() error { return b.DB.Close() }

// BoltTx wraps a bbolt transaction opened by the caller.
func BoltTx(tx *bolt.Tx) Tx { return boltTx{tx} }

type boltTx struct{ tx *bolt.Tx }

func (t boltTx) Bucket(name []byte) Bucket {
	b := t.tx.Bucket(name)
	if b == nil {
		return nil
	}
	return boltBucket{b}
}

func (t boltTx) Writable() bool { return t.tx.Writable() }

type boltBucket struct{ *bolt.Bucket }

func (b boltBucket) Cursor() Cursor { return b.Bucket.Cursor() }
func (b boltBucket) KeyN() int      { return b.Bucket.Stats().KeyN }
