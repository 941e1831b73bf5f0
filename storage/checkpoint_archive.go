package storage

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/storage/kv"
)

var _ evidence.CheckpointArchives = (*DB)(nil)

// CheckpointsAfter returns up to limit checkpoints larger than after, by
// size.
func (db *DB) CheckpointsAfter(ctx context.Context, after uint64, limit int) ([]evidence.Checkpoint, error) {
	var out []evidence.Checkpoint
	err := db.kv.View(func(tx kv.Tx) error {
		c := tx.Bucket(bktCheckpoints).Cursor()
		for k, v := c.Seek(seqKey(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			cp, err := decodeCheckpoint(v)
			if err != nil {
				return err
			}
			out = append(out, cp)
		}
		return nil
	})
	return out, err
}

// AddArchiveToken appends tok to the checkpoint of size in one transaction
// that checks it still holds have archive tokens: two renewals racing add
// one. Everything else of the checkpoint is written back as read.
func (db *DB) AddArchiveToken(ctx context.Context, size uint64, have int, tok core.Token) error {
	return db.kv.Update(func(tx kv.Tx) error {
		b := tx.Bucket(bktCheckpoints)
		v := b.Get(seqKey(size))
		if v == nil {
			return core.Errorf(core.ENOTFOUND, "no checkpoint of size %d", size)
		}
		cp, err := decodeCheckpoint(v)
		if err != nil {
			return err
		}
		if len(cp.Archive) != have {
			return core.Errorf(core.ECONFLICT, "checkpoint %d has %d archive tokens, not %d: renewed meanwhile", size, len(cp.Archive), have)
		}
		cp.Archive = append(cp.Archive, tok)
		nv, err := json.Marshal(cp)
		if err != nil {
			return fmt.Errorf("encode checkpoint: %w", err)
		}
		return b.Put(seqKey(size), nv)
	})
}
