package storage

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/batches"
	"github.com/lre-project/lre/storage/kv"
)

// Batch records: id -> JSON, and (sender, Idempotency-Key) -> id. A record
// is written once; its letters are found by their rows' idempotency keys.
var (
	bktBatches   = []byte("batches")
	bktBatchKeys = []byte("batch_keys")
)

var _ batches.Store = (*DB)(nil)

// SaveBatch stores b in one transaction unless its sender already used its
// Idempotency-Key, in which case it returns the earlier batch.
func (db *DB) SaveBatch(ctx context.Context, b batches.Batch) (batches.Batch, bool, error) {
	saved, existed := b, false
	err := db.kv.Update(func(tx kv.Tx) error {
		keys := tx.Bucket(bktBatchKeys)
		if id := keys.Get(idemKey(b.SenderUserID, b.IdempotencyKey)); id != nil {
			var err error
			saved, err = getBatch(tx, string(id))
			existed = true
			return err
		}
		v, err := json.Marshal(b)
		if err != nil {
			return fmt.Errorf("encode batch: %w", err)
		}
		if err := tx.Bucket(bktBatches).Put([]byte(b.ID), v); err != nil {
			return fmt.Errorf("save batch: %w", err)
		}
		return keys.Put(idemKey(b.SenderUserID, b.IdempotencyKey), []byte(b.ID))
	})
	return saved, existed, err
}

// Batch returns batch id.
func (db *DB) Batch(ctx context.Context, id string) (batches.Batch, error) {
	var b batches.Batch
	err := db.kv.View(func(tx kv.Tx) error {
		var err error
		b, err = getBatch(tx, id)
		return err
	})
	return b, err
}

func getBatch(tx kv.Tx, id string) (batches.Batch, error) {
	v := tx.Bucket(bktBatches).Get([]byte(id))
	if v == nil {
		return batches.Batch{}, core.Errorf(core.ENOTFOUND, "no batch %q", id)
	}
	var b batches.Batch
	if err := json.Unmarshal(v, &b); err != nil {
		return batches.Batch{}, fmt.Errorf("decode batch %s: %w", id, err)
	}
	return b, nil
}
