package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/lretest"
	"github.com/lre-project/lre/storage"
)

// apiKey is what `users add` must print last: the prefix, then at least
// 26 characters of lower-case base32 (128 bits and more).
var apiKey = regexp.MustCompile(`^lre_[a-z2-7]{26,}$`)

func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), err
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestUsersAdd(t *testing.T) {
	tests := []struct {
		name    string
		role    string
		wantErr string
	}{
		{"sender", "sender", ""},
		{"auditor", "auditor", ""},
		{"admin", "admin", ""},
		{"bad role", "superuser", "role"},
		{"empty role", "", "role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			out, _, err := runCLI(t, "users", "add", "--data", dir, "--email", "Alice@Example.org", "--name", "Alice Martin", "--org", "ACME", "--role", tt.role)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("users add --role %q: %v, want an error about %s", tt.role, err, tt.wantErr)
				}
				if strings.Contains(out, "lre_") {
					t.Errorf("a key was printed although the user was refused:\n%s", out)
				}
				return
			}
			if err != nil {
				t.Fatalf("users add: %v", err)
			}
			key := lastLine(out)
			if !apiKey.MatchString(key) {
				t.Fatalf("last line %q is not an API key (lre_ then 26+ base32 characters)", key)
			}
			// The printed key must be the one stored (hashed) for this user.
			db, err := storage.Open(dir, storage.Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			u, err := lretest.Build(t, lretest.Fixture{DB: db, NoSender: true}).Svc.Accounts.Authenticate(context.Background(), key)
			if err != nil {
				t.Fatalf("the printed key does not authenticate: %v", err)
			}
			if u.Email != "alice@example.org" || string(u.Role) != tt.role || u.Organisation != "ACME" {
				t.Errorf("key belongs to %+v", u)
			}
		})
	}
}

func TestUsersAddRefusals(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := runCLI(t, "users", "add", "--data", dir, "--email", "alice@example.org", "--name", "Alice"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"email taken", []string{"--email", "ALICE@example.org", "--name", "Alice again"}, "already exists"},
		{"no email", []string{"--name", "Alice"}, "email"},
		{"no name", []string{"--email", "bob@example.org"}, "name"},
		{"two addresses", []string{"--email", "a@b.com, c@d.com", "--name", "X"}, "email"},
		{"stray argument", []string{"--email", "bob@example.org", "--name", "Bob", "extra"}, "extra"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, err := runCLI(t, append([]string{"users", "add", "--data", dir}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("users add %v: %v, want an error about %q", tt.args, err, tt.wantErr)
			}
			if strings.Contains(out, "lre_") {
				t.Errorf("a key was printed:\n%s", out)
			}
		})
	}

	t.Run("data dir held by a running server", func(t *testing.T) {
		held, err := storage.Open(dir, storage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer held.Close()
		_, _, err = runCLI(t, "users", "add", "--data", dir, "--email", "carol@example.org", "--name", "Carol")
		if !errors.Is(err, storage.ErrInUse) {
			t.Errorf("users add on a held data dir: %v, want storage.ErrInUse", err)
		}
	})
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{
		{"users", "add", "--help"},
		{"log", "verify", "--help"},
		{"serve", "--help"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, errb, err := runCLI(t, args...)
			if !errors.Is(err, flag.ErrHelp) {
				t.Errorf("%v: %v, want flag.ErrHelp", args, err)
			}
			if !strings.Contains(errb, "Usage: lre") || !strings.Contains(errb, "-data") {
				t.Errorf("%v printed no usage with its flags:\n%s", args, errb)
			}
		})
	}
	for _, args := range [][]string{nil, {"frobnicate"}, {"users"}, {"log"}} {
		t.Run(fmt.Sprintf("usage %v", args), func(t *testing.T) {
			if _, _, err := runCLI(t, args...); !errors.Is(err, errUsage) {
				t.Errorf("%v: %v, want errUsage", args, err)
			}
		})
	}
}

type logFixture struct {
	dir    string
	events []core.Event // one SubmissionAcceptance per deposit, in log order
}

// newLogFixture builds a data dir holding n deposits with the real store,
// service and embedded authority, then closes it as a stopped server would.
func newLogFixture(t *testing.T, n int) logFixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := storage.Open(dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := lretest.AuthorityIn(t, filepath.Join(dir, "tsa"), time.Now)
	svc := lretest.Build(t, lretest.Fixture{DB: db, Authority: a, Clock: lretest.Following(), NoSender: true}).Svc
	u, _, err := svc.Accounts.AddUser(ctx, "alice@example.org", "Alice", "ACME", core.RoleSender)
	if err != nil {
		t.Fatal(err)
	}
	f := logFixture{dir: dir}
	for i := range n {
		nt, _, err := svc.Letters.Deposit(ctx, core.DepositRequest{
			Sender: u, RecipientEmail: "bob@example.net", RecipientName: "Bob",
			Subject: fmt.Sprintf("Lettre %d", i), Body: "Madame, Monsieur,",
		})
		if err != nil || nt.Status != core.StatusDeposited {
			t.Fatalf("deposit %d: %s, %v", i, nt.Status, err)
		}
		evs, err := db.NoticeEvents(ctx, nt.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.Type == core.EventSubmissionAcceptance {
				f.events = append(f.events, e)
			}
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestLogVerify(t *testing.T) {
	f := newLogFixture(t, 3)
	out, _, err := runCLI(t, "log", "verify", "--data", f.dir)
	if err != nil {
		t.Fatalf("log verify of an untouched log: %v", err)
	}
	db, err := storage.Open(f.dir, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	records, err := db.VerifyLog(context.Background())
	db.Close()
	if err != nil || records < uint64(len(f.events)) {
		t.Fatalf("fixture log has %d records (%v), want at least %d", records, err, len(f.events))
	}
	if !strings.Contains(out, fmt.Sprintf("%d records", records)) {
		t.Errorf("log verify output does not give the record count %d:\n%s", records, out)
	}

	t.Run("missing data dir", func(t *testing.T) {
		if _, _, err := runCLI(t, "log", "verify", "--data", filepath.Join(t.TempDir(), "none")); err == nil {
			t.Error("log verify of a dir without a database succeeded")
		}
	})
}

// TestLogVerifyFindsTampering flips one character inside one event record
// of a copy of lre.db and expects `lre log verify` to name that record.
func TestLogVerifyFindsTampering(t *testing.T) {
	f := newLogFixture(t, 3)
	original, err := os.ReadFile(filepath.Join(f.dir, "lre.db"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		record int // index into f.events
		target func(e core.Event) string
	}{
		{"digest of the first record", 0, func(e core.Event) string { return e.Details["deposit_digest"] }},
		{"digest of a middle record", 1, func(e core.Event) string { return e.Details["deposit_digest"] }},
		{"event type of the last record", 2, func(core.Event) string { return `"SubmissionAcceptance"` }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := f.events[tt.record]
			// The stored record is the event's canonical bytes; find every
			// copy of it (bbolt may keep old page versions) and change one
			// character of the target inside, keeping the JSON valid.
			rec, err := core.EventBytes(e)
			if err != nil {
				t.Fatal(err)
			}
			target := tt.target(e)
			at := bytes.Index(rec, []byte(target))
			if at < 0 {
				t.Fatalf("%q not in record %s", target, rec)
			}
			changed := bytes.Clone(rec)
			changed[at+len(target)-2] ^= 0x01 // a letter or digit stays a printable, JSON-safe character
			tampered := bytes.ReplaceAll(original, rec, changed)
			if bytes.Equal(tampered, original) {
				t.Fatalf("record %d not found in lre.db", e.Seq)
			}
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "lre.db"), tampered, 0o600); err != nil {
				t.Fatal(err)
			}
			out, _, err := runCLI(t, "log", "verify", "--data", dir)
			if err == nil {
				t.Fatalf("log verify accepted a tampered log:\n%s", out)
			}
			if want := fmt.Sprintf("sequence %d", e.Seq); !strings.Contains(err.Error(), want) {
				t.Errorf("log verify: %v; want it to name %q", err, want)
			}
		})
	}

	if _, _, err := runCLI(t, "log", "verify", "--data", f.dir); err != nil {
		t.Errorf("the untouched original no longer verifies: %v", err)
	}
}
