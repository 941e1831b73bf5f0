package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/storage/kv"
)

func idemKey(userID, key string) []byte { return []byte(userID + "\x00" + key) }

// splitIdem reads an idempotency entry: the notice id, then the request
// digest after a NUL (absent in entries written before digests were kept).
func splitIdem(v []byte) (id, digest string) {
	id, digest, _ = strings.Cut(string(v), "\x00")
	return id, digest
}

// SaveDeposit commits a whole deposit in one group-committed, fsynced
// transaction (see groupCommit). The function may run twice, so it only
// writes from d and resets what it reports on every run.
func (db *DB) SaveDeposit(ctx context.Context, d core.Deposit) (core.Notice, bool, error) {
	sealed, err := db.keys.sealDeposit(d.Notice.ID, d.Contents, db.files != nil)
	if err != nil {
		return core.Notice{}, false, fmt.Errorf("save deposit %s: %w", d.Notice.ID, err)
	}
	if d.Outbox, err = db.keys.sealOutbox(d.Outbox); err != nil {
		sealed.release()
		return core.Notice{}, false, fmt.Errorf("save deposit %s: %w", d.Notice.ID, err)
	}
	var ref *contentRef
	if db.files != nil {
		r, err := writeContents(db.files, sealed)
		sealed.release() // written, or failed: nothing reads them again
		if err != nil {
			return core.Notice{}, false, fmt.Errorf("save deposit %s: %w", d.Notice.ID, err)
		}
		ref = &r
	}
	if db.afterContentSync != nil {
		db.afterContentSync(d.Notice.ID)
	}
	var out core.Notice
	var existed bool
	pre := func(tx kv.Tx) {
		kv.Prefetch(tx, bktNotices, []byte(d.Notice.ID))
		kv.Prefetch(tx, bktNoticeTokens, []byte(d.Notice.ID))
		kv.Prefetch(tx, bktNoticeIndex, markerKey(d.Notice.ID))
		if d.IdempotencyKey != "" {
			kv.Prefetch(tx, bktIdempotency, idemKey(d.Notice.SenderUserID, d.IdempotencyKey))
		}
		for _, e := range d.Outbox {
			kv.Prefetch(tx, bktOutbox, []byte(e.ID)) // putOutbox looks for an earlier version
		}
	}
	err = db.group.doPrefetched(pre, func(tx kv.Tx) error {
		out, existed = d.Notice, false
		if d.IdempotencyKey != "" {
			if v := tx.Bucket(bktIdempotency).Get(idemKey(d.Notice.SenderUserID, d.IdempotencyKey)); v != nil {
				id, _ := splitIdem(v)
				n, err := getNotice(tx, id)
				out, existed = n, true
				return err
			}
			if err := tx.Bucket(bktIdempotency).Put(idemKey(d.Notice.SenderUserID, d.IdempotencyKey), []byte(d.Notice.ID+"\x00"+d.RequestDigest)); err != nil {
				return fmt.Errorf("save idempotency key: %w", err)
			}
		}
		return saveDeposit(tx, d, ref, sealed)
	})
	if ref != nil {
		// Committed, or never to be (a refused letter, the retry of one
		// stored before: its bytes stay unreferenced in the segment).
		db.files.Release(ref.name)
	}
	if err != nil {
		return core.Notice{}, false, fmt.Errorf("save deposit %s: %w", d.Notice.ID, err)
	}
	return out, existed, nil
}

// groupCommit commits deposits together without waiting on a timer: the
// first deposit to arrive starts a commit at once, and every deposit that
// arrives while a commit runs joins the next one (up to MaxBatchSize).
//
// bbolt's Batch, used before, closes a batch MaxBatchDelay (2 ms) after its
// first call and then queues it for the writer lock. When a commit takes
// longer than that window (tens of milliseconds with 100 KB letters and an
// fsync), a dozen batches of one or two deposits queue behind it, each
// rewriting some twenty buckets' pages and the freelist: lre bench measured
// 2.1 MB written per 100 KB letter and half the throughput of a commit that
// takes whatever has queued; alone, each deposit also waited the 2 ms for
// nothing. MaxBatchDelay no longer applies to deposits.
type groupCommit struct {
	db      kv.Engine
	max     int // most calls in one commit
	mu      sync.Mutex
	queue   []*commitCall
	running bool // a goroutine is committing; it takes the queue when done
}

type commitCall struct {
	fn   func(kv.Tx) error
	pre  func(kv.Tx) // announces the keys fn reads (kv.Prefetch), or nil
	done chan error
}

// do runs fn in the next commit and returns that commit's error, or fn's.
func (g *groupCommit) do(fn func(kv.Tx) error) error { return g.doPrefetched(nil, fn) }

// doPrefetched is do with the keys fn will read announced first, so that an
// engine where a read is a round trip reads those of the whole commit at
// once.
func (g *groupCommit) doPrefetched(pre func(kv.Tx), fn func(kv.Tx) error) error {
	c := &commitCall{fn: fn, pre: pre, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, c)
	if !g.running {
		g.running = true
		go g.commitQueued()
	}
	g.mu.Unlock()
	return <-c.done
}

// commitQueued commits what has queued, again and again, until nothing has.
func (g *groupCommit) commitQueued() {
	for {
		g.mu.Lock()
		n := min(len(g.queue), max(g.max, 1))
		calls := g.queue[:n:n]
		g.queue = g.queue[n:]
		if n == 0 {
			g.running, g.queue = false, nil
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		g.commit(calls)
	}
}

// commit runs calls in one transaction. A call that fails rolls the
// transaction back; it is then run alone, so that it gets its own error,
// and the others are committed again without it, as bbolt's Batch does.
func (g *groupCommit) commit(calls []*commitCall) {
	for len(calls) > 0 {
		failed := -1
		err := g.db.Update(func(tx kv.Tx) error {
			for _, c := range calls {
				if c.pre != nil {
					c.pre(tx)
				}
			}
			for i, c := range calls {
				if err := safeCall(c.fn, tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed < 0 {
			for _, c := range calls {
				c.done <- err
			}
			return
		}
		c := calls[failed]
		calls = append(calls[:failed:failed], calls[failed+1:]...)
		c.done <- g.db.Update(func(tx kv.Tx) error { return safeCall(c.fn, tx) })
	}
}

// safeCall turns a panic of fn into an error: fn runs on the committing
// goroutine, where no request handler would recover it.
func safeCall(fn func(kv.Tx) error, tx kv.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("commit call panicked: %v", p)
		}
	}()
	return fn(tx)
}

func saveDeposit(tx kv.Tx, d core.Deposit, ref *contentRef, sealed sealedDeposit) error {
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
	if err := putContents(tx, d.Notice, ref, sealed); err != nil {
		return err
	}
	return applyChange(tx, d.Change, &d.Notice)
}

func contentKey(id, key string) []byte { return []byte(id + "/" + key) }

// putNotice writes n and keeps its secondary indexes (pending timestamps,
// deadlines) in step with the change from old, in the same transaction.
func putNotice(tx kv.Tx, old, n core.Notice) error {
	b, err := encodeNotice(n)
	if err != nil {
		return err
	}
	return putNoticeBytes(tx, old, n, b)
}

// putNoticeBytes is putNotice with n already encoded as b (encodeNotice).
func putNoticeBytes(tx kv.Tx, old, n core.Notice, b []byte) error {
	if err := reindexNotice(tx, old, n); err != nil {
		return err
	}
	if err := putNoticeToken(tx, n); err != nil {
		return err
	}
	if err := tx.Bucket(bktNotices).Put([]byte(n.ID), b); err != nil {
		return fmt.Errorf("save notice: %w", err)
	}
	return nil
}

func getNotice(tx kv.Tx, id string) (core.Notice, error) {
	b := tx.Bucket(bktNotices).Get([]byte(id))
	if b == nil {
		return core.Notice{}, core.Errorf(core.ENOTFOUND, "no letter %q", id)
	}
	var n core.Notice
	if err := json.Unmarshal(b, &n); err != nil {
		return core.Notice{}, fmt.Errorf("decode notice %s: %w", id, err)
	}
	if err := withToken(&n, tx.Bucket(bktNoticeTokens).Get([]byte(id))); err != nil {
		return core.Notice{}, err
	}
	return n, nil
}

// NoticeByIdempotencyKey finds the notice a sender created with key. Every
// deposit with a key asks, and nearly always for a new key: that answer is
// one read (kv.ReadOne). A key is written with its notice, in the same
// transaction, so the notice read after it is there (or was deleted since,
// which getNotice reports as for any letter).
func (db *DB) NoticeByIdempotencyKey(ctx context.Context, userID, key string) (core.Notice, string, error) {
	v, err := kv.ReadOne(db.kv, bktIdempotency, idemKey(userID, key))
	if err != nil {
		return core.Notice{}, "", err
	}
	if v == nil {
		return core.Notice{}, "", core.Errorf(core.ENOTFOUND, "idempotency key not used")
	}
	id, digest := splitIdem(v)
	n, err := db.Notice(ctx, id)
	return n, digest, err
}

// Notice returns the notice with this id; ENOTFOUND when there is none.
func (db *DB) Notice(ctx context.Context, id string) (core.Notice, error) {
	var n core.Notice
	err := db.kv.View(func(tx kv.Tx) error {
		var err error
		n, err = getNotice(tx, id)
		return err
	})
	return n, err
}

// Manifest returns the exact manifest bytes of notice id.
func (db *DB) Manifest(ctx context.Context, id string) ([]byte, error) {
	var b []byte
	err := db.kv.View(func(tx kv.Tx) error {
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
	err := db.kv.View(func(tx kv.Tx) error {
		var err error
		b, err = db.readContent(tx, id, key)
		return err
	})
	return b, err
}
