// Package kvtest is the conformance suite of storage/kv engines: bbolt and
// PostgreSQL run the same tests, so the store written over them behaves the
// same on both.
package kvtest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/lre-project/lre/storage/kv"
)

// Buckets are the buckets the suite uses; Open must create them.
var Buckets = [][]byte{[]byte("kvtest_a"), []byte("kvtest_b")}

// Run runs the suite on engines made by open, each fresh and empty.
func Run(t *testing.T, open func(t *testing.T) kv.Engine) {
	t.Run("PutGetDelete", func(t *testing.T) { testPutGetDelete(t, open(t)) })
	t.Run("CursorOrder", func(t *testing.T) { testCursorOrder(t, open(t)) })
	t.Run("Sequences", func(t *testing.T) { testSequences(t, open(t)) })
	t.Run("Rollback", func(t *testing.T) { testRollback(t, open(t)) })
	t.Run("WritersSerialised", func(t *testing.T) { testWritersSerialised(t, open(t)) })
	t.Run("BucketsApart", func(t *testing.T) { testBucketsApart(t, open(t)) })
	t.Run("GetLater", func(t *testing.T) { testGetLater(t, open(t)) })
	t.Run("ScanAfterWrite", func(t *testing.T) { testScanAfterWrite(t, open(t)) })
	t.Run("ViewFromTwoGoroutines", func(t *testing.T) { testViewFromTwoGoroutines(t, open(t)) })
	t.Run("ReadOne", func(t *testing.T) { testReadOne(t, open(t)) })
}

func update(t *testing.T, e kv.Engine, fn func(kv.Tx) error) {
	t.Helper()
	if err := e.Update(fn); err != nil {
		t.Fatalf("update: %v", err)
	}
}

func testPutGetDelete(t *testing.T, e kv.Engine) {
	a := Buckets[0]
	update(t, e, func(tx kv.Tx) error {
		if !tx.Writable() {
			t.Error("update transaction not writable")
		}
		if err := tx.Bucket(a).Put([]byte("k1"), []byte("v1")); err != nil {
			return err
		}
		if err := tx.Bucket(a).Put([]byte("k2"), []byte{}); err != nil {
			return err
		}
		if got := tx.Bucket(a).Get([]byte("k1")); string(got) != "v1" {
			t.Errorf("read own write: got %q", got)
		}
		return tx.Bucket(a).Put([]byte("k1"), []byte("v1b"))
	})
	e.View(func(tx kv.Tx) error {
		if tx.Writable() {
			t.Error("view transaction writable")
		}
		if got := tx.Bucket(a).Get([]byte("k1")); string(got) != "v1b" {
			t.Errorf("k1 = %q, want the overwritten value", got)
		}
		if got := tx.Bucket(a).Get([]byte("k2")); got == nil || len(got) != 0 {
			t.Errorf("empty value read as %v, want empty non-nil", got)
		}
		if got := tx.Bucket(a).Get([]byte("absent")); got != nil {
			t.Errorf("absent key = %q", got)
		}
		if n := tx.Bucket(a).KeyN(); n != 2 {
			t.Errorf("KeyN = %d, want 2", n)
		}
		return nil
	})
	update(t, e, func(tx kv.Tx) error { return tx.Bucket(a).Delete([]byte("k1")) })
	e.View(func(tx kv.Tx) error {
		if got := tx.Bucket(a).Get([]byte("k1")); got != nil {
			t.Errorf("deleted key still reads %q", got)
		}
		return nil
	})
}

// keys spans more than one page of a paging cursor and sorts bytewise:
// 0x00 and 0xff bytes, prefixes before their extensions.
func keys() [][]byte {
	var ks [][]byte
	for i := 0; i < 300; i++ {
		k := make([]byte, 8)
		binary.BigEndian.PutUint64(k, uint64(i)*0x0101010101)
		ks = append(ks, k)
	}
	return append(ks, []byte{0xff}, []byte{0xff, 0x00}, []byte{0xff, 0xff, 0xff})
}

func testCursorOrder(t *testing.T, e kv.Engine) {
	a := Buckets[0]
	ks := keys()
	update(t, e, func(tx kv.Tx) error {
		for i := len(ks) - 1; i >= 0; i-- {
			if err := tx.Bucket(a).Put(ks[i], []byte(fmt.Sprint(i))); err != nil {
				return err
			}
		}
		return nil
	})
	e.View(func(tx kv.Tx) error {
		c := tx.Bucket(a).Cursor()
		i := 0
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if i >= len(ks) || !bytes.Equal(k, ks[i]) || string(v) != fmt.Sprint(i) {
				t.Fatalf("forward scan at %d: got %x=%q", i, k, v)
			}
			i++
		}
		if i != len(ks) {
			t.Errorf("forward scan saw %d keys, want %d", i, len(ks))
		}
		i = len(ks) - 1
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			if !bytes.Equal(k, ks[i]) {
				t.Fatalf("backward scan at %d: got %x want %x", i, k, ks[i])
			}
			i--
		}
		if i != -1 {
			t.Errorf("backward scan stopped at %d", i)
		}
		// Seek lands on the first key at or after its argument, then walks
		// either way across page boundaries.
		k, _ := c.Seek(append(append([]byte(nil), ks[150]...), 0))
		if !bytes.Equal(k, ks[151]) {
			t.Errorf("seek past key 150 = %x, want key 151", k)
		}
		if k, _ = c.Prev(); !bytes.Equal(k, ks[150]) {
			t.Errorf("prev after seek = %x, want key 150", k)
		}
		if k, _ = c.Next(); !bytes.Equal(k, ks[151]) {
			t.Errorf("next after prev = %x, want key 151", k)
		}
		if k, _ = c.Seek([]byte{0xff, 0xff, 0xff, 0xff}); k != nil {
			t.Errorf("seek past the end = %x, want nil", k)
		}
		n := 0
		tx.Bucket(a).ForEach(func(k, v []byte) error { n++; return nil })
		if n != len(ks) {
			t.Errorf("ForEach saw %d keys, want %d", n, len(ks))
		}
		return nil
	})
	update(t, e, func(tx kv.Tx) error {
		c := tx.Bucket(a).Cursor()
		for k, _ := c.First(); k != nil && k[0] != 0xff; k, _ = c.Next() {
			if err := c.Delete(); err != nil {
				return err
			}
		}
		return nil
	})
	e.View(func(tx kv.Tx) error {
		if n := tx.Bucket(a).KeyN(); n != 3 {
			t.Errorf("after deleting through a cursor KeyN = %d, want 3", n)
		}
		return nil
	})
}

func testSequences(t *testing.T, e kv.Engine) {
	a, b := Buckets[0], Buckets[1]
	update(t, e, func(tx kv.Tx) error {
		for want := uint64(1); want <= 3; want++ {
			got, err := tx.Bucket(a).NextSequence()
			if err != nil || got != want {
				t.Errorf("NextSequence = %d, %v, want %d", got, err, want)
			}
		}
		if got := tx.Bucket(b).Sequence(); got != 0 {
			t.Errorf("untouched bucket's sequence = %d", got)
		}
		return tx.Bucket(b).SetSequence(41)
	})
	update(t, e, func(tx kv.Tx) error {
		if got := tx.Bucket(a).Sequence(); got != 3 {
			t.Errorf("sequence after commit = %d, want 3", got)
		}
		if got, _ := tx.Bucket(b).NextSequence(); got != 42 {
			t.Errorf("NextSequence after SetSequence(41) = %d", got)
		}
		return nil
	})
}

var errAbort = errors.New("abort")

func testRollback(t *testing.T, e kv.Engine) {
	a := Buckets[0]
	err := e.Update(func(tx kv.Tx) error {
		tx.Bucket(a).Put([]byte("x"), []byte("1"))
		tx.Bucket(a).NextSequence()
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	e.View(func(tx kv.Tx) error {
		if got := tx.Bucket(a).Get([]byte("x")); got != nil {
			t.Errorf("rolled-back write visible: %q", got)
		}
		if got := tx.Bucket(a).Sequence(); got != 0 {
			t.Errorf("rolled-back sequence visible: %d", got)
		}
		return nil
	})
}

// testWritersSerialised runs read-modify-write increments from many
// goroutines: an engine that let two writers interleave would lose some.
func testWritersSerialised(t *testing.T, e kv.Engine) {
	a := Buckets[0]
	const workers, each = 8, 10
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				err := e.Update(func(tx kv.Tx) error {
					var n uint64
					if v := tx.Bucket(a).Get([]byte("counter")); v != nil {
						n = binary.BigEndian.Uint64(v)
					}
					return tx.Bucket(a).Put([]byte("counter"), binary.BigEndian.AppendUint64(nil, n+1))
				})
				if err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	e.View(func(tx kv.Tx) error {
		if got := binary.BigEndian.Uint64(tx.Bucket(a).Get([]byte("counter"))); got != workers*each {
			t.Errorf("counter = %d, want %d: writers interleaved", got, workers*each)
		}
		return nil
	})
}

func testBucketsApart(t *testing.T, e kv.Engine) {
	a, b := Buckets[0], Buckets[1]
	update(t, e, func(tx kv.Tx) error {
		if err := tx.Bucket(a).Put([]byte("same"), []byte("a")); err != nil {
			return err
		}
		return tx.Bucket(b).Put([]byte("same"), []byte("b"))
	})
	e.View(func(tx kv.Tx) error {
		if ga, gb := tx.Bucket(a).Get([]byte("same")), tx.Bucket(b).Get([]byte("same")); string(ga) != "a" || string(gb) != "b" {
			t.Errorf("buckets share keys: a=%q b=%q", ga, gb)
		}
		if n := tx.Bucket(b).KeyN(); n != 1 {
			t.Errorf("bucket b KeyN = %d, want 1", n)
		}
		return nil
	})
}

// testViewFromTwoGoroutines scans two buckets at once in one read
// transaction, as lre log verify does (records on one goroutine, tree
// nodes on another), over more rows than one fetch of a paging engine.
func testViewFromTwoGoroutines(t *testing.T, e kv.Engine) {
	const n = 1000
	update(t, e, func(tx kv.Tx) error {
		for i := range n {
			k := binary.BigEndian.AppendUint64(nil, uint64(i))
			for _, b := range Buckets {
				if err := tx.Bucket(b).Put(k, k); err != nil {
					return err
				}
			}
		}
		return nil
	})
	err := e.View(func(tx kv.Tx) error {
		var wg sync.WaitGroup
		counts := make([]int, len(Buckets))
		for i, b := range Buckets {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := tx.Bucket(b).Cursor()
				for k, v := c.First(); k != nil; k, v = c.Next() {
					if !bytes.Equal(k, v) || binary.BigEndian.Uint64(k) != uint64(counts[i]) {
						return
					}
					counts[i]++
				}
			}()
		}
		wg.Wait()
		for i, c := range counts {
			if c != n {
				t.Errorf("bucket %s: %d rows read in order, want %d", Buckets[i], c, n)
			}
		}
		return nil
	})
	if err != nil {
		t.Errorf("view: %v", err)
	}
}

// testReadOne holds kv.ReadOne, with or without the engine's own, to what a
// View's Get answers: the committed value (a copy), empty as empty, absent
// as nil, and the bucket's own keys only.
func testReadOne(t *testing.T, e kv.Engine) {
	a, b := Buckets[0], Buckets[1]
	update(t, e, func(tx kv.Tx) error {
		if err := tx.Bucket(a).Put([]byte("k"), []byte("v1")); err != nil {
			return err
		}
		return tx.Bucket(a).Put([]byte("empty"), []byte{})
	})
	read := func(bucket []byte, key string) []byte {
		t.Helper()
		v, err := kv.ReadOne(e, bucket, []byte(key))
		if err != nil {
			t.Fatalf("ReadOne %s/%s: %v", bucket, key, err)
		}
		return v
	}
	got := read(a, "k")
	if string(got) != "v1" {
		t.Errorf("ReadOne k = %q, want v1", got)
	}
	if v := read(a, "empty"); v == nil || len(v) != 0 {
		t.Errorf("ReadOne of an empty value = %v, want empty non-nil", v)
	}
	if v := read(a, "absent"); v != nil {
		t.Errorf("ReadOne of an absent key = %q, want nil", v)
	}
	if v := read(b, "k"); v != nil {
		t.Errorf("ReadOne read bucket a's key in bucket b: %q", v)
	}
	update(t, e, func(tx kv.Tx) error { return tx.Bucket(a).Put([]byte("k"), []byte("v2")) })
	if string(got) != "v1" {
		t.Errorf("the value ReadOne returned changed with a later write: %q", got)
	}
	if v := read(a, "k"); string(v) != "v2" {
		t.Errorf("ReadOne after an update = %q, want v2", v)
	}
	update(t, e, func(tx kv.Tx) error { return tx.Bucket(a).Delete([]byte("k")) })
	if v := read(a, "k"); v != nil {
		t.Errorf("ReadOne of a deleted key = %q", v)
	}
}
