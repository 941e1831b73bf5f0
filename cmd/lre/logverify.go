package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/keyfile"
	"github.com/lre-project/lre/storage"
	"github.com/lre-project/lre/tlog"
)

// runLogVerify re-reads the evidence log and recomputes every hash, checks
// that every content reference has its file (DATA/contents), recomputes
// the transparency tree and every checkpoint's root, then checks each
// checkpoint's signature with the log key in DATA/log. It opens the store
// read-only, so it needs the server stopped (or a copy of the file).
func runLogVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("log verify", "Recompute every hash of the evidence log and its transparency tree, and check every checkpoint (root and signature); exit 1 naming the first bad sequence number.", stderr)
	var data, store string
	f.string(&data, "data", "LRE_DATA", "./lre-data", "data directory")
	storeFlag(f, &store)
	if err := f.parse(args); err != nil {
		return err
	}
	return verifyStoreAt(ctx, data, store, stdout)
}

// verifyStoreAt runs every check of `lre log verify` on the store at
// data/store (lre backup runs them on a restored PostgreSQL copy).
func verifyStoreAt(ctx context.Context, data, store string, stdout io.Writer) error {
	db, err := openStore(data, store, storage.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.VerifyLog(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "evidence log OK: %d records, every hash and link verified\n", n)
	letters, err := db.VerifyRecords(ctx, core.CheckRecord)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "letters OK: %d stored records match the evidence that covers them\n", letters)
	files, err := db.VerifyContents()
	if err != nil {
		return fmt.Errorf("contents: %w", err)
	}
	fmt.Fprintf(stdout, "contents OK: %d letters' sealed documents present in their segments\n", files)
	key, err := keyfile.LoadLogVerifierKey(filepath.Join(data, "log"))
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintln(stdout, "transparency log: no log key in DATA/log yet, no checkpoint to check")
		return nil
	}
	if err != nil {
		return err
	}
	cps, err := verifyCheckpoints(ctx, db, data)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "transparency log OK: tree recomputed, %d checkpoints match it and are signed by %s\n", cps, key)
	return nil
}

// verifyCheckpoints checks every checkpoint of db against its tree and the
// log key in DATA/log; without a key there is nothing to check yet.
func verifyCheckpoints(ctx context.Context, db *storage.DB, data string) (int, error) {
	key, err := keyfile.LoadLogVerifierKey(filepath.Join(data, "log"))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return db.VerifyCheckpoints(ctx, func(note []byte) (uint64, []byte, error) {
		c, err := tlog.OpenCheckpoint(note, key)
		return c.Size, c.Root, err
	})
}
