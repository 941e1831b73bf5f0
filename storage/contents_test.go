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
	"testing"

	"github.com/lre-project/lre/core"
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

func contentFile(dir string, n core.Notice) string {
	return filepath.Join(dir, storage.ContentDir, n.SubmittedAt.UTC().Format("2006-01"), n.ID+".lre")
}

// TestContentsInFiles: a letter's documents go to a file of their own,
// durable before the transaction that references it: the hook between the
// two sees the file and no letter yet.
func TestContentsInFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var db *storage.DB
	var sawFile, sawLetter bool
	d := deposit(t, 1, "usr_a", 1)
	db, err := storage.Open(dir, storage.Options{AfterContentSync: func(id string) {
		_, err := os.Stat(contentFile(dir, d.Notice))
		sawFile = err == nil
		_, err = db.Notice(ctx, id)
		sawLetter = err == nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	save(t, db, d)
	if !sawFile || sawLetter {
		t.Errorf("between file and commit: file present %v, letter present %v; want the file and no letter", sawFile, sawLetter)
	}
	got, err := db.Content(ctx, d.Notice.ID, "body")
	if err != nil || !bytes.Equal(got, d.Contents["body"]) {
		t.Fatalf("Content = %q, %v", got, err)
	}
	raw, _ := os.ReadFile(contentFile(dir, d.Notice))
	if len(raw) <= len(d.Contents["body"]) || bytes.Contains(raw, d.Contents["body"]) {
		t.Errorf("content file of %d bytes: want the body sealed, not in clear", len(raw))
	}
	if n, err := db.VerifyContents(); n != 1 || err != nil {
		t.Errorf("VerifyContents = %d, %v", n, err)
	}
}

// TestUnreferencedFilesRemovedAtOpen: a file that no committed record
// names (a crash between its fsync and the commit) is gone after a
// restart; referenced ones stay.
func TestUnreferencedFilesRemovedAtOpen(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t, dir)
	d := deposit(t, 1, "usr_a", 1)
	save(t, db, d)
	db.Close()
	orphan := deposit(t, 2, "usr_a", 1)
	stray := contentFile(dir, orphan.Notice)
	if err := os.WriteFile(stray, []byte("half a letter"), 0o600); err != nil {
		t.Fatal(err)
	}
	db = openDB(t, dir)
	if _, err := os.Stat(stray); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("unreferenced file after restart: %v, want it removed", err)
	}
	if _, err := db.Content(context.Background(), d.Notice.ID, "body"); err != nil {
		t.Errorf("the committed letter lost its content: %v", err)
	}
	save(t, db, orphan) // its id is free again
}

// TestVerifyContentsMissingFile: a reference whose file went missing (an
// operator's mistake, a bad restore) is reported.
func TestVerifyContentsMissingFile(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t, dir)
	d := deposit(t, 1, "usr_a", 1)
	save(t, db, d)
	if err := os.Remove(contentFile(dir, d.Notice)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.VerifyContents(); err == nil || !strings.Contains(err.Error(), d.Notice.ID) {
		t.Errorf("VerifyContents with a file missing: %v, want an error naming it", err)
	}
}

// TestPurgeRemovesFile: crypto-shredding deletes the letter key and the
// file.
func TestPurgeRemovesFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openDB(t, dir)
	d := deposit(t, 1, "usr_a", 1)
	save(t, db, d)
	_, err := db.UpdateNotice(ctx, d.Notice.ID, func(n *core.Notice) (core.Change, error) {
		return core.Change{Purge: []string{n.ID}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(contentFile(dir, d.Notice)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("content file after purge: %v, want it removed", err)
	}
	if _, err := db.Content(ctx, d.Notice.ID, "body"); core.ErrorCode(err) != core.EGONE {
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
	// The same archive without its last content file.
	var cut bytes.Buffer
	tr, tw := tar.NewReader(bytes.NewReader(b.Bytes())), tar.NewWriter(&cut)
	for i := 0; ; i++ {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if i == 3 {
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
