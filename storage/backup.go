package storage

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/lre-project/lre/storage/kv"
	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the whole store to w as a tar
// stream: lre.db, from one read transaction (writers go on meanwhile; the
// copy is the state at the transaction's start), then contents/NAME for
// every content segment that state references, up to the end of the last
// letter it references there. Segments emptied by purges meanwhile stay
// until the copy is done (fileMu). size is called first
// with the stream's exact length (an HTTP handler sets Content-Length with
// it). Contents and webhook secrets stay sealed in the copy: restoring
// needs content.key as well. Restore: tar -xf COPY -C DATA.
func (db *DB) Backup(w io.Writer, size func(int64)) (int64, error) {
	if db.bolt == nil {
		return 0, errors.New("backup: a PostgreSQL store is backed up with pg_dump (README, Operations)")
	}
	db.fileMu.RLock()
	defer db.fileMu.RUnlock()
	cw := &countingWriter{w: w}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		segs, err := segmentEnds(kv.BoltTx(tx))
		if err != nil {
			return err
		}
		total := tarEntrySize(tx.Size()) + 2*tarBlock
		for _, sg := range segs {
			total += tarEntrySize(sg.end)
		}
		if size != nil {
			size(total)
		}
		tw := tar.NewWriter(cw)
		if err := tw.WriteHeader(tarHeader(backupDBName, tx.Size())); err != nil {
			return err
		}
		if _, err := tx.WriteTo(tw); err != nil {
			return err
		}
		for _, sg := range segs {
			if err := tw.WriteHeader(tarHeader(ContentDir+"/"+sg.name, sg.end)); err != nil {
				return err
			}
			if err := copyContentFile(db.files, tw, sg.name, sg.end); err != nil {
				return err
			}
		}
		return tw.Close()
	})
	if err != nil {
		return cw.n, fmt.Errorf("backup: %w", err)
	}
	return cw.n, nil
}

// backupDBName is the database's name in a backup and in DATA.
const backupDBName = "lre.db"

const tarBlock = 512

// tarEntrySize is a GNU-format entry's length: one header block (names
// stay under 100 bytes, sizes of any length fit in it) and the data padded
// to whole blocks.
func tarEntrySize(n int64) int64 { return tarBlock + (n+tarBlock-1)/tarBlock*tarBlock }

func tarHeader(name string, size int64) *tar.Header {
	return &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: 0o600, Format: tar.FormatGNU}
}

// segmentEnd is how much of a segment a backup copies: up to the end of
// the last letter the snapshot references in it (appends after the
// snapshot's start are not part of it).
type segmentEnd struct {
	name string
	end  int64
}

func segmentEnds(tx kv.Tx) ([]segmentEnd, error) {
	refs, err := allRefs(tx)
	if err != nil {
		return nil, err
	}
	ends := map[string]int64{}
	for _, r := range refs {
		ends[r.name] = max(ends[r.name], r.size)
	}
	out := make([]segmentEnd, 0, len(ends))
	for name, end := range ends {
		out = append(out, segmentEnd{name, end})
	}
	slices.SortFunc(out, func(a, b segmentEnd) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

func allRefs(tx kv.Tx) ([]contentRef, error) {
	var refs []contentRef
	b := tx.Bucket(bktContentFiles)
	if b == nil { // a store older than content files
		return nil, nil
	}
	err := b.ForEach(func(k, v []byte) error {
		r, err := decodeContentRef(v)
		if err != nil {
			return fmt.Errorf("letter %s: %w", k, err)
		}
		refs = append(refs, r)
		return nil
	})
	return refs, err
}

func copyContentFile(files contentFiles, w io.Writer, name string, size int64) error {
	f, err := files.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.CopyN(w, f, size); err != nil {
		return fmt.Errorf("content segment %s: %w", name, err)
	}
	return nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
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

// VerifyBackupFile checks a backup: it re-checks the evidence log of its
// lre.db and that every content segment the database references is in the
// archive with its size, and returns the number of log records. A plain
// lre.db (a backup taken before content files) is checked as such.
func VerifyBackupFile(ctx context.Context, path string) (uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("open backup %s: %w", path, err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	h, err := tr.Next()
	if err != nil || h.Name != backupDBName {
		return verifyDBFile(ctx, path, nil)
	}
	tmp, err := os.MkdirTemp("", "lre-verify-backup-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	dbPath := filepath.Join(tmp, backupDBName)
	if err := writeEntry(dbPath, tr); err != nil {
		return 0, fmt.Errorf("backup %s: %w", path, err)
	}
	files := map[string]int64{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("backup %s: %w", path, err)
		}
		name, ok := strings.CutPrefix(h.Name, ContentDir+"/")
		if !ok {
			return 0, fmt.Errorf("backup %s: unexpected entry %q", path, h.Name)
		}
		files[name] = h.Size
	}
	return verifyDBFile(ctx, dbPath, files)
}

func writeEntry(path string, r io.Reader) error {
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, r)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// verifyDBFile checks the log of the database at path and, when files is
// not nil, that each content reference has its file there.
func verifyDBFile(ctx context.Context, path string, files map[string]int64) (uint64, error) {
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
	if files == nil {
		return n, nil
	}
	err = db.kv.View(func(tx kv.Tx) error {
		refs, err := allRefs(tx)
		if err != nil {
			return err
		}
		for _, r := range refs {
			if size, ok := files[r.name]; !ok || size < r.size {
				return fmt.Errorf("content segment %s is missing from the archive or too short", r.name)
			}
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("backup %s: %w", path, err)
	}
	return n, nil
}
