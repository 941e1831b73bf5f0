package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"github.com/lre-project/lre/core/accounts"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/storage"
)

// stdin is where passwords are read from; tests replace it.
var stdin io.Reader = os.Stdin

// runUsersPasswd sets a user's web password, read from the first line of
// stdin, and ends the user's web sessions.
func runUsersPasswd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	data, store, email, err := parsePasswd(args, stderr)
	if err != nil {
		return err
	}
	pw, err := readPassword(stdin)
	if err != nil {
		return err
	}
	if err := setPassword(ctx, data, store, email, pw); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "password set for %s; their web sessions are ended\n", email)
	return nil
}

func parsePasswd(args []string, stderr io.Writer) (data, store, email string, err error) {
	f := newFlags("users passwd", "Set a user's web password, read from the first line of standard input (argon2id, stored hashed).", stderr)
	f.string(&data, "data", "LRE_DATA", "./lre-data", "data directory")
	storeFlag(f, &store)
	f.string(&email, "email", "", "", "the user's email address (required)")
	if err := f.parse(args); err != nil {
		return "", "", "", err
	}
	if email == "" {
		return "", "", "", errors.New("users passwd: --email is required")
	}
	return data, store, email, nil
}

// readPassword takes the first line of r, without its line ending, and
// checks it before anything is written.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if err := accounts.CheckPassword(pw); err != nil {
		return "", fmt.Errorf("password from stdin: %s", core.ErrorMessage(err))
	}
	return pw, nil
}

func setPassword(ctx context.Context, data, store, email, pw string) error {
	db, err := openStore(data, store, storage.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := services.New(db, nil).Accounts.SetPassword(ctx, email, pw); err != nil {
		return fmt.Errorf("users passwd: %s", core.ErrorMessage(err))
	}
	return nil
}

// runUsersAddPassword is `users add`, which with --password-stdin also
// sets the new user's web password: the password is read and checked
// first, so that a bad one creates no user, and the API key stays the
// last line of the output.
func runUsersAddPassword(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	rest, withPassword := cutFlag(args, "password-stdin")
	if !withPassword {
		return runUsersAdd(ctx, args, stdout, stderr)
	}
	data, store, email, err := parsePasswd(pick(rest, "data", "store", "email"), stderr)
	if err != nil {
		return err
	}
	pw, err := readPassword(stdin)
	if err != nil {
		return err
	}
	if err := runUsersAdd(ctx, rest, stdout, stderr); err != nil {
		return err
	}
	return setPassword(ctx, data, store, email, pw)
}

// cutFlag removes the boolean flag name (-name, --name, --name=true) from
// args and reports whether it was there.
func cutFlag(args []string, name string) ([]string, bool) {
	found := false
	out := slices.DeleteFunc(slices.Clone(args), func(a string) bool {
		n := strings.TrimLeft(a, "-")
		if strings.HasPrefix(a, "-") && (n == name || n == name+"=true") {
			found = true
			return true
		}
		return false
	})
	return out, found
}

// pick keeps the given flags of args, every flag of `users add` taking a
// value (--name value or --name=value).
func pick(args []string, names ...string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, _, inline := strings.Cut(strings.TrimLeft(a, "-"), "=")
		keep := slices.Contains(names, name)
		if keep {
			out = append(out, a)
		}
		if !inline && i+1 < len(args) {
			if keep {
				out = append(out, args[i+1])
			}
			i++
		}
	}
	return out
}
