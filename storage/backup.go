package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/lre-project/lre/storage/kv"
	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the whole database to w from one read
// transaction: writers go on meanwhile, and the copy is the state at the
// transaction's start. size is called first with the copy's exact length
// (an HTTP handler sets Content-Length with it). Contents and webhook
// secrets stay sealed in the copy: restoring needs content.key as well.
func (db *DB) Backup(w io.Writer, size func(int64)) (int64, error) {
	var n int64
	if db.bolt == nil {
		return 0, errors.New("backup: a PostgreSQL store is backed up with pg_dump (README, Operations)")
	}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if size != nil {
			size(tx.Size())
		}
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("backup: %w", err)
	}
	return n, nil
}

// BackupFile writes a backup to path atomically: into a temporary file
// beside it, synced, then renamed, so a half-written copy never bears the
// final name.
func (db *DB) BackupFile(path string) (int64, error) {
	return WriteFileAtomic(path, func(w io.Writer) (int64, error) { return db.Backup(w, nil) })
}

// WriteFileAtomic runs write into a temporary file next to path, syncs it,
// and renames it to path (mode 0600).
func WriteFileAtomic(path string, write func(io.Writer) (int64, error)) (int64, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(f.Name())
	n, err := write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return n, fmt.Errorf("backup to %s: %w", path, err)
	}
	return n, nil
}

// VerifyBackupFile opens a backup read-only and re-checks its evidence log,
// returning the number of records; it fails on a file that is not a
// complete lre database.
func VerifyBackupFile(ctx context.Context, path string) (uint64, error) {
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 0})
	if err != nil {
		return 0, fmt.Errorf("open backup %s: %w", path, err)
	}
	defer b.Close()
	db := &DB{bolt: b, kv: kv.Bolt{DB: b}}
	if err := db.Ping(); err != nil {
		return 0, fmt.Errorf("backup %s: %w", path, err)
	}
	n, err := db.VerifyLog(ctx)
	if err != nil {
		return n, fmt.Errorf("backup %s: %w", path, err)
	}
	return n, nil
}
