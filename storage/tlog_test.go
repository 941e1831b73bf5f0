package storage_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/internal/keyfile"
	"github.com/lre-project/lre/internal/storetest"
	"github.com/lre-project/lre/storage"
	"github.com/lre-project/lre/tlog"
)

// logEvents appends n events that belong to no letter, as consent mail does.
func logEvents(t testing.TB, db *storage.DB, tag string, n int) {
	t.Helper()
	for i := range n {
		ev := core.Event{Type: core.EventConsentGiven, Time: t0.Add(time.Duration(i) * time.Second), Details: map[string]string{"tag": tag, "i": string(rune('a' + i%26))}}
		if err := db.ApplyChange(context.Background(), core.Change{Events: []core.Event{ev}}); err != nil {
			t.Fatal(err)
		}
	}
}

// allHashes returns the chain hash of every record, in log order, read the
// way an auditor would: from the raw bbolt file.
func allHashes(t testing.TB, dir string) [][]byte {
	t.Helper()
	var out [][]byte
	withRaw(t, dir, func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("events")).ForEach(func(_, rec []byte) error {
			out = append(out, slices.Clone(rec[32:64]))
			return nil
		})
	})
	return out
}

// withRaw runs fn in a write transaction on the closed store in dir.
func withRaw(t testing.TB, dir string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	storetest.BoltOnly(t) // the bytes of the bbolt file
	b, err := bolt.Open(filepath.Join(dir, "lre.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func builderRoot(t testing.TB, hashes [][]byte) []byte {
	t.Helper()
	b := tlog.NewBuilder()
	for _, h := range hashes {
		if err := b.Append(h, nil); err != nil {
			t.Fatal(err)
		}
	}
	root, _ := b.Root()
	return root
}

func TestTreeFollowsTheLog(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openDB(t, dir)
	for i := range 40 {
		save(t, db, deposit(t, i, "u1", 1+i%3))
		if i%7 == 0 {
			logEvents(t, db, "consent", 2)
		}
	}
	head, err := db.TreeHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	records := verifyCount(t, db)
	db.Close()
	hashes := allHashes(t, dir)
	if head.Size != records || uint64(len(hashes)) != records {
		t.Fatalf("tree holds %d leaves, log %d records", head.Size, records)
	}
	if want := builderRoot(t, hashes); !bytes.Equal(head.Root, want) {
		t.Fatalf("tree root %x, recomputed %x", head.Root, want)
	}
	db = openDB(t, dir)
	for size := uint64(1); size <= head.Size; size += 5 {
		root := builderRoot(t, hashes[:size])
		for index := range size {
			p, err := db.InclusionProof(ctx, index, size)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(p.LeafHash, tlog.LeafHash(hashes[index])) {
				t.Fatalf("leaf hash of %d", index)
			}
			if err := tlog.VerifyInclusion(index, size, hashes[index], p.Hashes, root); err != nil {
				t.Fatalf("inclusion %d/%d: %v", index, size, err)
			}
		}
		c, err := db.ConsistencyProof(ctx, size, head.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.VerifyConsistency(size, head.Size, c.Hashes, root, head.Root); err != nil {
			t.Fatalf("consistency %d->%d: %v", size, head.Size, err)
		}
	}
	if _, err := db.InclusionProof(ctx, 0, head.Size+1); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("proof beyond the tree: %v", err)
	}
	if _, err := db.ConsistencyProof(ctx, 3, head.Size+1); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("consistency beyond the tree: %v", err)
	}
}

func signer(t testing.TB) *tlog.Signer {
	t.Helper()
	s, err := keyfile.LoadOrCreateLogSigner(t.TempDir(), "test-lre-evidence-log", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkpoint signs the store's current tree head and stores it.
func checkpoint(t testing.TB, db *storage.DB, s *tlog.Signer) evidence.Checkpoint {
	t.Helper()
	ctx := context.Background()
	head, err := db.TreeHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	note, err := s.SignCheckpoint(head.Size, head.Root)
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.PutCheckpoint(ctx, evidence.Checkpoint{Size: head.Size, Root: head.Root, Note: note, Token: &core.Token{DER: []byte{1}}, PublishedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func openWith(s *tlog.Signer) func([]byte) (uint64, []byte, error) {
	return func(note []byte) (uint64, []byte, error) {
		c, err := tlog.OpenCheckpoint(note, s.VerifierKey())
		return c.Size, c.Root, err
	}
}

func TestCheckpointStore(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, t.TempDir())
	s := signer(t)
	if _, err := db.LatestCheckpoint(ctx); core.ErrorCode(err) != core.ENOTFOUND {
		t.Fatalf("latest of none: %v", err)
	}
	logEvents(t, db, "a", 5)
	c5 := checkpoint(t, db, s)
	logEvents(t, db, "b", 5)
	c10 := checkpoint(t, db, s)
	again, err := db.PutCheckpoint(ctx, evidence.Checkpoint{Size: 10, Root: []byte("other"), Note: []byte("x")})
	if err != nil || !bytes.Equal(again.Note, c10.Note) {
		t.Errorf("a second checkpoint of size 10 replaced the first: %v", err)
	}
	if _, err := db.PutCheckpoint(ctx, evidence.Checkpoint{Size: 11}); err == nil {
		t.Error("stored a checkpoint beyond the tree")
	}
	for _, c := range []struct {
		name string
		get  func() (evidence.Checkpoint, error)
		want uint64
	}{
		{"latest", func() (evidence.Checkpoint, error) { return db.LatestCheckpoint(ctx) }, 10},
		{"exact 5", func() (evidence.Checkpoint, error) { return db.Checkpoint(ctx, 5) }, 5},
		{"covering 1", func() (evidence.Checkpoint, error) { return db.CheckpointCovering(ctx, 1) }, 5},
		{"covering 5", func() (evidence.Checkpoint, error) { return db.CheckpointCovering(ctx, 5) }, 5},
		{"covering 6", func() (evidence.Checkpoint, error) { return db.CheckpointCovering(ctx, 6) }, 10},
	} {
		got, err := c.get()
		if err != nil || got.Size != c.want {
			t.Errorf("%s: size %d, %v; want %d", c.name, got.Size, err, c.want)
		}
	}
	if _, err := db.Checkpoint(ctx, 7); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("exact 7: %v", err)
	}
	if _, err := db.CheckpointCovering(ctx, 11); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("covering 11: %v", err)
	}
	if n, err := db.VerifyCheckpoints(ctx, openWith(s)); err != nil || n != 2 {
		t.Errorf("VerifyCheckpoints: %d, %v", n, err)
	}
	if _, err := db.VerifyCheckpoints(ctx, openWith(signer(t))); !errors.Is(err, tlog.ErrCheckpoint) {
		t.Errorf("checkpoints verified with another key: %v", err)
	}
	if got, _ := db.Checkpoint(ctx, 5); !bytes.Equal(got.Note, c5.Note) || got.Token == nil {
		t.Errorf("checkpoint 5 read back as %+v", got)
	}
	verifyCount(t, db)
}

// copyDir copies the store file of src into a new directory.
func copyDir(t testing.TB, src string) string {
	t.Helper()
	storetest.BoltOnly(t) // the bytes of the bbolt file
	dst := t.TempDir()
	// The master key goes with the file, as in a restore: a store holding
	// letters refuses to open read-write without it.
	for _, name := range []string{"lre.db", storage.MasterKeyFile} {
		in, err := os.Open(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.Create(filepath.Join(dst, name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			t.Fatal(err)
		}
		in.Close()
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func TestVerifyLogChecksTreeAndCheckpoints(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t, dir)
	s := signer(t)
	logEvents(t, db, "a", 12)
	checkpoint(t, db, s)
	logEvents(t, db, "b", 3)
	verifyCount(t, db)
	db.Close()

	tamper := map[string]func(tx *bolt.Tx) error{
		"tree node changed": func(tx *bolt.Tx) error {
			k := append([]byte{1}, make([]byte, 8)...)
			return tx.Bucket([]byte("tlog_nodes")).Put(k, bytes.Repeat([]byte{9}, 32))
		},
		"later tree node changed": func(tx *bolt.Tx) error {
			k := append([]byte{2}, binary.BigEndian.AppendUint64(nil, 2)...)
			return tx.Bucket([]byte("tlog_nodes")).Put(k, bytes.Repeat([]byte{9}, 32))
		},
		"tree node removed": func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("tlog_nodes")).Delete(append([]byte{1}, binary.BigEndian.AppendUint64(nil, 3)...))
		},
		"tree larger than the log": func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("meta")).Put([]byte("tlog_size"), binary.BigEndian.AppendUint64(nil, 16))
		},
		"checkpoint root changed": func(tx *bolt.Tx) error {
			b := tx.Bucket([]byte("checkpoints"))
			k := binary.BigEndian.AppendUint64(nil, 12)
			v := bytes.Replace(b.Get(k), []byte(`"root":"`), []byte(`"root":"AA`), 1)
			return b.Put(k, v)
		},
		"checkpoint beyond the log": func(tx *bolt.Tx) error {
			b := tx.Bucket([]byte("checkpoints"))
			return b.Put(binary.BigEndian.AppendUint64(nil, 99), b.Get(binary.BigEndian.AppendUint64(nil, 12)))
		},
	}
	for name, fn := range tamper {
		t.Run(name, func(t *testing.T) {
			cp := copyDir(t, dir)
			withRaw(t, cp, fn)
			db := openDB(t, cp)
			_, err := db.VerifyLog(context.Background())
			var ce *core.ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("VerifyLog = %v, want a ChainError", err)
			}
			t.Log(err)
		})
	}
}

// truncateLog removes the records after keep from a closed store, as an
// operator rewriting history would, keeping everything else consistent.
func truncateLog(t testing.TB, dir string, keep uint64) {
	t.Helper()
	withRaw(t, dir, func(tx *bolt.Tx) error {
		ev, meta := tx.Bucket([]byte("events")), tx.Bucket([]byte("meta"))
		for seq := ev.Sequence(); seq > keep; seq-- {
			if err := ev.Delete(binary.BigEndian.AppendUint64(nil, seq)); err != nil {
				return err
			}
		}
		rec := ev.Get(binary.BigEndian.AppendUint64(nil, keep))
		if err := meta.Put([]byte("log_head"), append(binary.BigEndian.AppendUint64(nil, keep), rec[32:64]...)); err != nil {
			return err
		}
		if err := meta.Put([]byte("tlog_size"), binary.BigEndian.AppendUint64(nil, keep)); err != nil {
			return err
		}
		if err := tx.DeleteBucket([]byte("checkpoints")); err != nil {
			return err
		}
		if _, err := tx.CreateBucket([]byte("checkpoints")); err != nil {
			return err
		}
		return ev.SetSequence(keep)
	})
}

// An operator who removes records and appends others in a copy of the
// store gets a log that verifies on its own, but cannot prove it extends a
// checkpoint an auditor saved before.
func TestRewrittenLogFailsConsistencyWithSavedCheckpoint(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openDB(t, dir)
	s := signer(t)
	logEvents(t, db, "honest", 20)
	saved := checkpoint(t, db, s)
	db.Close()

	cp := copyDir(t, dir)
	truncateLog(t, cp, 14)
	forged := openDB(t, cp)
	logEvents(t, forged, "forged", 9)
	if n := verifyCount(t, forged); n != 23 {
		t.Fatalf("the rewritten log holds %d records", n)
	}
	head, err := forged.TreeHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p, err := forged.ConsistencyProof(ctx, saved.Size, head.Size)
	if err != nil {
		t.Fatal(err)
	}
	err = tlog.VerifyConsistency(saved.Size, head.Size, p.Hashes, saved.Root, head.Root)
	if err == nil {
		t.Fatal("the rewritten log proved it extends the checkpoint saved before the rewrite")
	}

	honest := openDB(t, dir)
	logEvents(t, honest, "more", 3)
	head, _ = honest.TreeHead(ctx)
	p, _ = honest.ConsistencyProof(ctx, saved.Size, head.Size)
	if err := tlog.VerifyConsistency(saved.Size, head.Size, p.Hashes, saved.Root, head.Root); err != nil {
		t.Fatalf("the honest log does not extend its own checkpoint: %v", err)
	}
}

// A data dir written before the transparency log existed gets its tree on
// open.
func TestOpenBuildsMissingTree(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openDB(t, dir)
	logEvents(t, db, "old", 37)
	want, _ := db.TreeHead(ctx)
	db.Close()
	withRaw(t, dir, func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte("tlog_nodes")); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Delete([]byte("tlog_size"))
	})
	db = openDB(t, dir)
	got, err := db.TreeHead(ctx)
	if err != nil || got.Size != 37 || !bytes.Equal(got.Root, want.Root) {
		t.Fatalf("rebuilt tree %d %x (%v), want %d %x", got.Size, got.Root, err, want.Size, want.Root)
	}
	logEvents(t, db, "new", 2)
	if n := verifyCount(t, db); n != 39 {
		t.Fatalf("%d records", n)
	}
}

func BenchmarkAppendWithTree(b *testing.B) {
	db := openDB(b, b.TempDir())
	ev := core.Event{Type: core.EventConsentGiven, Time: t0}
	for b.Loop() {
		if err := db.ApplyChange(context.Background(), core.Change{Events: []core.Event{ev}}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInclusionProofStore(b *testing.B) {
	db := openDB(b, b.TempDir())
	var evs []core.Event
	for i := range 5000 {
		evs = append(evs, core.Event{Type: core.EventConsentGiven, Time: t0.Add(time.Duration(i))})
	}
	if err := db.ApplyChange(context.Background(), core.Change{Events: evs}); err != nil {
		b.Fatal(err)
	}
	var i uint64
	for b.Loop() {
		if _, err := db.InclusionProof(context.Background(), i%5000, 5000); err != nil {
			b.Fatal(err)
		}
		i += 7919
	}
}
