package storage_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/lre-project/lre/core"
)

// TestVerifyRecordsNamesFirstBadLetter: the letters are checked on several
// goroutines, yet the error is the first failing letter's in key order,
// every letter is seen once with its own events in log order, and the
// count is every letter's.
func TestVerifyRecordsNamesFirstBadLetter(t *testing.T) {
	db := openDB(t, t.TempDir())
	const letters = 40
	for i := range letters {
		save(t, db, deposit(t, i, "usr_a", 1+i%3))
	}
	var mu sync.Mutex
	var seen []string
	all := func(n core.Notice, manifest []byte, evs []core.Event) error {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, n.ID)
		if len(manifest) == 0 || len(evs) == 0 || !slices.IsSortedFunc(evs, func(a, b core.Event) int { return int(a.Seq) - int(b.Seq) }) {
			t.Errorf("%s: manifest of %d bytes, events %v", n.ID, len(manifest), evs)
		}
		for _, e := range evs {
			if e.NoticeID != n.ID || len(e.Hash) != 32 || len(e.PrevHash) != 32 {
				t.Errorf("%s: event %d of %s, hashes of %d and %d bytes", n.ID, e.Seq, e.NoticeID, len(e.Hash), len(e.PrevHash))
			}
		}
		return nil
	}
	if n, err := db.VerifyRecords(context.Background(), all); err != nil || n != letters {
		t.Fatalf("VerifyRecords = %d, %v; want %d, nil", n, err, letters)
	}
	slices.Sort(seen)
	if len(slices.Compact(seen)) != letters {
		t.Errorf("checked %d distinct letters, want %d", len(seen), letters)
	}
	ids := make([]string, letters)
	for i := range ids {
		ids[i] = noticeID(i)
	}
	slices.Sort(ids)
	bad := map[string]bool{ids[7]: true, ids[3]: true, ids[30]: true}
	failing := func(n core.Notice, _ []byte, _ []core.Event) error {
		if bad[n.ID] {
			return &core.RecordError{NoticeID: n.ID, Reason: "test"}
		}
		return nil
	}
	for range 5 {
		_, err := db.VerifyRecords(context.Background(), failing)
		var re *core.RecordError
		if !errors.As(err, &re) || re.NoticeID != ids[3] {
			t.Fatalf("VerifyRecords = %v; want the RecordError of %s, the first in key order", err, ids[3])
		}
	}
}
