package storage

import (
	"context"
	"encoding/binary"
	"encoding/json"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/storage/kv"
)

// VerifyRecords runs check on every letter's stored record, its manifest
// and its events (log order), in one read transaction, and returns how many
// letters it checked. A record that no longer decodes is a
// *core.RecordError too: either way the error names the letter.
func (db *DB) VerifyRecords(ctx context.Context, check func(n core.Notice, manifest []byte, evs []core.Event) error) (int, error) {
	count := 0
	err := db.kv.View(func(tx kv.Tx) error {
		c := tx.Bucket(bktNotices).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			id := string(k)
			var n core.Notice
			if err := json.Unmarshal(v, &n); err != nil || n.ID != id {
				return &core.RecordError{NoticeID: id, Reason: "the record no longer decodes, or names another letter"}
			}
			evs, err := noticeEvents(tx, id)
			if err != nil {
				return err
			}
			if err := check(n, tx.Bucket(bktManifests).Get(k), evs); err != nil {
				return err
			}
			count++
		}
		return nil
	})
	return count, err
}

// noticeEvents reads the events of letter id in log order.
func noticeEvents(tx kv.Tx, id string) ([]core.Event, error) {
	var out []core.Event
	prefix := []byte(id + "\x00")
	c := tx.Bucket(bktNoticeEvents).Cursor()
	for k, _ := c.Seek(prefix); k != nil && len(k) == len(prefix)+8 && string(k[:len(prefix)]) == string(prefix); k, _ = c.Next() {
		e, err := readEvent(tx, binary.BigEndian.Uint64(k[len(prefix):]))
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}
