package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"strings"

	"github.com/lre-project/lre/storage"
)

// pgTables are the tables a dump of an lre database must hold data for:
// the buckets, the sequences, the evidence log and the documents.
var pgTables = []string{"kv", "kv_sequences", "events", "contents", "lre_schema", "lre_generation"}

// backupPostgres is `lre backup --store URL`: PostgreSQL's own consistent
// copy (pg_dump's custom format, one repeatable-read snapshot, so a running
// lre need not stop), written atomically to out and checked by
// pg_restore --list. With verifyInto, an empty scratch database, the copy
// is also restored there and verified as `lre log verify` does: the only
// proof that a dump restores into a store whose log and letters hold.
func backupPostgres(ctx context.Context, data, store, verifyInto, out string, stdout io.Writer) error {
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("backup of a PostgreSQL store: %s not found in PATH (Debian: apt-get install postgresql-client)", tool)
		}
	}
	if verifyInto != "" && !storage.IsURL(verifyInto) {
		return fmt.Errorf("--verify-into %q: want a postgres:// URL of an empty scratch database: %w", verifyInto, errUsage)
	}
	n, err := storage.WriteFileAtomic(out, func(w io.Writer) (int64, error) {
		return runTool(ctx, w, store, "pg_dump", "--format=custom", "--no-owner", "--no-privileges")
	})
	if err != nil {
		return err
	}
	if err := checkDumpList(ctx, out); err != nil {
		return fmt.Errorf("the dump %s does not check: %w", out, err)
	}
	fmt.Fprintf(stdout, "backup written to %s: %d bytes (pg_dump custom format); pg_restore lists the store's tables in it\n", out, n)
	if verifyInto != "" {
		if _, err := runTool(ctx, io.Discard, verifyInto, "pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", out); err != nil {
			return fmt.Errorf("restore into --verify-into: %w", err)
		}
		fmt.Fprintf(stdout, "restored into %s; verifying it:\n", storage.RedactURL(verifyInto))
		if err := verifyStoreAt(ctx, data, verifyInto, stdout); err != nil {
			return fmt.Errorf("the restored copy does not verify: %w", err)
		}
	}
	fmt.Fprintf(stdout, "keep %s and the other keys of the data directory too: without them the copy's contents cannot be read\n", storage.MasterKeyFile)
	return nil
}

// checkDumpList reads the dump's table of contents and wants every table
// of the store's data in it.
func checkDumpList(ctx context.Context, path string) error {
	var list bytes.Buffer
	if _, err := runTool(ctx, &list, "", "pg_restore", "--list", path); err != nil {
		return err
	}
	for _, table := range pgTables {
		if !strings.Contains(list.String(), " TABLE DATA public "+table+" ") {
			return fmt.Errorf("no data for table %s in it", table)
		}
	}
	return nil
}

// runTool runs a PostgreSQL client tool with its standard output into w,
// connected to db when set: the password goes in PGPASSWORD, not on a
// command line that every local user can read. Its standard error is the
// error's message when it fails.
func runTool(ctx context.Context, w io.Writer, db, name string, args ...string) (int64, error) {
	env := append(os.Environ(), "PGCONNECT_TIMEOUT=10")
	if db != "" {
		u, err := url.Parse(db)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", storage.RedactURL(db), err)
		}
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
		args = append(args, "--dbname", u.String())
	}
	cw := &countWriter{w: w}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr, cmd.Env = cw, &stderr, env
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return cw.n, fmt.Errorf("%s failed: %s", name, strings.TrimSpace(stderr.String()))
		}
		return cw.n, fmt.Errorf("%s: %w", name, err)
	}
	return cw.n, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
