// Package contentfile keeps letter contents outside the database, in
// append-only segment files: a B-tree rewrites a large value into fresh
// pages and its freelist on every commit (bbolt wrote 820 KB per 100 KB
// letter and 22 MB per 5 MB one), and a file per letter costs a file
// creation each, which under lre bench took a quarter of the server's CPU
// in openat (directory locking on ext4). A segment is written once, at its
// end, and shared: every deposit that finished its write meanwhile shares
// one fdatasync.
//
// The database commits a reference to a range of a segment only after
// Append returned: the bytes are on disk by then, so a committed reference
// without its bytes cannot happen. A crash in between leaves bytes nothing
// references; a segment nothing references is removed when the store
// opens, and a process never appends to a segment an earlier one wrote.
package contentfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// DefaultSegmentSize is when a segment is closed and the next one started.
const DefaultSegmentSize = 64 << 20

const segSuffix = ".seg"

// Segments is a directory of segment files named NNNNNNNNNNNN.seg.
type Segments struct {
	root    string
	maxSize int64

	mu      sync.Mutex
	next    uint64              // number of the next segment to create
	cur     *segment            // the segment appends go to, nil before the first
	pending map[string]int      // segment -> appends whose reference is not committed or dropped yet
	open    map[string]*segment // segments this process writes
}

type segment struct {
	name string
	f    *os.File
	end  int64 // next free offset
	sync *groupSync
}

// Open returns the segments under root, creating root unless readOnly.
// maxSize <= 0 means DefaultSegmentSize.
func Open(root string, readOnly bool, maxSize int64) (*Segments, error) {
	if maxSize <= 0 {
		maxSize = DefaultSegmentSize
	}
	s := &Segments{root: root, maxSize: maxSize, pending: map[string]int{}, open: map[string]*segment{}}
	if !readOnly {
		if err := os.MkdirAll(root, 0o700); err != nil {
			return nil, fmt.Errorf("content files: %w", err)
		}
	}
	err := s.Walk(func(name string, _ int64) error {
		if n, ok := segNumber(name); ok && n >= s.next {
			s.next = n + 1
		}
		return nil
	})
	return s, err
}

// ErrName is returned for a name that is not a segment's.
var ErrName = errors.New("not a content segment name")

func segNumber(name string) (uint64, bool) {
	num, ok := strings.CutSuffix(name, segSuffix)
	if !ok || len(num) != 12 {
		return 0, false
	}
	n, err := strconv.ParseUint(num, 10, 64)
	return n, err == nil
}

func (s *Segments) path(name string) (string, error) {
	if _, ok := segNumber(name); !ok {
		return "", fmt.Errorf("%w: %q", ErrName, name)
	}
	return filepath.Join(s.root, name), nil
}

// writePiece bounds one pwrite. Concurrent appends write to one file, whose
// lock the kernel holds for the whole of a write while the other writers
// wait for it (the likely cause; it was measured, not traced). Under lre
// bench at 5 MB, one pwrite per document was half of lre's CPU (48-54 % of
// the profile); in 1 MB pieces, old and new binaries alternated (--size 5MB
// --duration 10s --targets lre): 84-90 -> 91-106 letters/s, 19.5-21.4 ->
// 15.5-18.6 ms of CPU per letter.
const writePiece = 1 << 20

// Append writes parts one after the other at the end of the current
// segment and returns once they are durable: the segment's name and the
// offset of the first byte. The caller then commits a reference and calls
// Release(name), or calls Release without committing one.
func (s *Segments) Append(parts ...[]byte) (string, int64, error) {
	var n int64
	for _, p := range parts {
		n += int64(len(p))
	}
	seg, off, err := s.reserve(n)
	if err != nil {
		return "", 0, err
	}
	for _, p := range parts {
		for len(p) > 0 {
			k := min(len(p), writePiece)
			if _, err := seg.f.WriteAt(p[:k], off); err != nil {
				s.Release(seg.name)
				return "", 0, fmt.Errorf("content segment %s: %w", seg.name, err)
			}
			off += int64(k)
			p = p[k:]
		}
	}
	if err := seg.sync.wait(); err != nil {
		s.Release(seg.name)
		return "", 0, fmt.Errorf("content segment %s: %w", seg.name, err)
	}
	return seg.name, off - n, nil
}

// reserve takes n bytes at the end of the current segment, starting a new
// one when it is full, and counts the append as pending.
func (s *Segments) reserve(n int64) (*segment, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil || (s.cur.end > 0 && s.cur.end+n > s.maxSize) {
		if err := s.rotate(); err != nil {
			return nil, 0, err
		}
	}
	off := s.cur.end
	s.cur.end += n
	s.pending[s.cur.name]++
	return s.cur, off, nil
}

// rotate creates the next segment durably (the directory is fsynced).
// The previous one is closed once nothing is pending on it.
func (s *Segments) rotate() error {
	name := fmt.Sprintf("%012d%s", s.next, segSuffix)
	f, err := os.OpenFile(filepath.Join(s.root, name), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("content segment %s: %w", name, err)
	}
	if err := syncPath(s.root); err != nil {
		f.Close()
		return fmt.Errorf("content segment %s: %w", name, err)
	}
	s.next++
	old := s.cur
	s.cur = &segment{name: name, f: f, sync: newGroupSync(func() error { return syscall.Fdatasync(int(f.Fd())) })}
	s.open[name] = s.cur
	if old != nil {
		s.closeIdle(old.name)
	}
	return nil
}

// closeIdle closes a segment this process no longer appends to once no
// append on it is pending. s.mu is held.
func (s *Segments) closeIdle(name string) {
	seg := s.open[name]
	if seg == nil || seg == s.cur || s.pending[name] > 0 {
		return
	}
	seg.f.Close()
	delete(s.open, name)
}

// Release ends an append: its reference was committed, or will never be.
func (s *Segments) Release(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending[name]--; s.pending[name] <= 0 {
		delete(s.pending, name)
	}
	s.closeIdle(name)
}

// Open opens a segment for reading.
func (s *Segments) Open(name string) (*os.File, error) {
	p, err := s.path(name)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("content segment %s: %w", name, err)
	}
	return f, nil
}

// RemoveIdle deletes a segment that no committed reference names any
// more, unless appends may still go to it or one is pending (its
// reference is about to be committed): then it reports false and the
// segment waits for the sweep of the next start. A name already gone is
// not an error.
func (s *Segments) RemoveIdle(name string) (bool, error) {
	p, err := s.path(name)
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if (s.cur != nil && s.cur.name == name) || s.pending[name] > 0 {
		return false, nil
	}
	if seg := s.open[name]; seg != nil {
		seg.f.Close()
		delete(s.open, name)
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("content segment %s: %w", name, err)
	}
	return true, syncPath(s.root)
}

// Walk calls fn with the name and size of every segment, in order.
func (s *Segments) Walk(fn func(name string, size int64) error) error {
	entries, err := os.ReadDir(s.root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("content files: %w", err)
	}
	for _, e := range entries {
		if _, ok := segNumber(e.Name()); !ok {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		if err := fn(e.Name(), info.Size()); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the segments this process opened.
func (s *Segments) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for name, seg := range s.open {
		errs = append(errs, seg.f.Close())
		delete(s.open, name)
	}
	s.cur = nil
	return errors.Join(errs...)
}

func syncPath(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}
