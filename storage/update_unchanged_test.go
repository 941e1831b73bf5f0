package storage_test

import (
	"context"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/storetest"
)

// TestUpdateNoticeUnchangedWritesNothing: an update that leaves the letter
// as it was (an outbox attempt) does not rewrite the letter's record, whose
// leaf pages were a third of the disk written per letter; one that changes
// it does. A rewritten bbolt page gets a new page id, so the notices
// bucket's root page, rewritten with any of its leaves, tells the two apart.
func TestUpdateNoticeUnchangedWritesNothing(t *testing.T) {
	storetest.BoltOnly(t)
	dir := t.TempDir()
	ctx := context.Background()
	db := openDB(t, dir)
	var d core.Deposit
	for i := range 20 { // enough letters for the bucket to have pages of its own
		d = deposit(t, i, "alice", 1)
		if _, _, err := db.SaveDeposit(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	before := noticesRoot(t, dir)

	db = openDB(t, dir)
	if _, err := db.UpdateNotice(ctx, d.Notice.ID, func(n *core.Notice) (core.Change, error) { return core.Change{}, nil }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if got := noticesRoot(t, dir); got != before {
		t.Fatalf("an update that changed nothing rewrote the notices page: %d -> %d", before, got)
	}

	db = openDB(t, dir)
	if _, err := db.UpdateNotice(ctx, d.Notice.ID, func(n *core.Notice) (core.Change, error) {
		n.Subject += " (relance)"
		return core.Change{}, nil
	}); err != nil {
		t.Fatal(err)
	}
	n, err := db.Notice(ctx, d.Notice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n.Subject != d.Notice.Subject+" (relance)" {
		t.Fatalf("subject after the update: %q", n.Subject)
	}
	db.Close()
	if got := noticesRoot(t, dir); got == before {
		t.Fatalf("an update that changed the letter left the notices page %d as it was", got)
	}
}

// noticesRoot is the page id of the notices bucket's root in the closed
// store in dir.
func noticesRoot(t *testing.T, dir string) uint64 {
	t.Helper()
	var root uint64
	withBolt(t, dir, func(tx *bolt.Tx) { root = uint64(tx.Bucket([]byte("notices")).Root()) })
	if root == 0 {
		t.Fatal("the notices bucket is inline: its root page says nothing")
	}
	return root
}
