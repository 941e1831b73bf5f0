package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/storage/kv"
)

// putOutbox writes entry e and keeps the due index (not-before time, id) in
// step: an entry is in the index exactly while it is not done.
func putOutbox(tx kv.Tx, e core.OutboxEntry) error {
	v, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode outbox %s: %w", e.ID, err)
	}
	// The earlier version only says which index key to drop: a read the
	// engine may batch with others (a group commit creates many entries),
	// so the index is kept by the function, which runs in call order.
	err = kv.GetLater(tx, bktOutbox, []byte(e.ID), func(prev []byte) error {
		due := tx.Bucket(bktOutboxDue)
		if prev != nil {
			// only its index key: a whole entry (mail, attempts and their
			// transcripts) decoded here was the larger part of putOutbox
			var old struct {
				ID        string    `json:"id"`
				NotBefore time.Time `json:"not_before"`
			}
			if err := json.Unmarshal(prev, &old); err != nil {
				return fmt.Errorf("decode outbox %s: %w", e.ID, err)
			}
			if err := due.Delete(timeKey(old.NotBefore, old.ID)); err != nil {
				return fmt.Errorf("outbox index: %w", err)
			}
		}
		if !e.Done {
			if err := due.Put(timeKey(e.NotBefore, e.ID), nil); err != nil {
				return fmt.Errorf("outbox index: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := tx.Bucket(bktOutbox).Put([]byte(e.ID), v); err != nil {
		return fmt.Errorf("save outbox %s: %w", e.ID, err)
	}
	return nil
}

// DueOutbox lists unfinished entries whose not-before time has come.
func (db *DB) DueOutbox(ctx context.Context, now time.Time, limit int) ([]core.OutboxEntry, error) {
	var out []core.OutboxEntry
	err := db.kv.View(func(tx kv.Tx) error {
		c, b := tx.Bucket(bktOutboxDue).Cursor(), tx.Bucket(bktOutbox)
		for k, _ := c.First(); k != nil && len(out) < limit; k, _ = c.Next() {
			if len(k) < 8 || timeOfKey(k).After(now) {
				break
			}
			var e core.OutboxEntry
			if err := json.Unmarshal(b.Get(k[8:]), &e); err != nil {
				return fmt.Errorf("decode outbox %s: %w", k[8:], err)
			}
			if err := db.keys.openOutbox(&e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// OutboxEntries returns every outbox entry of a notice (for its timeline).
func (db *DB) OutboxEntries(ctx context.Context, noticeID string) ([]core.OutboxEntry, error) {
	var out []core.OutboxEntry
	err := db.kv.View(func(tx kv.Tx) error {
		return tx.Bucket(bktOutbox).ForEach(func(_, v []byte) error {
			var e core.OutboxEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			if e.NoticeID == noticeID {
				if err := db.keys.openOutbox(&e); err != nil {
					return err
				}
				out = append(out, e)
			}
			return nil
		})
	})
	return out, err
}

// OutboxDepth counts entries not yet done (for readiness and metrics).
func (db *DB) OutboxDepth(ctx context.Context) (int, error) {
	n := 0
	err := db.kv.View(func(tx kv.Tx) error {
		n = tx.Bucket(bktOutboxDue).KeyN()
		return nil
	})
	return n, err
}
