package storage

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/storage/kv"
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
func appendEvents(tx kv.Tx, evs []core.Event) ([]core.Event, error) {
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

// readEvent decodes the record at seq of events (bktEvents, looked up
// once by a caller reading many: a lookup is a search from the root).
func readEvent(events kv.Bucket, seq uint64) (core.Event, error) {
	rec := events.Get(seqKey(seq))
	if len(rec) < 2*hashLen {
		return core.Event{}, errShortRecord(seq)
	}
	return decodeEvent(seq, rec)
}

func errShortRecord(seq uint64) error {
	return fmt.Errorf("read event %d: record missing or short", seq)
}

// decodeEvent decodes rec, the log record at seq (at least 2*hashLen
// bytes), into an Event that owns its bytes.
func decodeEvent(seq uint64, rec []byte) (core.Event, error) {
	e, err := core.ParseEventBytes(rec[2*hashLen:])
	if err != nil {
		return core.Event{}, fmt.Errorf("read event %d: %w", seq, err)
	}
	hashes := clone(rec[:2*hashLen])
	e.Seq, e.PrevHash, e.Hash = seq, hashes[:hashLen:hashLen], hashes[hashLen:]
	return e, nil
}

// NoticeEvents returns the events of notice id in log order.
func (db *DB) NoticeEvents(ctx context.Context, id string) ([]core.Event, error) {
	var out []core.Event
	err := db.kv.View(func(tx kv.Tx) error {
		if tx.Bucket(bktNotices).Get([]byte(id)) == nil {
			return core.Errorf(core.ENOTFOUND, "no letter %q", id)
		}
		var err error
		out, err = noticeEvents(tx, id)
		return err
	})
	return out, err
}

// VerifyLog re-reads the whole log in one read transaction and checks every
// record with core.ChainVerifier, recomputes the transparency tree node by
// node and checks every stored checkpoint's root against it. It returns the
// number of records checked, and a *core.ChainError naming the first bad
// sequence number.
//
// The two checks run on two cores: this goroutine reads, hashes and parses
// the records, and hands the hashes of those that passed to another, which
// recomputes the tree. Both only read the transaction's buckets, fetched
// before the second starts; a read-only bbolt transaction allows that.
func (db *DB) VerifyLog(ctx context.Context) (uint64, error) {
	var n uint64
	err := db.kv.View(func(tx kv.Tx) error {
		headSeq, headHash := logHead(tx)
		v, tree, c := core.NewChainVerifier(), newTreeCheck(tx), tx.Bucket(bktEvents).Cursor()
		leaves := make(chan []leaf, 4)
		treeErr := make(chan error, 1)
		go func() { treeErr <- tree.addAll(leaves) }()
		chainErr := checkRecords(ctx, v, c, leaves)
		// The tree only saw records that passed the chain check, so its
		// error, if any, is about an earlier record.
		if err := <-treeErr; err != nil {
			return err
		}
		if chainErr != nil {
			return chainErr
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

// leaf is a checked record's sequence number and hash; hash points into
// the read transaction's pages.
type leaf struct {
	seq  uint64
	hash []byte
}

// leafBatch amortises the hand-over between the two goroutines.
const leafBatch = 4096

// checkRecords runs v over every record and sends the checked ones to
// leaves, which it closes.
func checkRecords(ctx context.Context, v *core.ChainVerifier, c kv.Cursor, leaves chan<- []leaf) error {
	defer close(leaves)
	batch := make([]leaf, 0, leafBatch)
	for k, rec := c.First(); k != nil; k, rec = c.Next() {
		if len(k) != 8 || len(rec) < 2*hashLen {
			return &core.ChainError{Seq: seqOf(k), Reason: "malformed record"}
		}
		seq := binary.BigEndian.Uint64(k)
		if err := v.Check(seq, rec[:hashLen], rec[hashLen:2*hashLen], rec[2*hashLen:]); err != nil {
			leaves <- batch
			return err
		}
		if batch = append(batch, leaf{seq, rec[hashLen : 2*hashLen]}); len(batch) == leafBatch {
			leaves <- batch
			batch = make([]leaf, 0, leafBatch)
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	leaves <- batch
	return ctx.Err()
}

// addAll adds every leaf to the tree check and returns its first error,
// reading on to the end so that the sender never blocks.
func (t *treeCheck) addAll(leaves <-chan []leaf) error {
	var first error
	for batch := range leaves {
		for _, l := range batch {
			if first == nil {
				first = t.add(l.seq, l.hash)
			}
		}
	}
	return first
}

// logHead returns the head record's sequence number and hash (0, nil for
// an empty log).
func logHead(tx kv.Tx) (uint64, []byte) {
	if head := tx.Bucket(bktMeta).Get(keyHead); len(head) == 8+hashLen {
		return binary.BigEndian.Uint64(head[:8]), head[8:]
	}
	return 0, nil
}

func seqOf(k []byte) uint64 {
	if len(k) == 8 {
		return binary.BigEndian.Uint64(k)
	}
	return 0
}
