package storage_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/storetest"
	"github.com/lre-project/lre/storage"
)

// untar extracts a backup into dir, as `tar -xf` would.
func untar(t *testing.T, b []byte, dir string) {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(tr)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func segments(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, storage.ContentDir, "*.seg"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func readAll(t *testing.T, paths []string) []byte {
	var b []byte
	for _, p := range paths {
		data, _ := os.ReadFile(p)
		b = append(b, data...)
	}
	return b
}

// TestContentsInSegments: a letter's documents are appended to a segment,
// durable before the transaction that references it: the hook between the
// two sees the bytes and no letter yet.
func TestContentsInSegments(t *testing.T) {
	storetest.BoltOnly(t) // segment files beside the bbolt file; PostgreSQL keeps contents in its contents table
	ctx := context.Background()
	dir := t.TempDir()
	var db *storage.DB
	var sawBytes, sawLetter bool
	d := deposit(t, 1, "usr_a", 1)
	db, err := storage.Open(dir, storage.Options{AfterContentSync: func(id string) {
		sawBytes = len(readAll(t, segments(t, dir))) > len(d.Contents["body"])
		_, err := db.Notice(ctx, id)
		sawLetter = err == nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	save(t, db, d)
	if !sawBytes || sawLetter {
		t.Errorf("between append and commit: bytes present %v, letter present %v; want the bytes and no letter", sawBytes, sawLetter)
	}
	got, err := db.Content(ctx, d.Notice.ID, "body")
	if err != nil || !bytes.Equal(got, d.Contents["body"]) {
		t.Fatalf("Content = %q, %v", got, err)
	}
	if raw := readAll(t, segments(t, dir)); bytes.Contains(raw, d.Contents["body"]) {
		t.Error("the body is in clear in a segment")
	}
	if n, err := db.VerifyContents(); n != 1 || err != nil {
		t.Errorf("VerifyContents = %d, %v", n, err)
	}
}

// TestUnreferencedSegmentsRemovedAtOpen: a segment that no committed
// record names (a crash between its fdatasync and the commit) is gone
// after a restart; referenced ones stay.
func TestUnreferencedSegmentsRemovedAtOpen(t *testing.T) {
	storetest.BoltOnly(t) // segment files beside the bbolt file; PostgreSQL keeps contents in its contents table
	dir := t.TempDir()
	db := openDB(t, dir)
	d := deposit(t, 1, "usr_a", 1)
	save(t, db, d)
	db.Close()
	stray := filepath.Join(dir, storage.ContentDir, "000000000099.seg")
	if err := os.WriteFile(stray, []byte("half a letter"), 0o600); err != nil {
		t.Fatal(err)
	}
	db = openDB(t, dir)
	if _, err := os.Stat(stray); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("unreferenced segment after restart: %v, want it removed", err)
	}
	if _, err := db.Content(context.Background(), d.Notice.ID, "body"); err != nil {
		t.Errorf("the committed letter lost its content: %v", err)
	}
	save(t, db, deposit(t, 2, "usr_a", 1))
	if n, err := db.VerifyContents(); n != 2 || err != nil {
		t.Errorf("VerifyContents = %d, %v", n, err)
	}
}

// TestVerifyContentsMissingSegment: a reference whose segment went
// missing (an operator's mistake, a bad restore) is reported.
func TestVerifyContentsMissingSegment(t *testing.T) {
	storetest.BoltOnly(t) // segment files beside the bbolt file; PostgreSQL keeps contents in its contents table
	dir := t.TempDir()
	db := openDB(t, dir)
	save(t, db, deposit(t, 1, "usr_a", 1))
	for _, p := range segments(t, dir) {
		os.Truncate(p, 10)
	}
	if _, err := db.VerifyContents(); err == nil || !strings.Contains(err.Error(), "segment") {
		t.Errorf("VerifyContents with a truncated segment: %v, want an error naming it", err)
	}
}

// TestPurgeRemovesSegment: crypto-shredding deletes the letter key; once
// every letter of a segment is purged, the segment goes too (the current
// one waits for the next start, which never appends to it again).
func TestPurgeRemovesSegment(t *testing.T) {
	storetest.BoltOnly(t) // segment files beside the bbolt file; PostgreSQL keeps contents in its contents table
	ctx := context.Background()
	dir := t.TempDir()
	db := openDB(t, dir)
	a, b := deposit(t, 1, "usr_a", 1), deposit(t, 2, "usr_a", 1)
	save(t, db, a)
	save(t, db, b)
	db.Close()
	db = openDB(t, dir)
	purge := func(id string) {
		t.Helper()
		_, err := db.UpdateNotice(ctx, id, func(n *core.Notice) (core.Change, error) {
			return core.Change{Purge: []string{n.ID}}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	purge(a.Notice.ID)
	if len(segments(t, dir)) != 1 {
		t.Errorf("segments after purging one of its two letters: %v, want it kept", segments(t, dir))
	}
	if got, err := db.Content(ctx, b.Notice.ID, "body"); err != nil || !bytes.Equal(got, b.Contents["body"]) {
		t.Errorf("the other letter: %q, %v", got, err)
	}
	purge(b.Notice.ID)
	if s := segments(t, dir); len(s) != 0 {
		t.Errorf("segments after purging every letter: %v, want none", s)
	}
	if _, err := db.Content(ctx, a.Notice.ID, "body"); core.ErrorCode(err) != core.EGONE {
		t.Errorf("Content after purge: %v, want EGONE", err)
	}
	if n, err := db.VerifyContents(); n != 0 || err != nil {
		t.Errorf("VerifyContents after purge = %d, %v", n, err)
	}
}

// TestBackupArchive: the backup is a tar of lre.db and the files it
// references, of the length announced; VerifyBackupFile checks both and
// notices a file left out.
func TestBackupArchive(t *testing.T) {
	storetest.BoltOnly(t) // segment files beside the bbolt file; PostgreSQL keeps contents in its contents table
	ctx := context.Background()
	db := openDB(t, t.TempDir())
	for i := 1; i <= 3; i++ {
		save(t, db, deposit(t, i, "usr_a", 1))
	}
	var b bytes.Buffer
	var announced int64
	n, err := db.Backup(&b, func(size int64) { announced = size })
	if err != nil || n != announced || n != int64(b.Len()) {
		t.Fatalf("Backup = %d bytes, announced %d, wrote %d: %v", n, announced, b.Len(), err)
	}
	path := filepath.Join(t.TempDir(), "copy.tar")
	os.WriteFile(path, b.Bytes(), 0o600)
	if records, err := storage.VerifyBackupFile(ctx, path); err != nil || records != 3 {
		t.Errorf("VerifyBackupFile = %d, %v; want 3 records", records, err)
	}
	// The same archive without its content segment.
	var cut bytes.Buffer
	tr, tw := tar.NewReader(bytes.NewReader(b.Bytes())), tar.NewWriter(&cut)
	for i := 0; ; i++ {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if i == 1 {
			continue
		}
		tw.WriteHeader(h)
		io.Copy(tw, tr)
	}
	tw.Close()
	os.WriteFile(path, cut.Bytes(), 0o600)
	if _, err := storage.VerifyBackupFile(ctx, path); err == nil {
		t.Error("VerifyBackupFile passed an archive missing a content file")
	}
}

// TestSealedBuffersReused: the sealed copies of deposits share pooled
// buffers (crypt.go, sealBuffers). Letters deposited one after the other
// and many at once, each with documents of different sizes, read back as their
// own bytes: a buffer handed back while its bytes were still to be written,
// or two documents sealed over each other, would show here.
func TestSealedBuffersReused(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, t.TempDir())
	const letters = 96
	want := map[string]map[string][]byte{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range letters {
		d := deposit(t, 100+i, "usr_a", 1)
		d.Contents["body"] = bytes.Repeat([]byte{byte('a' + i%26)}, 1000+i*3001)
		d.Contents["att-1"] = bytes.Repeat([]byte{byte('A' + i%26)}, 17+i*517)
		mu.Lock()
		want[d.Notice.ID] = d.Contents
		mu.Unlock()
		if i%8 == 0 {
			save(t, db, d)
			continue
		}
		wg.Go(func() {
			if _, _, err := db.SaveDeposit(ctx, d); err != nil {
				t.Errorf("save %s: %v", d.Notice.ID, err)
			}
		})
	}
	wg.Wait()
	for id, docs := range want {
		for key, b := range docs {
			got, err := db.Content(ctx, id, key)
			if err != nil || !bytes.Equal(got, b) {
				t.Errorf("%s/%s: %d bytes, %v; want its own %d bytes", id, key, len(got), err, len(b))
			}
		}
	}
	if storetest.Engine() != "bbolt" {
		return // contents in a table: nothing to count in segment files
	}
	if n, err := db.VerifyContents(); n != letters || err != nil {
		t.Errorf("VerifyContents = %d, %v; want %d letters", n, err, letters)
	}
}
