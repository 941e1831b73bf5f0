package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/internal/lretest"
	"github.com/lre-project/lre/storage"
	"github.com/lre-project/lre/web"
)

// backupFixture is a data dir with a few deposited letters and an admin.
type backupFixture struct {
	dir      string
	db       *storage.DB
	svc      *services.Set
	adminKey string
	ids      []string
}

func newBackupFixture(t *testing.T, letters int) *backupFixture {
	t.Helper()
	f := &backupFixture{dir: t.TempDir()}
	db, err := storage.Open(f.dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.db = db
	a := lretest.AuthorityIn(t, filepath.Join(f.dir, "tsa"), time.Now)
	f.svc = lretest.Build(t, lretest.Fixture{DB: db, Authority: a, Clock: lretest.Following(), NoSender: true}).Svc
	ctx := context.Background()
	sender, _, err := f.svc.Accounts.AddUser(ctx, "alice@example.org", "Alice", "ACME", core.RoleSender)
	if err != nil {
		t.Fatal(err)
	}
	if _, f.adminKey, err = f.svc.Accounts.AddUser(ctx, "root@example.org", "Root", "", core.RoleAdmin); err != nil { // the operator
		t.Fatal(err)
	}
	for i := range letters {
		n, _, err := f.svc.Letters.Deposit(ctx, core.DepositRequest{Sender: sender, RecipientEmail: "bob@example.net", RecipientName: "Bob",
			Subject: "Mise en demeure", Body: "Lettre " + string(rune('A'+i))})
		if err != nil {
			t.Fatal(err)
		}
		f.ids = append(f.ids, n.ID)
	}
	return f
}

// restore follows the README: extract the copy into an empty data
// directory with tar, put the master key back, then lre log verify.
func restore(t *testing.T, f *backupFixture, copyPath string) *storage.DB {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("tar", "-xf", copyPath, "-C", dir).CombinedOutput(); err != nil {
		t.Fatalf("tar -xf the backup: %v\n%s", err, out)
	}
	key, err := os.ReadFile(filepath.Join(f.dir, storage.MasterKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, storage.MasterKeyFile), key, 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "log", "verify", "--data", dir)
	if err != nil {
		t.Fatalf("log verify of the restored copy: %v\n%s", err, out)
	}
	if want := fmt.Sprintf("contents OK: %d letters", len(f.ids)); !strings.Contains(out, want) {
		t.Errorf("log verify of the restored copy lacks %q:\n%s", want, out)
	}
	db, err := storage.Open(dir, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for i, id := range f.ids {
		body, err := db.Content(context.Background(), id, "body")
		if err != nil || string(body) != "Lettre "+string(rune('A'+i)) {
			t.Errorf("restored letter %s: %q, %v", id, body, err)
		}
	}
	return db
}

func TestBackupOffline(t *testing.T) {
	f := newBackupFixture(t, 3)
	f.db.Close()
	out := filepath.Join(t.TempDir(), "copy.tar")
	stdout, _, err := runCLI(t, "backup", "--data", f.dir, "--out", out)
	if err != nil {
		t.Fatalf("backup --data: %v", err)
	}
	if !strings.Contains(stdout, "evidence log of 3 records verified") || !strings.Contains(stdout, storage.MasterKeyFile) {
		t.Errorf("backup said:\n%s", stdout)
	}
	restore(t, f, out)
	if _, _, err := runCLI(t, "backup", "--data", f.dir); err == nil {
		t.Error("backup without --out succeeded")
	}
}

// TestBackupOnline: while a server holds the file, --data explains to use
// --url, and --url with an admin key takes the copy through the API.
func TestBackupOnline(t *testing.T) {
	f := newBackupFixture(t, 2)
	defer f.db.Close()
	srv := httptest.NewServer(web.NewServer(f.svc, web.Config{Ops: web.Ops{Backup: f.db.Backup}}))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "copy.tar")

	if _, _, err := runCLI(t, "backup", "--data", f.dir, "--out", out); err == nil || !strings.Contains(err.Error(), "--url") {
		t.Errorf("backup --data of a held data dir: %v, want advice to use --url", err)
	}
	if _, _, err := runCLI(t, "backup", "--url", srv.URL, "--key", "lre_wrongwrongwrongwrongwrongwrong", "--out", out); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("backup with a bad key: %v, want HTTP 401", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused backup left a file behind")
	}
	stdout, _, err := runCLI(t, "backup", "--url", srv.URL, "--key", f.adminKey, "--out", out)
	if err != nil {
		t.Fatalf("backup --url: %v", err)
	}
	if !strings.Contains(stdout, "evidence log of 2 records verified") {
		t.Errorf("backup said:\n%s", stdout)
	}
	restore(t, f, out)
}
