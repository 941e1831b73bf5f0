package kv_test

import (
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
