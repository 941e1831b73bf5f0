package storage_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core/webhooks"
	"github.com/lre-project/lre/internal/storetest"
	"github.com/lre-project/lre/storage"
)

// TestSealedAtRest: neither a letter's body nor a webhook secret appears
// in lre.db; both read back through the store; the master key file is
// private.
func TestSealedAtRest(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openDB(t, dir)
	d := deposit(t, 1, "usr_a", 1)
	save(t, db, d)
	hook := webhooks.Webhook{ID: "whk_1", Organisation: "ACME", URL: "https://hooks.example.com/", Secret: "whsec_do-not-leak-this-secret", CreatedAt: t0}
	if err := db.PutWebhook(ctx, hook); err != nil {
		t.Fatal(err)
	}
	got, err := db.Content(ctx, d.Notice.ID, "body")
	if err != nil || !bytes.Equal(got, d.Contents["body"]) {
		t.Fatalf("Content = %q, %v", got, err)
	}
	w, err := db.Webhook(ctx, hook.ID)
	if err != nil || w.Secret != hook.Secret {
		t.Fatalf("Webhook secret = %q, %v", w.Secret, err)
	}
	file := backupBytes(t, db)
	for _, secret := range [][]byte{d.Contents["body"], []byte(hook.Secret)} {
		if bytes.Contains(file, secret) {
			t.Errorf("lre.db holds %q in clear", secret)
		}
	}
	fi, err := os.Stat(filepath.Join(dir, storage.MasterKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("master key file: %v, mode %v", err, fi.Mode())
	}
	key, _ := os.ReadFile(filepath.Join(dir, storage.MasterKeyFile))
	if b, err := hex.DecodeString(strings.TrimSpace(string(key))); err != nil || len(b) != 32 {
		t.Errorf("master key file is not 32 bytes in hex")
	}
}

// TestCopyWithoutMasterKey: a copy of lre.db alone opens read-only and its
// log verifies, but its contents stay sealed.
func TestCopyWithoutMasterKey(t *testing.T) {
	storetest.BoltOnly(t)
	ctx := context.Background()
	db := openDB(t, t.TempDir())
	d := deposit(t, 1, "usr_a", 2)
	save(t, db, d)
	dir := t.TempDir()
	untar(t, backupBytes(t, db), dir)
	ro, err := storage.Open(dir, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := verifyCount(t, ro); n != 2 {
		t.Errorf("VerifyLog of the copy = %d records, want 2", n)
	}
	if _, err := ro.Content(ctx, d.Notice.ID, "body"); err == nil || !strings.Contains(err.Error(), storage.MasterKeyFile) {
		t.Errorf("Content without the master key: %v, want an error naming %s", err, storage.MasterKeyFile)
	}
	ro.Close()
}

func backupBytes(t *testing.T, db *storage.DB) []byte {
	t.Helper()
	storetest.BoltOnly(t) // the bytes of the bbolt file
	var b bytes.Buffer
	if _, err := db.Backup(&b, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestWrongMasterKey: contents sealed under one master key do not open
// under another.
func TestWrongMasterKey(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := storage.Open(dir, storetest.Options(t, dir, storage.Options{LockTimeout: 200 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	d := deposit(t, 1, "usr_a", 1)
	save(t, db, d)
	db.Close()
	if err := os.WriteFile(filepath.Join(dir, storage.MasterKeyFile), []byte(strings.Repeat("ab", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db = openDB(t, dir)
	if _, err := db.Content(ctx, d.Notice.ID, "body"); err == nil {
		t.Error("contents opened under another master key")
	}
}
