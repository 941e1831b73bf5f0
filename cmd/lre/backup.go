package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lre-project/lre/storage"
)

const backupSummary = `Take a consistent copy of the store: a tar of lre.db and the content
segments it references (DATA/contents).

While lre serve runs it holds the database, so ask it for the copy:
  lre backup --url http://127.0.0.1:8080 --key $OPS_KEY --out lre-backup.tar
When it is stopped, read the data directory directly:
  lre backup --data ./lre-data --out lre-backup.tar
The copy is written atomically, its evidence log verified and every content
segment checked in it. Contents and webhook secrets stay sealed in it: keep
DATA/content.key too, apart from it. Restore into an empty data directory
with: tar -xf lre-backup.tar -C DATA (then put content.key back).

A PostgreSQL store is dumped with pg_dump (custom format), running or not:
  lre backup --store postgres://lre@db/lre --out lre.dump \
    --verify-into postgres://lre@db/lre_scratch
--verify-into restores the dump into that empty database and runs the checks
of lre log verify on it (keys from --data). Restore with pg_restore -d URL.`

// runBackup is `lre backup`.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("backup", backupSummary, stderr)
	var data, url, key, out, store, verifyInto string
	f.string(&data, "data", "LRE_DATA", "./lre-data", "data directory of a stopped lre (ignored with --url); with --store, where the keys are")
	storeFlag(f, &store)
	f.string(&verifyInto, "verify-into", "", "", "with --store: an empty scratch PostgreSQL database to restore the dump into and verify there as lre log verify does")
	f.string(&url, "url", "LRE_URL", "", "base URL of a running lre; the copy is streamed by GET /api/v1/admin/backup")
	f.string(&key, "key", "LRE_API_KEY", "", "the operator's API key (an admin without organisation), for --url (prefer the environment variable)")
	f.string(&out, "out", "", "", "file to write the copy to (required)")
	if err := f.parse(args); err != nil {
		return err
	}
	if out == "" {
		return fmt.Errorf("--out is required: %w", errUsage)
	}
	if store != "" {
		if url != "" {
			return fmt.Errorf("--store and --url: give one (a PostgreSQL store is dumped directly, the running lre need not stop): %w", errUsage)
		}
		if !storage.IsURL(store) {
			return fmt.Errorf("--store %q: want a postgres:// URL: %w", store, errUsage)
		}
		return backupPostgres(ctx, data, store, verifyInto, out, stdout)
	}
	var n int64
	var err error
	if url != "" {
		if key == "" {
			return fmt.Errorf("--url needs --key (or LRE_API_KEY), the operator's API key: %w", errUsage)
		}
		n, err = storage.WriteFileAtomic(out, func(w io.Writer) (int64, error) { return downloadBackup(ctx, url, key, w) })
	} else {
		n, err = backupDir(data, out)
	}
	if err != nil {
		return err
	}
	records, err := storage.VerifyBackupFile(ctx, out)
	if err != nil {
		return fmt.Errorf("the copy does not verify: %w", err)
	}
	fmt.Fprintf(stdout, "backup written to %s: %d bytes, evidence log of %d records verified\n", out, n, records)
	fmt.Fprintf(stdout, "keep %s from the data directory too: without it the copy's contents cannot be read\n", storage.MasterKeyFile)
	return nil
}

// backupDir copies the store of a stopped lre.
func backupDir(dir, out string) (int64, error) {
	db, err := storage.Open(dir, storage.Options{ReadOnly: true, LockTimeout: 2 * time.Second})
	if errors.Is(err, storage.ErrInUse) {
		return 0, fmt.Errorf("%w: lre serve is running on %s; use --url and --key to take the copy through it", err, dir)
	}
	if err != nil {
		return 0, err
	}
	defer db.Close()
	return db.BackupFile(out)
}

// downloadBackup streams GET /api/v1/admin/backup into w and checks that
// every announced byte arrived.
func downloadBackup(ctx context.Context, base, key string, w io.Writer) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/api/v1/admin/backup", nil)
	if err != nil {
		return 0, fmt.Errorf("--url: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("backup request: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
		return 0, fmt.Errorf("backup refused: HTTP %d: %s", res.StatusCode, strings.TrimSpace(string(msg)))
	}
	n, err := io.Copy(w, res.Body)
	if err != nil {
		return n, fmt.Errorf("backup download: %w", err)
	}
	if want, _ := strconv.ParseInt(res.Header.Get("Content-Length"), 10, 64); want > 0 && n != want {
		return n, fmt.Errorf("backup download: got %d of %d bytes", n, want)
	}
	return n, nil
}
