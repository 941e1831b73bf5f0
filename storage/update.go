package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/storage/kv"
)

// UpdateNotice runs fn on the stored notice and commits the result with
// fn's Change. It joins the group commit (see groupCommit): the outbox
// records an attempt before each mail and its result after, two commits
// per notification, and alone each paid an fsync behind the deposits'
// commits (lre bench: the outbox filed 9-16 mails/s while deposits ran at
// 200/s, and half the server's CPU was in those commits). Calls in one
// commit run one after the other on the same transaction, so two
// concurrent decisions on one letter still cannot both see it undecided.
//
// An error of fn (or a notice not found) is returned to its caller alone
// and the others commit: nothing was written yet. Only a failed write rolls
// the commit back, which runs fn again, so fn must compute its result from
// the notice it is given, not from what an earlier run changed.
func (db *DB) UpdateNotice(ctx context.Context, id string, fn func(n *core.Notice) (core.Change, error)) (core.Notice, error) {
	var out core.Notice
	var fnErr error
	var purged []string
	pre := func(tx kv.Tx) {
		kv.Prefetch(tx, bktNotices, []byte(id))
		kv.Prefetch(tx, bktNoticeTokens, []byte(id))
	}
	err := db.group.doPrefetched(pre, func(tx kv.Tx) error {
		fnErr, purged = nil, nil
		old, err := getNotice(tx, id)
		if err != nil {
			fnErr = err
			return nil
		}
		n := old
		ch, err := fn(&n)
		if err == nil && n.ID != old.ID {
			err = fmt.Errorf("update notice %s: the id cannot change", id)
		}
		if err != nil {
			fnErr = err
			return nil
		}
		if err := updateNotice(tx, old, n); err != nil {
			return err
		}
		out = n
		if purged, err = purgedSegments(tx, ch); err != nil {
			return err
		}
		if ch.Outbox, err = db.keys.sealOutbox(ch.Outbox); err != nil {
			return err
		}
		if err := applyChange(tx, ch, &n); err != nil {
			return err
		}
		purged = unusedSegments(tx, purged)
		return nil
	})
	if err == nil {
		err = fnErr
	}
	if err == nil {
		// Crypto-shredding deleted the letter key in the commit; a segment
		// whose letters are all purged goes now, or at the next start
		// (removeUnreferenced): the commit stands either way.
		_ = db.removeFiles(purged)
	}
	if err != nil {
		return core.Notice{}, err
	}
	return out, nil
}

// updateNotice writes n over old unless its encoding is the stored one
// byte for byte: an outbox attempt leaves the letter as it was, and
// rewriting its 3 KB record cost two or three 4 KB leaf pages per attempt
// (lre bench, 100 KB letters: a third of the notices bucket's pages).
// Bytes, not the decoded values, are compared, so a record written by an
// earlier encoding is still rewritten in the current one.
func updateNotice(tx kv.Tx, old, n core.Notice) error {
	b, err := encodeNotice(n)
	if err != nil {
		return err
	}
	if bytes.Equal(b, tx.Bucket(bktNotices).Get([]byte(n.ID))) {
		return nil
	}
	return putNoticeBytes(tx, old, n, b)
}

// applyChange writes a Change inside tx: events appended to the log, outbox
// entries, secret hashes and the sender's outcome. letter is the letter the
// change is about as the caller just wrote it (nil for none), so that
// publishing its events does not read and decode it again.
func applyChange(tx kv.Tx, ch core.Change, letter *core.Notice) error {
	evs, err := appendEvents(tx, ch.Events)
	if err != nil {
		return err
	}
	if err := publishEvents(tx, evs, letter); err != nil {
		return err
	}
	for _, id := range ch.Purge {
		if err := purgeContent(tx, id); err != nil {
			return err
		}
	}
	for _, e := range ch.Outbox {
		if err := putOutbox(tx, e); err != nil {
			return err
		}
	}
	for _, s := range ch.Secrets {
		if err := putSecret(tx, s); err != nil {
			return err
		}
	}
	if ch.Outcome != nil {
		return addOutcome(tx, *ch.Outcome)
	}
	return nil
}

// timeKey orders index keys by time, then by id.
func timeOfKey(k []byte) time.Time { return time.Unix(0, int64(binary.BigEndian.Uint64(k[:8]))) }

func timeKey(t time.Time, id string) []byte {
	k := make([]byte, 8, 8+len(id))
	binary.BigEndian.PutUint64(k, uint64(t.UnixNano()))
	return append(k, id...)
}

// reindexNotice lists a new letter and moves n between the pending and
// deadline indexes.
func reindexNotice(tx kv.Tx, old, n core.Notice) error {
	pending, deadlines := tx.Bucket(bktPending), tx.Bucket(bktDeadlines)
	if old.ID == "" {
		if err := indexNotice(tx, n); err != nil {
			return err
		}
	} else {
		if err := pending.Delete([]byte(old.ID)); err != nil {
			return fmt.Errorf("reindex: %w", err)
		}
		if !old.Deadline.IsZero() {
			if err := deadlines.Delete(timeKey(old.Deadline, old.ID)); err != nil {
				return fmt.Errorf("reindex: %w", err)
			}
		}
	}
	if n.Status == core.StatusPendingTimestamp {
		if err := pending.Put([]byte(n.ID), nil); err != nil {
			return fmt.Errorf("reindex: %w", err)
		}
	}
	if n.Status == core.StatusNotified && !n.Deadline.IsZero() {
		if err := deadlines.Put(timeKey(n.Deadline, n.ID), nil); err != nil {
			return fmt.Errorf("reindex: %w", err)
		}
	}
	return nil
}

// PendingTimestamps lists the notices still waiting for a timestamp.
func (db *DB) PendingTimestamps(ctx context.Context) ([]core.Notice, error) {
	var out []core.Notice
	err := db.kv.View(func(tx kv.Tx) error {
		return tx.Bucket(bktPending).ForEach(func(k, _ []byte) error {
			n, err := getNotice(tx, string(k))
			if err != nil {
				return err
			}
			out = append(out, n)
			return nil
		})
	})
	return out, err
}

// DueDeadlines lists notified letters whose deadline is before now.
func (db *DB) DueDeadlines(ctx context.Context, now time.Time, limit int) ([]string, error) {
	var out []string
	err := db.kv.View(func(tx kv.Tx) error {
		c := tx.Bucket(bktDeadlines).Cursor()
		for k, _ := c.First(); k != nil && len(out) < limit; k, _ = c.Next() {
			if len(k) < 8 || int64(binary.BigEndian.Uint64(k)) >= now.UnixNano() {
				break
			}
			out = append(out, string(k[8:]))
		}
		return nil
	})
	return out, err
}
