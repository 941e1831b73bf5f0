// Package storetest opens the store that a test run is about: the bbolt file
// by default, or, with LRE_TEST_STORE=postgres, a fresh database of a
// throw-away PostgreSQL cluster (internal/pgtest). scripts/test.sh runs the
// store-facing test packages both ways, which makes their tests the one
// conformance suite both stores pass.
package storetest

import (
	"os"
	"sync"
	"testing"

	"github.com/lre-project/lre/internal/pgtest"
	"github.com/lre-project/lre/storage"
)

// Engine names the store under test: "bbolt" or "postgres".
func Engine() string {
	if os.Getenv("LRE_TEST_STORE") == "postgres" {
		return "postgres"
	}
	return "bbolt"
}

// databases maps a data dir to its database, so that reopening a dir (a
// restart) reopens the same store, as with bbolt.
var databases sync.Map

// Options returns o set for the store under test with its keys in dir: on
// PostgreSQL, with the URL of the database of dir, created on first use and
// dropped when the test that created it ends.
func Options(t testing.TB, dir string, o storage.Options) storage.Options {
	t.Helper()
	if Engine() != "postgres" || o.URL != "" {
		return o
	}
	if url, ok := databases.Load(dir); ok {
		o.URL = url.(string)
		return o
	}
	o.URL = pgtest.Shared(t).NewDatabase(t)
	databases.Store(dir, o.URL)
	t.Cleanup(func() { databases.Delete(dir) })
	return o
}

// BoltOnly skips a test of what only the bbolt file has (its lock, its
// bytes on disk) when the store under test is PostgreSQL.
func BoltOnly(t testing.TB) {
	t.Helper()
	if Engine() != "bbolt" {
		t.Skipf("bbolt file only; the store under test is %s", Engine())
	}
}

// Open opens the store under test with its keys in dir and closes it when
// t ends.
func Open(t testing.TB, dir string, o storage.Options) *storage.DB {
	t.Helper()
	db, err := storage.Open(dir, Options(t, dir, o))
	if err != nil {
		t.Fatalf("open %s store: %v", Engine(), err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
