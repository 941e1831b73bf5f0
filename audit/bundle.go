package audit

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// Bounds on what one bundle may make the reader do.
const (
	maxBundleEntries = 512
	maxEntryBytes    = 64 << 20
	maxBundleBytes   = 256 << 20
)

// Bundle is the content of an evidence bundle, by entry name.
type Bundle struct {
	Files map[string][]byte
	Names []string // in ZIP order
}

// errFormat is every reason bytes are not a readable bundle.
var errFormat = errors.New("not a readable evidence bundle")

// ReadBundle reads an evidence bundle ZIP, refusing entries with unsafe
// names, duplicates, and more data than a bundle can hold.
func ReadBundle(data []byte) (*Bundle, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errFormat, err)
	}
	if len(zr.File) > maxBundleEntries {
		return nil, fmt.Errorf("%w: %d entries", errFormat, len(zr.File))
	}
	b := &Bundle{Files: map[string][]byte{}}
	var total int64
	for _, f := range zr.File {
		if err := checkEntryName(f.Name); err != nil {
			return nil, err
		}
		if _, dup := b.Files[f.Name]; dup {
			return nil, fmt.Errorf("%w: entry %q appears twice", errFormat, f.Name)
		}
		content, err := readEntry(f, maxBundleBytes-total)
		if err != nil {
			return nil, err
		}
		total += int64(len(content))
		b.Files[f.Name] = content
		b.Names = append(b.Names, f.Name)
	}
	return b, nil
}

func checkEntryName(name string) error {
	if name == "" || strings.ContainsAny(name, "\\\x00") || path.IsAbs(name) || path.Clean(name) != name || strings.HasPrefix(name, "../") || name == ".." {
		return fmt.Errorf("%w: unsafe entry name %q", errFormat, name)
	}
	return nil
}

func readEntry(f *zip.File, budget int64) ([]byte, error) {
	limit := min(int64(maxEntryBytes), budget)
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("%w: entry %q is too large", errFormat, f.Name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: entry %q: %v", errFormat, f.Name, err)
	}
	defer rc.Close()
	content, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%w: entry %q: %v", errFormat, f.Name, err)
	}
	if int64(len(content)) > limit {
		return nil, fmt.Errorf("%w: entry %q is too large", errFormat, f.Name)
	}
	return content, nil
}

// need returns the named files, or an error naming the first missing.
func (b *Bundle) need(names ...string) error {
	for _, n := range names {
		if _, ok := b.Files[n]; !ok {
			return fmt.Errorf("%w: %s is missing", errFormat, n)
		}
	}
	return nil
}
