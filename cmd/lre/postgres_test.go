package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lre-project/lre/internal/lretest"
	"github.com/lre-project/lre/internal/pgtest"
	"github.com/lre-project/lre/storage"
)

// The user commands act on the store --store names, not on the bbolt file
// of --data beside it.
func TestUsersPasswdStore(t *testing.T) {
	url := pgtest.Shared(t).NewDatabase(t)
	dir := t.TempDir()
	if _, _, err := runCLI(t, "users", "add", "--data", dir, "--store", url, "--email", "alice@example.org", "--name", "Alice"); err != nil {
		t.Fatal(err)
	}
	withStdin(t, "correct horse battery staple\n")
	if _, _, err := runCLI(t, "users", "passwd", "--data", dir, "--email", "alice@example.org"); err == nil || !strings.Contains(err.Error(), "no user") {
		t.Fatalf("users passwd on the bbolt file found the PostgreSQL user: %v", err)
	}
	withStdin(t, "correct horse battery staple\n")
	if out, _, err := runCLI(t, "users", "passwd", "--data", dir, "--store", url, "--email", "alice@example.org"); err != nil {
		t.Fatalf("users passwd --store: %v\n%s", err, out)
	}
	db, err := openStore(dir, url, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, _, err := lretest.Build(t, lretest.Fixture{DB: db, NoSender: true}).Svc.Accounts.Login(context.Background(), "alice@example.org", "correct horse battery staple", ""); err != nil {
		t.Errorf("login on the PostgreSQL store with the new password: %v", err)
	}
}

// lre backup on a PostgreSQL store dumps it with pg_dump, restores the dump
// into a scratch database and verifies the restored log and letters; a
// restore that cannot be done cleanly (into a database that is not empty)
// fails the backup instead of passing unverified.
func TestBackupPostgres(t *testing.T) {
	c := pgtest.Shared(t)
	if _, err := exec.LookPath("pg_dump"); err != nil && os.Getenv("CI") != "true" {
		t.Skip("pg_dump not in PATH")
	}
	url, scratch := c.NewDatabase(t), c.NewDatabase(t)
	dir := t.TempDir()
	db, err := openStore(dir, url, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := appendBenchEvents(context.Background(), db, 25); err != nil {
		t.Fatal(err)
	}
	want, err := db.VerifyLog(context.Background())
	db.Close()
	if err != nil || want == 0 {
		t.Fatalf("source log: %d records, %v", want, err)
	}
	dump := filepath.Join(t.TempDir(), "lre.dump")
	out, _, err := runCLI(t, "backup", "--data", dir, "--store", url, "--out", dump, "--verify-into", scratch)
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	for _, s := range []string{"pg_dump custom format", "restored into", "evidence log OK: " + strconv.FormatUint(want, 10) + " records", "letters OK: 1 stored records"} {
		if !strings.Contains(out, s) {
			t.Errorf("backup output lacks %q:\n%s", s, out)
		}
	}
	if strings.Contains(out, "REDACTED") || strings.Contains(out, "password") {
		t.Errorf("backup output shows credentials:\n%s", out)
	}
	if _, _, err := runCLI(t, "backup", "--data", dir, "--store", url, "--out", filepath.Join(t.TempDir(), "again.dump"), "--verify-into", scratch); err == nil {
		t.Error("a restore into a database that already holds a store passed")
	}
}
