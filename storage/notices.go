package storage

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/lre-project/lre/core"
)

func idemKey(userID, key string) []byte { return []byte(userID + "\x00" + key) }

// SaveDeposit commits a whole deposit in one group-committed, fsynced
// transaction. bbolt may run a batch function twice, so the function only
// writes from d and resets what it reports on every run.
func (db *DB) SaveDeposit(ctx context.Context, d core.Deposit) (core.Notice, bool, error) {
	sealed, err := db.keys.sealDeposit(d.Notice.ID, d.Contents)
	if err != nil {
		return core.Notice{}, false, fmt.Errorf("save deposit %s: %w", d.Notice.ID, err)
	}
	var out core.Notice
	var existed bool
	err = db.bolt.Batch(func(tx *bolt.Tx) error {
		out, existed = d.Notice, false
		if d.IdempotencyKey != "" {
			if id := tx.Bucket(bktIdempotency).Get(idemKey(d.Notice.SenderUserID, d.IdempotencyKey)); id != nil {
				n, err := getNotice(tx, string(id))
				out, existed = n, true
				return err
			}
			if err := tx.Bucket(bktIdempotency).Put(idemKey(d.Notice.SenderUserID, d.IdempotencyKey), []byte(d.Notice.ID)); err != nil {
				return fmt.Errorf("save idempotency key: %w", err)
			}
		}
		return saveDeposit(tx, d, sealed)
	})
	if err != nil {
		return core.Notice{}, false, fmt.Errorf("save deposit %s: %w", d.Notice.ID, err)
	}
	return out, existed, nil
}

func saveDeposit(tx *bolt.Tx, d core.Deposit, sealed sealedDeposit) error {
	id := []byte(d.Notice.ID)
	if tx.Bucket(bktNotices).Get(id) != nil {
		return core.Errorf(core.ECONFLICT, "letter %s already exists", d.Notice.ID)
	}
	if err := putNotice(tx, core.Notice{}, d.Notice); err != nil {
		return err
	}
	if err := tx.Bucket(bktManifests).Put(id, d.Manifest); err != nil {
		return fmt.Errorf("save manifest: %w", err)
	}
	if err := putContents(tx, d.Notice, sealed); err != nil {
		return err
	}
	return applyChange(tx, d.Change)
}

func contentKey(id, key string) []byte { return []byte(id + "/" + key) }

// putNotice writes n and keeps its secondary indexes (pending timestamps,
// deadlines) in step with the change from old, in the same transaction.
func putNotice(tx *bolt.Tx, old, n core.Notice) error {
	if err := reindexNotice(tx, old, n); err != nil {
		return err
	}
	b, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("encode notice: %w", err)
	}
	if err := tx.Bucket(bktNotices).Put([]byte(n.ID), b); err != nil {
		return fmt.Errorf("save notice: %w", err)
	}
	return nil
}

func getNotice(tx *bolt.Tx, id string) (core.Notice, error) {
	b := tx.Bucket(bktNotices).Get([]byte(id))
	if b == nil {
		return core.Notice{}, core.Errorf(core.ENOTFOUND, "no letter %q", id)
	}
	var n core.Notice
	if err := json.Unmarshal(b, &n); err != nil {
		return core.Notice{}, fmt.Errorf("decode notice %s: %w", id, err)
	}
	return n, nil
}

// NoticeByIdempotencyKey finds the notice a sender created with key.
func (db *DB) NoticeByIdempotencyKey(ctx context.Context, userID, key string) (core.Notice, error) {
	var n core.Notice
	err := db.bolt.View(func(tx *bolt.Tx) error {
		id := tx.Bucket(bktIdempotency).Get(idemKey(userID, key))
		if id == nil {
			return core.Errorf(core.ENOTFOUND, "idempotency key not used")
		}
		var err error
		n, err = getNotice(tx, string(id))
		return err
	})
	return n, err
}

// Notice returns the notice id.
func (db *DB) Notice(ctx context.Context, id string) (core.Notice, error) {
	var n core.Notice
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		n, err = getNotice(tx, id)
		return err
	})
	return n, err
}

// Manifest returns the exact manifest bytes of notice id.
func (db *DB) Manifest(ctx context.Context, id string) ([]byte, error) {
	var b []byte
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bktManifests).Get([]byte(id))
		if v == nil {
			return core.Errorf(core.ENOTFOUND, "no manifest for letter %q", id)
		}
		b = clone(v)
		return nil
	})
	return b, err
}

// Content returns a stored document of notice id by its generated key.
func (db *DB) Content(ctx context.Context, id, key string) ([]byte, error) {
	var b []byte
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		b, err = db.keys.readContent(tx, id, key)
		return err
	})
	return b, err
}
