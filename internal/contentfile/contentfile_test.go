package contentfile_test

import (
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/lre-project/lre/internal/contentfile"
)

func TestWriteOnceReadRemove(t *testing.T) {
	d, err := contentfile.Open(filepath.Join(t.TempDir(), "contents"), false)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := d.Write("2026-12/a.lre", []byte("sealed "), []byte("bytes")); n != 12 || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if _, err := d.Write("2026-12/a.lre", []byte("again")); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second Write of a name: %v, want ErrExist (files are written once)", err)
	}
	f, err := d.Open("2026-12/a.lre")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if string(b) != "sealed bytes" {
		t.Errorf("read back %q", b)
	}
	var seen []string
	d.Walk(func(name string, size int64) error { seen = append(seen, name); return nil })
	if len(seen) != 1 || seen[0] != "2026-12/a.lre" {
		t.Errorf("Walk = %v", seen)
	}
	if err := d.Remove("2026-12/a.lre"); err != nil {
		t.Fatal(err)
	}
	if err := d.Remove("2026-12/a.lre"); err != nil {
		t.Errorf("removing a removed file: %v, want nil", err)
	}
}

func TestNamesStayInside(t *testing.T) {
	d, err := contentfile.Open(t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"../x/y.lre", "a.lre", "a/b/c.lre", "/abs/x.lre", "2026-12/.hidden", "2026-12/"} {
		if _, err := d.Write(name, []byte("x")); !errors.Is(err, contentfile.ErrName) {
			t.Errorf("Write(%q) = %v, want ErrName", name, err)
		}
	}
}
