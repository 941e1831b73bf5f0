package storage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/storetest"
)

// A letter's time-stamp token is stored once, apart from its record, and
// every read gives the letter with it; a record written while tokens were
// kept inline still reads with its token, and its next update moves the
// token out of it.
func TestNoticeTokenStoredApart(t *testing.T) {
	storetest.BoltOnly(t)
	dir := t.TempDir()
	ctx := context.Background()
	db := openDB(t, dir)
	fresh, legacy := deposit(t, 1, "alice", 1), deposit(t, 2, "alice", 1)
	for _, d := range []core.Deposit{fresh, legacy} {
		if _, _, err := db.SaveDeposit(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	// the fresh record holds no token; make the other one as older
	// versions wrote it: the token inline, no token record
	withBolt(t, dir, func(tx *bolt.Tx) {
		rec := tx.Bucket([]byte("notices")).Get([]byte(fresh.Notice.ID))
		if bytes.Contains(rec, []byte(`"token"`)) {
			t.Errorf("a new record still holds its token inline: %s", rec)
		}
		if tx.Bucket([]byte("notice_tokens")).Get([]byte(fresh.Notice.ID)) == nil {
			t.Error("no token record for a deposited letter")
		}
		inline, err := json.Marshal(legacy.Notice)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Bucket([]byte("notices")).Put([]byte(legacy.Notice.ID), inline); err != nil {
			t.Fatal(err)
		}
		if err := tx.Bucket([]byte("notice_tokens")).Delete([]byte(legacy.Notice.ID)); err != nil {
			t.Fatal(err)
		}
	})

	db = openDB(t, dir)
	for _, d := range []core.Deposit{fresh, legacy} {
		n, err := db.Notice(ctx, d.Notice.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n.Token == nil || !bytes.Equal(n.Token.DER, d.Notice.Token.DER) || n.Token.Serial != d.Notice.Token.Serial {
			t.Fatalf("letter %s read with token %+v, want %+v", d.Notice.ID, n.Token, d.Notice.Token)
		}
	}
	if _, err := db.UpdateNotice(ctx, legacy.Notice.ID, func(n *core.Notice) (core.Change, error) {
		n.Status = core.StatusNotified
		return core.Change{}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if n, err := db.Notice(ctx, legacy.Notice.ID); err != nil || n.Token == nil || !bytes.Equal(n.Token.DER, legacy.Notice.Token.DER) {
		t.Fatalf("after the update: token %+v, %v", n.Token, err)
	}
	if _, err := db.VerifyRecords(ctx, func(n core.Notice, _ []byte, _ []core.Event) error {
		if n.Token == nil {
			t.Errorf("VerifyRecords gave letter %s without its token", n.ID)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	withBolt(t, dir, func(tx *bolt.Tx) {
		if rec := tx.Bucket([]byte("notices")).Get([]byte(legacy.Notice.ID)); bytes.Contains(rec, []byte(`"token"`)) {
			t.Errorf("the updated legacy record still holds its token inline")
		}
		if tx.Bucket([]byte("notice_tokens")).Get([]byte(legacy.Notice.ID)) == nil {
			t.Error("the legacy letter's update did not store its token apart")
		}
	})
}

// withBolt runs fn in a write transaction on the closed store in dir.
func withBolt(t *testing.T, dir string, fn func(*bolt.Tx)) {
	t.Helper()
	b, err := bolt.Open(filepath.Join(dir, "lre.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Update(func(tx *bolt.Tx) error { fn(tx); return nil }); err != nil {
		t.Fatal(err)
	}
}
