package kvtest

import (
	"bytes"
	"testing"

	"github.com/lre-project/lre/storage/kv"
)

// testGetLater keeps an index the way the store's outbox does: each
// version of a record drops the index key of the one before, through
// kv.GetLater. Three versions of one record in one transaction, and a
// record new in it, must leave exactly the last version's key, whether the
// engine runs the reads at once or batches them.
func testGetLater(t *testing.T, e kv.Engine) {
	a, idx := Buckets[0], Buckets[1]
	put := func(tx kv.Tx, id, version string) error {
		err := kv.GetLater(tx, a, []byte(id), func(prev []byte) error {
			if prev != nil {
				if err := tx.Bucket(idx).Delete(append([]byte(id+"@"), prev...)); err != nil {
					return err
				}
			}
			return tx.Bucket(idx).Put([]byte(id+"@"+version), nil)
		})
		if err != nil {
			return err
		}
		return tx.Bucket(a).Put([]byte(id), []byte(version))
	}
	update(t, e, func(tx kv.Tx) error { return put(tx, "r1", "v0") })
	update(t, e, func(tx kv.Tx) error {
		// r2 is new, so a batching engine keeps its read; the reads of r1
		// after it then wait behind it, each with r1's value at its call.
		for _, step := range [][2]string{{"r2", "v0"}, {"r1", "v1"}, {"r1", "v2"}, {"r1", "v0"}} {
			if err := put(tx, step[0], step[1]); err != nil {
				return err
			}
		}
		return nil
	})
	e.View(func(tx kv.Tx) error {
		var got []string
		c := tx.Bucket(idx).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			got = append(got, string(k))
		}
		if want := []string{"r1@v0", "r2@v0"}; !equal(got, want) {
			t.Errorf("index %q, want %q: a batched read ran out of order or saw a later write", got, want)
		}
		return nil
	})
}

// testScanAfterWrite scans a bucket, writes to it, and scans again in the
// same and in the next transaction: an engine that keeps scans must drop
// them when their bucket changes.
func testScanAfterWrite(t *testing.T, e kv.Engine) {
	a := Buckets[0]
	scan := func(tx kv.Tx) []string {
		var got []string
		c := tx.Bucket(a).Cursor()
		for k, _ := c.Seek([]byte("p/")); k != nil && bytes.HasPrefix(k, []byte("p/")); k, _ = c.Next() {
			got = append(got, string(k))
		}
		return got
	}
	update(t, e, func(tx kv.Tx) error {
		if got := scan(tx); len(got) != 0 {
			t.Errorf("empty bucket scanned %q", got)
		}
		if err := tx.Bucket(a).Put([]byte("p/1"), []byte("x")); err != nil {
			return err
		}
		if got := scan(tx); !equal(got, []string{"p/1"}) {
			t.Errorf("scan after a write in the transaction: %q", got)
		}
		return nil
	})
	update(t, e, func(tx kv.Tx) error {
		if got := scan(tx); !equal(got, []string{"p/1"}) {
			t.Errorf("scan in the next transaction: %q", got)
		}
		return tx.Bucket(a).Delete([]byte("p/1"))
	})
	update(t, e, func(tx kv.Tx) error {
		if got := scan(tx); len(got) != 0 {
			t.Errorf("scan after a committed delete: %q", got)
		}
		return nil
	})
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
