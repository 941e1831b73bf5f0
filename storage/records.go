package storage

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/storage/kv"
)

// VerifyRecords runs check on every letter's stored record, its manifest
// and its events (log order), in one read transaction, and returns how many
// letters it checked. A record that no longer decodes is a
// *core.RecordError too: either way the error names the letter, the first
// in the notices' key order that fails.
//
// Decoding the records and their events and running check cost ten times
// more than reading them, so this goroutine reads a batch of letters (the
// transaction is used by it alone: a PostgreSQL transaction is one
// connection) and one goroutine per CPU decodes and checks the bytes read,
// which stay valid until the transaction ends. check must therefore be
// safe for concurrent use.
func (db *DB) VerifyRecords(ctx context.Context, check func(n core.Notice, manifest []byte, evs []core.Event) error) (int, error) {
	count := 0
	err := db.kv.View(func(tx kv.Tx) error {
		c, manifests, tokens := tx.Bucket(bktNotices).Cursor(), tx.Bucket(bktManifests), tx.Bucket(bktNoticeTokens)
		idx, events := tx.Bucket(bktNoticeEvents), tx.Bucket(bktEvents)
		var batch []storedLetter
		events0 := 0
		for k, v := c.First(); ; k, v = c.Next() {
			if k == nil || len(batch) == recordBatch || events0 >= recordBatchEvents {
				if err := checkLetters(ctx, batch, check); err != nil {
					return err
				}
				count += len(batch)
				batch, events0 = batch[:0], 0
			}
			if k == nil {
				return nil
			}
			l := storedLetter{id: string(k), record: v, manifest: manifests.Get(k), token: tokens.Get(k)}
			var err error
			if l.events, err = noticeRecords(idx, events, l.id); err != nil {
				return err
			}
			batch, events0 = append(batch, l), events0+len(l.events)
		}
	})
	return count, err
}

// A batch of letters to check together: large enough that the goroutines
// rarely wait for each other, small enough to hold only slice headers.
const (
	recordBatch       = 1024
	recordBatchEvents = 65536
)

// storedLetter is one letter's bytes as read in the transaction.
type storedLetter struct {
	id                      string
	record, manifest, token []byte
	events                  []eventRecord
}

type eventRecord struct {
	seq uint64
	rec []byte
}

// checkLetters decodes and checks batch on one goroutine per CPU and
// returns the error of the first failing letter in batch order.
func checkLetters(ctx context.Context, batch []storedLetter, check func(core.Notice, []byte, []core.Event) error) error {
	errs := make([]error, len(batch))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(batch)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(batch) && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				errs[i] = checkLetter(batch[i], check)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return ctx.Err()
}

func checkLetter(l storedLetter, check func(core.Notice, []byte, []core.Event) error) error {
	var n core.Notice
	if err := json.Unmarshal(l.record, &n); err != nil || n.ID != l.id {
		return &core.RecordError{NoticeID: l.id, Reason: "the record no longer decodes, or names another letter"}
	}
	if withToken(&n, l.token) != nil {
		return &core.RecordError{NoticeID: l.id, Reason: "the letter's time-stamp token no longer decodes"}
	}
	evs := make([]core.Event, len(l.events))
	for i, r := range l.events {
		var err error
		if evs[i], err = decodeEvent(r.seq, r.rec); err != nil {
			return err
		}
	}
	return check(n, l.manifest, evs)
}

// noticeEvents reads the events of letter id in log order.
func noticeEvents(tx kv.Tx, id string) ([]core.Event, error) {
	recs, err := noticeRecords(tx.Bucket(bktNoticeEvents), tx.Bucket(bktEvents), id)
	if err != nil {
		return nil, err
	}
	out := make([]core.Event, len(recs))
	for i, r := range recs {
		if out[i], err = decodeEvent(r.seq, r.rec); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// noticeRecords returns the log records of letter id in log order, as
// stored (valid until the transaction ends), through its index idx.
func noticeRecords(idx, events kv.Bucket, id string) ([]eventRecord, error) {
	var out []eventRecord
	prefix := []byte(id + "\x00")
	c := idx.Cursor()
	for k, _ := c.Seek(prefix); k != nil && len(k) == len(prefix)+8 && string(k[:len(prefix)]) == string(prefix); k, _ = c.Next() {
		seq := binary.BigEndian.Uint64(k[len(prefix):])
		rec := events.Get(seqKey(seq))
		if len(rec) < 2*hashLen {
			return nil, errShortRecord(seq)
		}
		out = append(out, eventRecord{seq, rec})
	}
	return out, nil
}
