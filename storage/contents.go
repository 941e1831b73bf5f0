package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/lre-project/lre/storage/kv"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/contentfile"
)

// Contents live outside the B-tree, in one file per letter under
// DATA/contents (internal/contentfile). bktContentFiles maps a notice id to
// a reference: the file's name and size and where each sealed document is
// in it. The file is durable before the transaction that commits its
// reference (SaveDeposit), so a committed reference always has its file;
// a file without a committed reference (a crash in between, a deposit
// refused in its transaction) is removed at once or when the store opens.
// bktContents only holds contents stored before files existed.
var bktContentFiles = []byte("content_files") // notice id -> contentRef

// ContentDir is the content files' directory in the data directory.
const ContentDir = "contents"

// contentFiles is what the store needs of the content files
// (internal/contentfile.Dir, which a PostgreSQL store can share): write a
// file once and durably, read it, remove it, list them all.
type contentFiles interface {
	Write(name string, parts ...[]byte) (int64, error)
	Open(name string) (*os.File, error)
	Remove(name string) error
	Walk(fn func(name string, size int64) error) error
}

var _ contentFiles = (*contentfile.Dir)(nil)

// readAt reads n bytes of a content file from off.
func readAt(files contentFiles, name string, off, n int64) ([]byte, error) {
	f, err := files.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, n)
	if _, err := f.ReadAt(b, off); err != nil {
		return nil, fmt.Errorf("content file %s: %w", name, err)
	}
	return b, nil
}

// contentRef locates a letter's sealed documents in its file.
type contentRef struct {
	name string
	size int64
	docs []docRef
}

type docRef struct {
	key      string
	off, len int64
}

const contentRefVersion = 1

// encode is version | u16 name length | name | u64 size | u16 documents |
// per document: u16 key length | key | u64 offset | u64 length.
func (r contentRef) encode() []byte {
	b := []byte{contentRefVersion}
	b = binary.BigEndian.AppendUint16(b, uint16(len(r.name)))
	b = append(b, r.name...)
	b = binary.BigEndian.AppendUint64(b, uint64(r.size))
	b = binary.BigEndian.AppendUint16(b, uint16(len(r.docs)))
	for _, d := range r.docs {
		b = binary.BigEndian.AppendUint16(b, uint16(len(d.key)))
		b = append(b, d.key...)
		b = binary.BigEndian.AppendUint64(b, uint64(d.off))
		b = binary.BigEndian.AppendUint64(b, uint64(d.len))
	}
	return b
}

var errBadRef = errors.New("content reference malformed")

func decodeContentRef(b []byte) (contentRef, error) {
	var r contentRef
	if len(b) < 1 || b[0] != contentRefVersion {
		return r, errBadRef
	}
	b = b[1:]
	str := func() (string, bool) {
		if len(b) < 2 || len(b) < 2+int(binary.BigEndian.Uint16(b)) {
			return "", false
		}
		n := int(binary.BigEndian.Uint16(b))
		s := string(b[2 : 2+n])
		b = b[2+n:]
		return s, true
	}
	u64 := func() (int64, bool) {
		if len(b) < 8 {
			return 0, false
		}
		v := int64(binary.BigEndian.Uint64(b))
		b = b[8:]
		return v, true
	}
	var ok bool
	if r.name, ok = str(); !ok {
		return r, errBadRef
	}
	if r.size, ok = u64(); !ok || len(b) < 2 {
		return r, errBadRef
	}
	n := int(binary.BigEndian.Uint16(b))
	b = b[2:]
	for range n {
		var d docRef
		var ok1, ok2, ok3 bool
		d.key, ok1 = str()
		d.off, ok2 = u64()
		d.len, ok3 = u64()
		if !ok1 || !ok2 || !ok3 || d.off < 0 || d.len < 0 || d.off+d.len > r.size {
			return r, errBadRef
		}
		r.docs = append(r.docs, d)
	}
	if len(b) != 0 {
		return r, errBadRef
	}
	return r, nil
}

// contentFileName puts a letter's file in the directory of its deposit
// month: the letters deposited together share one directory fsync.
func contentFileName(n core.Notice) string {
	return n.SubmittedAt.UTC().Format("2006-01") + "/" + n.ID + ".lre"
}

// writeContents writes a deposit's sealed documents to a new file, durably,
// and returns the reference the deposit's transaction commits.
func writeContents(files contentFiles, n core.Notice, s sealedDeposit) (contentRef, error) {
	keys := make([]string, 0, len(s.contents))
	for k := range s.contents {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	ref := contentRef{name: contentFileName(n)}
	parts := make([][]byte, 0, len(keys))
	for _, k := range keys {
		b := s.contents[k]
		ref.docs = append(ref.docs, docRef{key: k, off: ref.size, len: int64(len(b))})
		ref.size += int64(len(b))
		parts = append(parts, b)
	}
	if _, err := files.Write(ref.name, parts...); err != nil {
		if errors.Is(err, fs.ErrExist) { // files are never rewritten
			return contentRef{}, core.Errorf(core.ECONFLICT, "letter %s already exists", n.ID)
		}
		return contentRef{}, err
	}
	return ref, nil
}

// storedRef returns the reference of notice id, or ok=false for a letter
// without content file (stored before files existed, or purged).
func storedRef(tx kv.Tx, id string) (contentRef, bool, error) {
	b := tx.Bucket(bktContentFiles)
	if b == nil { // a read-only copy of a store older than content files
		return contentRef{}, false, nil
	}
	v := b.Get([]byte(id))
	if v == nil {
		return contentRef{}, false, nil
	}
	r, err := decodeContentRef(v)
	if err != nil {
		return r, false, fmt.Errorf("content of %s: %w", id, err)
	}
	return r, true, nil
}

// sealedContent returns the sealed bytes of one document: from the
// letter's file, or from bktContents for a letter stored before files.
func (db *DB) sealedContent(tx kv.Tx, id, key string) ([]byte, bool, error) {
	ref, ok, err := storedRef(tx, id)
	if err != nil {
		return nil, false, err
	}
	if !ok {
		v := tx.Bucket(bktContents).Get(contentKey(id, key))
		return clone(v), v != nil, nil
	}
	if db.files == nil {
		return nil, false, fmt.Errorf("content of %s is in file %s, and this store has no content files", id, ref.name)
	}
	for _, d := range ref.docs {
		if d.key == key {
			b, err := readAt(db.files, ref.name, d.off, d.len)
			return b, err == nil, err
		}
	}
	return nil, false, nil
}

// removeUnreferenced deletes content files that no committed reference
// names: a crash between a file's fsync and its transaction's commit, or
// a purge whose file removal did not happen. It runs when the store opens,
// before any deposit can be in flight.
func (db *DB) removeUnreferenced() (int, error) {
	if db.files == nil {
		return 0, nil
	}
	var orphans []string
	err := db.kv.View(func(tx kv.Tx) error {
		b := tx.Bucket(bktContentFiles)
		return db.files.Walk(func(name string, _ int64) error {
			id, ok := strings.CutSuffix(name[strings.IndexByte(name, '/')+1:], ".lre")
			if ok {
				if v := b.Get([]byte(id)); v != nil {
					if r, err := decodeContentRef(v); err == nil && r.name == name {
						return nil
					}
				}
			}
			orphans = append(orphans, name)
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	for _, name := range orphans {
		if err := db.files.Remove(name); err != nil {
			return 0, err
		}
	}
	return len(orphans), nil
}

// removeFiles deletes the files of purged letters after their commit. A
// running backup holds fileMu for reading: it may still copy them.
func (db *DB) removeFiles(names []string) error {
	if len(names) == 0 || db.files == nil {
		return nil
	}
	db.fileMu.Lock()
	defer db.fileMu.Unlock()
	var errs []error
	for _, n := range names {
		errs = append(errs, db.files.Remove(n))
	}
	return errors.Join(errs...)
}

// purgedFiles lists the content files of the letters ch purges, read in
// tx before applyChange deletes their references.
func purgedFiles(tx kv.Tx, ch core.Change) ([]string, error) {
	var names []string
	for _, id := range ch.Purge {
		ref, ok, err := storedRef(tx, id)
		if err != nil {
			return nil, err
		}
		if ok {
			names = append(names, ref.name)
		}
	}
	return names, nil
}

// VerifyContents checks that every committed content reference has its
// file with the size recorded and returns how many it checked. lre log
// verify runs it beside the log check.
func (db *DB) VerifyContents() (int, error) {
	if db.files == nil {
		return 0, nil
	}
	sizes := map[string]int64{}
	n := 0
	err := db.kv.View(func(tx kv.Tx) error {
		err := db.files.Walk(func(name string, size int64) error {
			sizes[name] = size
			return nil
		})
		if err != nil {
			return err
		}
		refs, err := allRefs(tx)
		if err != nil {
			return err
		}
		for _, r := range refs {
			size, ok := sizes[r.name]
			if !ok {
				return fmt.Errorf("content file %s is missing", r.name)
			}
			if size != r.size {
				return fmt.Errorf("content file %s has %d bytes, its reference says %d", r.name, size, r.size)
			}
			n++
		}
		return nil
	})
	return n, err
}
