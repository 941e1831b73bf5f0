package contentfile_test

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"sync"
	"testing"

	"github.com/lre-project/lre/internal/contentfile"
)

// Concurrent appends land at distinct offsets of the segment, each
// readable back; a full segment starts the next one; a segment still
// written to or with an append pending is not removed.
func TestAppendReadRemove(t *testing.T) {
	root := filepath.Join(t.TempDir(), "contents")
	s, err := contentfile.Open(root, false, 100)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	type rec struct {
		name string
		off  int64
		data string
	}
	var mu sync.Mutex
	var recs []rec
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			data := string(rune('a'+i)) + "-sealed-bytes"
			name, off, err := s.Append([]byte(data[:3]), []byte(data[3:]))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			recs = append(recs, rec{name, off, data})
			mu.Unlock()
		}()
	}
	wg.Wait()
	segs := map[string]bool{}
	for _, r := range recs {
		segs[r.name] = true
		f, err := s.Open(r.name)
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, len(r.data))
		_, err = f.ReadAt(b, r.off)
		f.Close()
		if err != nil || string(b) != r.data {
			t.Errorf("%s at %d: %q, %v; want %q", r.name, r.off, b, err, r.data)
		}
	}
	if len(segs) < 2 {
		t.Errorf("20 appends of 15 bytes in segments of 100 bytes used %d segment(s)", len(segs))
	}
	last := recs[0].name
	for _, r := range recs {
		last = max(last, r.name)
	}
	if removed, err := s.RemoveIdle(last); removed || err != nil {
		t.Errorf("RemoveIdle(the current segment %s) = %v, %v; want it kept", last, removed, err)
	}
	first := recs[0].name
	for _, r := range recs {
		first = min(first, r.name)
	}
	if removed, _ := s.RemoveIdle(first); removed {
		t.Errorf("RemoveIdle(%s) removed a segment with pending appends", first)
	}
	for _, r := range recs {
		s.Release(r.name)
	}
	if removed, err := s.RemoveIdle(first); !removed || err != nil {
		t.Errorf("RemoveIdle(%s) once released = %v, %v", first, removed, err)
	}
	if _, err := s.Open(first); err == nil {
		t.Error("a removed segment still opens")
	}
	// A new process appends to a new segment, never to an old one.
	s2, err := contentfile.Open(root, false, 100)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	name, off, err := s2.Append([]byte("x"))
	if err != nil || name <= last || off != 0 {
		t.Errorf("first append after reopening: %s at %d, %v; want a segment after %s", name, off, err, last)
	}
}

func TestNamesStayInside(t *testing.T) {
	s, err := contentfile.Open(t.TempDir(), false, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"../000000000001.seg", "a.lre", "000000000001.seg/x", "/abs/000000000001.seg", "1.seg"} {
		if _, err := s.Open(name); !errors.Is(err, contentfile.ErrName) {
			t.Errorf("Open(%q) = %v, want ErrName", name, err)
		}
	}
	var _ io.Closer = s
}

// TestAppendLargeParts: parts larger than one write (writePiece, 1 MB) are
// written in pieces, concurrently with other appends, and read back whole
// and in order.
func TestAppendLargeParts(t *testing.T) {
	s, err := contentfile.Open(filepath.Join(t.TempDir(), "contents"), false, 64<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	part := func(seed byte, n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = seed + byte(i*7+i/4096)
		}
		return b
	}
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			a, b := part(byte(i), 2_500_000+i*1000), part(byte(100+i), 1<<20+1)
			name, off, err := s.Append(a, b)
			if err != nil {
				t.Error(err)
				return
			}
			f, err := s.Open(name)
			if err != nil {
				t.Error(err)
				return
			}
			defer f.Close()
			got := make([]byte, len(a)+len(b))
			if _, err := f.ReadAt(got, off); err != nil {
				t.Error(err)
				return
			}
			if !bytes.Equal(got[:len(a)], a) || !bytes.Equal(got[len(a):], b) {
				t.Errorf("append %d read back different bytes", i)
			}
		})
	}
	wg.Wait()
}
