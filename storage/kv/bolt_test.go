package kv_test

import (
	"encoding/binary"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/lre-project/lre/storage/kv"
	"github.com/lre-project/lre/storage/kv/kvtest"
)

func TestBoltConformance(t *testing.T) {
	kvtest.Run(t, func(t *testing.T) kv.Engine {
		db, err := bolt.Open(filepath.Join(t.TempDir(), "kv.db"), 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		err = db.Update(func(tx *bolt.Tx) error {
			for _, b := range kvtest.Buckets {
				if _, err := tx.CreateBucketIfNotExists(b); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return kv.Bolt{DB: db}
	})
}

// TestBoltAscendingFillsPages: appending to an Ascending bucket leaves its
// leaves nearly full, where bbolt's default split leaves them half full
// (and so writes twice the pages).
func TestBoltAscendingFillsPages(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "kv.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range []string{"log", "plain"} {
			if _, err := tx.CreateBucket([]byte(name)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e := kv.Bolt{DB: db, Ascending: map[string]bool{"log": true}}
	for i := range 2000 {
		err := e.Update(func(tx kv.Tx) error {
			for _, name := range []string{"log", "plain"} {
				b := tx.Bucket([]byte(name))
				seq, err := b.NextSequence()
				if err != nil {
					return err
				}
				if err := b.Put(binary.BigEndian.AppendUint64(nil, seq), make([]byte, 100)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	fill := func(name string) float64 {
		var s bolt.BucketStats
		if err := db.View(func(tx *bolt.Tx) error { s = tx.Bucket([]byte(name)).Stats(); return nil }); err != nil {
			t.Fatal(err)
		}
		return float64(s.LeafInuse) / float64(s.LeafAlloc)
	}
	if got := fill("log"); got < 0.9 {
		t.Errorf("ascending bucket's leaves %.0f %% full, want at least 90 %%", 100*got)
	}
	if got := fill("plain"); got > 0.7 {
		t.Errorf("default bucket's leaves %.0f %% full: the test no longer shows the difference", 100*got)
	}
}
