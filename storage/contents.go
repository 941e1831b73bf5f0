package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/lre-project/lre/storage/kv"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/contentfile"
)

// Contents live outside the B-tree, in append-only segment files under
// DATA/contents (internal/contentfile). bktContentFiles maps a notice id to
// a reference: the segment's name, the end of the letter's bytes in it and
// where each sealed document is; bktSegmentLive counts the committed
// references of each segment. The bytes are durable before the transaction
// that commits their reference (SaveDeposit), so a committed reference
// always has its bytes. A segment no committed reference names (a crash
// before the commit, every letter in it purged) is removed when that is
// known to be safe, and in any case when the store opens. bktContents only
// holds contents stored before segments existed, and those of a store
// without them (PostgreSQL).
var (
	bktContentFiles = []byte("content_files") // notice id -> contentRef
	bktSegmentLive  = []byte("segment_live")  // segment name -> big-endian count of references
)

// ContentDir is the content segments' directory in the data directory.
const ContentDir = "contents"

// contentFiles is what the store needs of the content segments
// (internal/contentfile.Segments): append durably and release the append
// once its reference is committed or dropped, read, remove an unused
// segment, list them all.
type contentFiles interface {
	Append(parts ...[]byte) (name string, off int64, err error)
	Release(name string)
	Open(name string) (*os.File, error)
	RemoveIdle(name string) (bool, error)
	Walk(fn func(name string, size int64) error) error
}

var _ contentFiles = (*contentfile.Segments)(nil)

// readAt reads n bytes of a content segment from off.
func readAt(files contentFiles, name string, off, n int64) ([]byte, error) {
	f, err := files.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, n)
	if _, err := f.ReadAt(b, off); err != nil {
		return nil, fmt.Errorf("content segment %s: %w", name, err)
	}
	return b, nil
}

// contentRef locates a letter's sealed documents in a segment; size is
// the end of the last one (the segment holds at least that many bytes).
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

// writeContents appends a deposit's sealed documents to the current
// segment, durably, and returns the reference the deposit's transaction
// commits; the caller releases the append after that commit.
func writeContents(files contentFiles, s sealedDeposit) (contentRef, error) {
	keys := make([]string, 0, len(s.contents))
	for k := range s.contents {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([][]byte, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, s.contents[k])
	}
	return appendParts(files, keys, parts)
}

func appendParts(files contentFiles, keys []string, parts [][]byte) (contentRef, error) {
	name, off, err := files.Append(parts...)
	if err != nil {
		return contentRef{}, err
	}
	ref := contentRef{name: name, size: off}
	for i, b := range parts {
		ref.docs = append(ref.docs, docRef{key: keys[i], off: ref.size, len: int64(len(b))})
		ref.size += int64(len(b))
	}
	return ref, nil
}

// putRef commits a reference and counts it on its segment.
func putRef(tx kv.Tx, id string, ref contentRef) error {
	if err := tx.Bucket(bktContentFiles).Put([]byte(id), ref.encode()); err != nil {
		return fmt.Errorf("save content reference: %w", err)
	}
	return addLive(tx, ref.name, 1)
}

func liveCount(tx kv.Tx, name string) uint64 {
	b := tx.Bucket(bktSegmentLive)
	if b == nil {
		return 0
	}
	if v := b.Get([]byte(name)); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func addLive(tx kv.Tx, name string, delta int) error {
	n := int64(liveCount(tx, name)) + int64(delta)
	if n <= 0 {
		return tx.Bucket(bktSegmentLive).Delete([]byte(name))
	}
	return tx.Bucket(bktSegmentLive).Put([]byte(name), binary.BigEndian.AppendUint64(nil, uint64(n)))
}

// dropRef deletes notice id's reference, if any, and uncounts it.
func dropRef(tx kv.Tx, id string) error {
	ref, ok, err := storedRef(tx, id)
	if err != nil || !ok {
		return err
	}
	if err := tx.Bucket(bktContentFiles).Delete([]byte(id)); err != nil {
		return err
	}
	return addLive(tx, ref.name, -1)
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

// removeUnreferenced deletes the segments that no committed reference
// names: a crash between an append's fdatasync and its commit, or purges
// whose segment could not be removed at once. It runs when the store
// opens, before any deposit can be in flight.
func (db *DB) removeUnreferenced() (int, error) {
	if db.files == nil {
		return 0, nil
	}
	var orphans []string
	err := db.kv.View(func(tx kv.Tx) error {
		return db.files.Walk(func(name string, _ int64) error {
			if liveCount(tx, name) == 0 {
				orphans = append(orphans, name)
			}
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	if err := db.removeFiles(orphans); err != nil {
		return 0, err
	}
	return len(orphans), nil
}

// removeFiles deletes segments left without references, unless appends
// may still go to them (the next start removes those). A running backup
// holds fileMu for reading: it may still copy them.
func (db *DB) removeFiles(names []string) error {
	if len(names) == 0 || db.files == nil {
		return nil
	}
	db.fileMu.Lock()
	defer db.fileMu.Unlock()
	var errs []error
	for _, n := range names {
		_, err := db.files.RemoveIdle(n)
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// purgedSegments lists the segments of the letters ch purges, read in tx
// before applyChange deletes their references.
func purgedSegments(tx kv.Tx, ch core.Change) ([]string, error) {
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

// unusedSegments keeps the names no reference counts any more in tx.
func unusedSegments(tx kv.Tx, names []string) []string {
	var out []string
	for _, n := range names {
		if liveCount(tx, n) == 0 && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// VerifyContents checks that every committed content reference has its
// segment holding its bytes and that each segment's count of references is
// right, and returns how many references it checked. lre log verify runs
// it beside the log check.
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
		counts := map[string]uint64{}
		for _, r := range refs {
			size, ok := sizes[r.name]
			if !ok {
				return fmt.Errorf("content segment %s is missing", r.name)
			}
			if size < r.size {
				return fmt.Errorf("content segment %s has %d bytes, a reference needs %d", r.name, size, r.size)
			}
			counts[r.name]++
			n++
		}
		for name, c := range counts {
			if got := liveCount(tx, name); got != c {
				return fmt.Errorf("content segment %s: %d references counted, %d found", name, got, c)
			}
		}
		return nil
	})
	return n, err
}
