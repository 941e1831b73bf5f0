package storage

import (
	"context"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/lre-project/lre/core"
)

// A log record is prev hash (32 bytes) | own hash (32 bytes) | canonical
// event bytes, stored under its big-endian sequence number.
const hashLen = 32

func seqKey(seq uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], seq)
	return k[:]
}

// appendEvents appends evs to the log inside tx, filling in Seq, PrevHash
// and Hash, and indexes them by notice. The hash work is tiny; everything
// heavy (signatures, tokens) happens before the transaction.
func appendEvents(tx *bolt.Tx, evs []core.Event) ([]core.Event, error) {
	events, meta, idx := tx.Bucket(bktEvents), tx.Bucket(bktMeta), tx.Bucket(bktNoticeEvents)
	prev := core.GenesisHash
	if head := meta.Get(keyHead); head != nil {
		prev = clone(head[8:])
	}
	if len(evs) == 0 {
		return nil, nil
	}
	tree, err := openTree(tx)
	if err != nil {
		return nil, fmt.Errorf("append event: %w", err)
	}
	out := make([]core.Event, 0, len(evs))
	for _, e := range evs {
		seq, err := events.NextSequence()
		if err != nil {
			return nil, fmt.Errorf("append event: %w", err)
		}
		body, err := core.EventBytes(e)
		if err != nil {
			return nil, fmt.Errorf("append event: %w", err)
		}
		hash := core.ChainHash(seq, prev, body)
		rec := make([]byte, 0, 2*hashLen+len(body))
		rec = append(append(append(rec, prev...), hash...), body...)
		if err := events.Put(seqKey(seq), rec); err != nil {
			return nil, fmt.Errorf("append event: %w", err)
		}
		if e.NoticeID != "" {
			if err := idx.Put(append([]byte(e.NoticeID+"\x00"), seqKey(seq)...), nil); err != nil {
				return nil, fmt.Errorf("index event: %w", err)
			}
			if err := indexNotice(tx, e.NoticeID); err != nil {
				return nil, err
			}
		}
		if err := tree.append(seq, hash); err != nil {
			return nil, fmt.Errorf("append event: %w", err)
		}
		if err := meta.Put(keyHead, append(seqKey(seq), hash...)); err != nil {
			return nil, fmt.Errorf("append event: %w", err)
		}
		e.Seq, e.PrevHash, e.Hash = seq, prev, hash
		out = append(out, e)
		prev = hash
	}
	return out, nil
}

// readEvent decodes the record at seq; the caller holds tx.
func readEvent(tx *bolt.Tx, seq uint64) (core.Event, error) {
	rec := tx.Bucket(bktEvents).Get(seqKey(seq))
	if len(rec) < 2*hashLen {
		return core.Event{}, fmt.Errorf("read event %d: record missing or short", seq)
	}
	e, err := core.ParseEventBytes(rec[2*hashLen:])
	if err != nil {
		return core.Event{}, fmt.Errorf("read event %d: %w", seq, err)
	}
	e.Seq, e.PrevHash, e.Hash = seq, clone(rec[:hashLen]), clone(rec[hashLen:2*hashLen])
	return e, nil
}

// NoticeEvents returns the events of notice id in log order.
func (db *DB) NoticeEvents(ctx context.Context, id string) ([]core.Event, error) {
	var out []core.Event
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bktNotices).Get([]byte(id)) == nil {
			return core.Errorf(core.ENOTFOUND, "no letter %q", id)
		}
		prefix := []byte(id + "\x00")
		c := tx.Bucket(bktNoticeEvents).Cursor()
		for k, _ := c.Seek(prefix); k != nil && len(k) == len(prefix)+8 && string(k[:len(prefix)]) == string(prefix); k, _ = c.Next() {
			e, err := readEvent(tx, binary.BigEndian.Uint64(k[len(prefix):]))
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// VerifyLog re-reads the whole log in one read transaction and checks every
// record with core.ChainVerifier, recomputes the transparency tree node by
// node and checks every stored checkpoint's root against it. It returns the
// number of records checked, and a *core.ChainError naming the first bad
// sequence number.
func (db *DB) VerifyLog(ctx context.Context) (uint64, error) {
	var n uint64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v, tree := core.NewChainVerifier(), newTreeCheck(tx)
		c := tx.Bucket(bktEvents).Cursor()
		for k, rec := c.First(); k != nil; k, rec = c.Next() {
			if len(k) != 8 || len(rec) < 2*hashLen {
				return &core.ChainError{Seq: seqOf(k), Reason: "malformed record"}
			}
			if err := v.Check(binary.BigEndian.Uint64(k), rec[:hashLen], rec[hashLen:2*hashLen], rec[2*hashLen:]); err != nil {
				return err
			}
			if err := tree.add(binary.BigEndian.Uint64(k), rec[hashLen:2*hashLen]); err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var headSeq uint64
		var headHash []byte
		if head := tx.Bucket(bktMeta).Get(keyHead); len(head) == 8+hashLen {
			headSeq, headHash = binary.BigEndian.Uint64(head[:8]), head[8:]
		}
		var err error
		n, err = v.Finish(headSeq, headHash)
		if err != nil {
			return err
		}
		return tree.finish(tx)
	})
	return n, err
}

func seqOf(k []byte) uint64 {
	if len(k) == 8 {
		return binary.BigEndian.Uint64(k)
	}
	return 0
}
