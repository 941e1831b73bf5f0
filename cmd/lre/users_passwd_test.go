package main

import (
	"context"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/lretest"
	"github.com/lre-project/lre/storage"
)

// withStdin makes the commands read s as standard input.
func withStdin(t *testing.T, s string) {
	t.Helper()
	old := stdin
	stdin = strings.NewReader(s)
	t.Cleanup(func() { stdin = old })
}

// login opens dir and tries a web login.
func login(t *testing.T, dir, email, pw string) error {
	t.Helper()
	db, err := storage.Open(dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, _, err = lretest.Build(t, lretest.Fixture{DB: db, NoSender: true}).Svc.Accounts.Login(context.Background(), email, pw, "")
	return err
}

func TestUsersAddPasswordStdin(t *testing.T) {
	dir := t.TempDir()
	withStdin(t, "a long enough passphrase\nignored second line\n")
	out, _, err := runCLI(t, "users", "add", "--data", dir, "--email", "Alice@Example.org", "--name", "Alice", "--org", "ACME", "--password-stdin", "--role=admin")
	if err != nil {
		t.Fatalf("users add --password-stdin: %v", err)
	}
	if !apiKey.MatchString(lastLine(out)) {
		t.Errorf("the API key is no longer the last line:\n%s", out)
	}
	if err := login(t, dir, "alice@example.org", "a long enough passphrase"); err != nil {
		t.Errorf("login with the password from stdin: %v", err)
	}

	withStdin(t, "short\n")
	_, _, err = runCLI(t, "users", "add", "--data", dir, "--email", "bob@example.org", "--name", "Bob", "--password-stdin")
	if err == nil || !strings.Contains(err.Error(), "12 characters") {
		t.Fatalf("short password: %v", err)
	}
	withStdin(t, "a long enough passphrase\n")
	if _, _, err := runCLI(t, "users", "add", "--data", dir, "--email", "bob@example.org", "--name", "Bob"); err != nil {
		t.Errorf("the refused password created the user anyway: %v", err)
	}
}

func TestUsersPasswd(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := runCLI(t, "users", "add", "--data", dir, "--email", "alice@example.org", "--name", "Alice"); err != nil {
		t.Fatal(err)
	}
	if err := login(t, dir, "alice@example.org", "whatever it is"); core.ErrorCode(err) != core.EUNAUTHORIZED {
		t.Fatalf("login before any password: %v", err)
	}
	withStdin(t, "correct horse battery staple\r\n")
	out, _, err := runCLI(t, "users", "passwd", "--data", dir, "--email", "ALICE@example.org")
	if err != nil || !strings.Contains(out, "password set") {
		t.Fatalf("users passwd: %v\n%s", err, out)
	}
	if err := login(t, dir, "alice@example.org", "correct horse battery staple"); err != nil {
		t.Errorf("login with the new password: %v", err)
	}
	for _, tc := range []struct {
		name, stdin string
		args        []string
		wantErr     string
	}{
		{"unknown user", "correct horse battery staple\n", []string{"--email", "nobody@example.org"}, "no user"},
		{"no email", "correct horse battery staple\n", nil, "--email"},
		{"empty stdin", "", []string{"--email", "alice@example.org"}, "12 characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			withStdin(t, tc.stdin)
			_, _, err := runCLI(t, append([]string{"users", "passwd", "--data", dir}, tc.args...)...)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v, want an error about %q", err, tc.wantErr)
			}
		})
	}
}
