package storage_test

import (
	"context"
	"slices"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/lre-project/lre/core"
)

func listIDs(t *testing.T, db interface {
	ListNotices(context.Context, core.NoticeScope, core.NoticeQuery) (core.NoticePage, error)
}, scope core.NoticeScope) []string {
	t.Helper()
	var ids []string
	q := core.NoticeQuery{Limit: 2}
	for {
		p, err := db.ListNotices(context.Background(), scope, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range p.Notices {
			ids = append(ids, n.ID)
		}
		if p.Next == "" {
			return ids
		}
		q.Cursor = p.Next
	}
}

// Letters stored before the listing index existed are indexed on open;
// letters pending a timestamp (no event yet) are listed in time order with
// the others.
func TestListingIndexCatchUpAndPending(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t, dir)
	var want []string
	for i := range 5 {
		events := 1
		if i == 2 {
			events = 0 // pending
		}
		n := save(t, db, deposit(t, i, "u1", events))
		want = append([]string{n.ID}, want...)
	}
	scope := core.NoticeScope{SenderUserID: "u1"}
	if got := listIDs(t, db, scope); !slices.Equal(got, want) {
		t.Fatalf("listed %v, want %v", got, want)
	}
	if got := listIDs(t, db, core.NoticeScope{Organisation: "ACME"}); !slices.Equal(got, want) {
		t.Fatalf("organisation listed %v, want %v", got, want)
	}
	db.Close()
	withRaw(t, dir, func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte("notice_index")); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Delete([]byte("notice_index_v2"))
	})
	db = openDB(t, dir)
	if got := listIDs(t, db, scope); !slices.Equal(got, want) {
		t.Fatalf("after catch-up listed %v, want %v", got, want)
	}
	if got := listIDs(t, db, core.NoticeScope{SenderUserID: "nobody"}); len(got) != 0 {
		t.Fatalf("another sender sees %v", got)
	}
}
