package storage

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/storage/kv"
)

// The listing index (bktNoticeIndex) holds, per letter, one key per scope
// it belongs to: "s\x00<sender user id>\x00" or "o\x00<organisation>\x00",
// then the submission time (8 bytes, big-endian nanoseconds) and the id;
// plus a marker "n\x00<id>" saying the letter is indexed. A letter is
// indexed when it is first stored (putNotice), pending a timestamp or not.
// v2: v1 indexed letters at their first event and left pending ones out.
var keyNoticeIndexed = []byte("notice_index_v2")

// maxListScan bounds the index entries one page reads, so that a filter
// matching nothing cannot make a request walk a whole organisation.
const maxListScan = 2000

var _ core.NoticeLister = (*DB)(nil)

func markerKey(id string) []byte { return []byte("n\x00" + id) }

func scopePrefix(s core.NoticeScope) []byte {
	if s.Organisation != "" {
		return []byte("o\x00" + s.Organisation + "\x00")
	}
	return []byte("s\x00" + s.SenderUserID + "\x00")
}

// indexNotice indexes letter n once, in the transaction that first stores it.
func indexNotice(tx kv.Tx, n core.Notice) error {
	b := tx.Bucket(bktNoticeIndex)
	if b.Get(markerKey(n.ID)) != nil {
		return nil
	}
	suffix := timeKey(n.SubmittedAt, n.ID)
	keys := [][]byte{markerKey(n.ID), append(scopePrefix(core.NoticeScope{SenderUserID: n.SenderUserID}), suffix...)}
	if n.Sender.Organisation != "" {
		keys = append(keys, append(scopePrefix(core.NoticeScope{Organisation: n.Sender.Organisation}), suffix...))
	}
	for _, k := range keys {
		if err := b.Put(k, []byte{1}); err != nil { // bbolt reads an empty value back as nil
			return fmt.Errorf("index letter %s: %w", n.ID, err)
		}
	}
	return nil
}

// catchUpNoticeIndex indexes, once, the letters of a data dir written before
// the index existed.
func catchUpNoticeIndex(tx kv.Tx) error {
	if tx.Bucket(bktMeta).Get(keyNoticeIndexed) != nil {
		return nil
	}
	err := tx.Bucket(bktNotices).ForEach(func(k, _ []byte) error {
		n, err := getNotice(tx, string(k))
		if err != nil {
			return err
		}
		return indexNotice(tx, n)
	})
	if err != nil {
		return err
	}
	return tx.Bucket(bktMeta).Put(keyNoticeIndexed, []byte{1})
}

// ListNotices walks the scope's index from the newest letter backwards and
// filters each letter; past a full page it reads on until one more letter
// matches, so that Next is empty when nothing follows.
func (db *DB) ListNotices(ctx context.Context, scope core.NoticeScope, q core.NoticeQuery) (core.NoticePage, error) {
	upper := []byte{0xff}
	if q.Cursor != "" {
		c, err := base64.RawURLEncoding.DecodeString(q.Cursor)
		if err != nil || len(c) < 9 {
			return core.NoticePage{}, core.FieldError(core.EINVALID, "cursor", "cursor is not one this server issued")
		}
		upper = c
	}
	if !q.To.IsZero() {
		if to := timeKey(q.To, ""); bytes.Compare(to, upper) < 0 {
			upper = to
		}
	}
	var page core.NoticePage
	err := db.kv.View(func(tx kv.Tx) error {
		w := newListWalk(tx, scope, upper)
		full := false
		for scanned := 0; scanned < maxListScan; scanned++ {
			suffix, ok := w.next()
			if !ok || (!q.From.IsZero() && timeOfKey(suffix).Before(q.From)) {
				page.Next = ""
				return nil
			}
			n, err := getNotice(tx, string(suffix[8:]))
			if err != nil {
				return err
			}
			if !matches(n, q) {
				if !full {
					page.Next = base64.RawURLEncoding.EncodeToString(suffix)
				}
				continue
			}
			// A full page offers a next one only once a further match
			// is seen: a next page that comes out empty is a dead end.
			if full {
				return nil
			}
			page.Notices = append(page.Notices, n)
			page.Next = base64.RawURLEncoding.EncodeToString(suffix)
			full = len(page.Notices) == q.Limit
		}
		return nil
	})
	return page, err
}

func matches(n core.Notice, q core.NoticeQuery) bool {
	return (q.Status == "" || n.Status == q.Status) &&
		(q.Recipient == "" || strings.EqualFold(n.Recipient.Email, q.Recipient))
}

// listWalk yields index suffixes (time, id) of one scope below an upper
// bound, newest first.
type listWalk struct {
	c      kv.Cursor
	prefix []byte
	key    []byte // the cursor's current suffix, nil when done
}

func newListWalk(tx kv.Tx, scope core.NoticeScope, upper []byte) *listWalk {
	w := &listWalk{c: tx.Bucket(bktNoticeIndex).Cursor(), prefix: scopePrefix(scope)}
	k, _ := w.c.Seek(append(slices.Clone(w.prefix), upper...))
	if k == nil {
		k, _ = w.c.Last()
	} else {
		k, _ = w.c.Prev()
	}
	w.set(k)
	return w
}

func (w *listWalk) set(k []byte) {
	w.key = nil
	if k != nil && bytes.HasPrefix(k, w.prefix) && len(k) >= len(w.prefix)+8 {
		w.key = k[len(w.prefix):]
	}
}

func (w *listWalk) next() ([]byte, bool) {
	if w.key == nil {
		return nil, false
	}
	s := clone(w.key)
	k, _ := w.c.Prev()
	w.set(k)
	return s, true
}
