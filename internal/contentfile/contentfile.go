// Package contentfile keeps letter contents outside the database: one file
// per letter, written once and never changed, under a directory of the
// data dir. A B-tree rewrites a large value into fresh pages and its
// freelist on every commit (bbolt wrote 820 KB per 100 KB letter and 22 MB
// per 5 MB one); a file is written once.
//
// The database commits a reference to a file only after Write returned:
// the file and its directory entry are on disk by then, so a committed
// reference without its file cannot happen. A crash between the two leaves
// a file nothing references, which the store removes when it starts.
package contentfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
)

// Dir is a directory of content files. Names are slash-separated paths
// relative to it, one directory level deep ("2026-12/LRE-….lre"), so that
// every file written in a month shares one directory to fsync.
type Dir struct {
	root string

	mu   sync.Mutex
	dirs map[string]*groupSync // sub-directory -> its shared fsync
}

// Open returns the directory at root, creating it unless readOnly.
func Open(root string, readOnly bool) (*Dir, error) {
	if !readOnly {
		if err := os.MkdirAll(root, 0o700); err != nil {
			return nil, fmt.Errorf("content files: %w", err)
		}
	}
	return &Dir{root: root, dirs: map[string]*groupSync{}}, nil
}

// Root is the directory's path.
func (d *Dir) Root() string { return d.root }

// ErrName is returned for a name that is not one level below the root.
var ErrName = errors.New("content file name must be DIR/FILE")

func (d *Dir) path(name string) (string, error) {
	_, file := path.Split(name)
	if !fs.ValidPath(name) || strings.Count(name, "/") != 1 || file == "" || strings.HasPrefix(file, ".") {
		return "", fmt.Errorf("%w: %q", ErrName, name)
	}
	return filepath.Join(d.root, filepath.FromSlash(name)), nil
}

// Write creates name with parts, one after the other, and returns once the
// file's data and its directory entry are durable (fsync of the file, then
// an fsync of its directory shared with every Write that finished its file
// meanwhile). It refuses a name that exists: a file is written once.
func (d *Dir) Write(name string, parts ...[]byte) (int64, error) {
	p, err := d.path(name)
	if err != nil {
		return 0, err
	}
	sub := path.Dir(name)
	if err := d.ensureDir(sub); err != nil {
		return 0, err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, fmt.Errorf("content file %s: %w", name, err)
	}
	var n int64
	for _, b := range parts {
		m, err := f.Write(b)
		n += int64(m)
		if err != nil {
			f.Close()
			return n, fmt.Errorf("content file %s: %w", name, err)
		}
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = d.syncer(sub).wait()
	}
	if err != nil {
		return n, fmt.Errorf("content file %s: %w", name, err)
	}
	return n, nil
}

// ensureDir creates sub once, durably (the root is fsynced after it).
func (d *Dir) ensureDir(sub string) error {
	if _, err := os.Stat(filepath.Join(d.root, sub)); err == nil {
		return nil
	}
	if err := os.Mkdir(filepath.Join(d.root, sub), 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("content files: %w", err)
	}
	return syncPath(d.root)
}

func (d *Dir) syncer(sub string) *groupSync {
	d.mu.Lock()
	defer d.mu.Unlock()
	g := d.dirs[sub]
	if g == nil {
		p := filepath.Join(d.root, sub)
		g = newGroupSync(func() error { return syncPath(p) })
		d.dirs[sub] = g
	}
	return g
}

// Open opens name for reading.
func (d *Dir) Open(name string) (*os.File, error) {
	p, err := d.path(name)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("content file %s: %w", name, err)
	}
	return f, nil
}

// Remove deletes name durably; a name already gone is not an error.
func (d *Dir) Remove(name string) error {
	p, err := d.path(name)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("content file %s: %w", name, err)
	}
	return d.syncer(path.Dir(name)).wait()
}

// Walk calls fn with the name and size of every file, in lexical order.
func (d *Dir) Walk(fn func(name string, size int64) error) error {
	subs, err := os.ReadDir(d.root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("content files: %w", err)
	}
	for _, s := range subs {
		if !s.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(d.root, s.Name()))
		if err != nil {
			return fmt.Errorf("content files: %w", err)
		}
		for _, f := range files {
			info, err := f.Info()
			if err != nil || !info.Mode().IsRegular() {
				continue
			}
			if err := fn(s.Name()+"/"+f.Name(), info.Size()); err != nil {
				return err
			}
		}
	}
	return nil
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
