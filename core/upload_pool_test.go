package core

import (
	"bytes"
	"testing"
)

func TestContentClasses(t *testing.T) {
	for _, c := range []struct {
		n     int64
		class int // -1: not pooled
	}{
		{0, -1}, {1000, -1}, {32 << 10, -1}, {32<<10 + 1, 0}, {64 << 10, 0}, {64<<10 + 1, 1},
		{100_000, 1}, {128 << 10, 1}, {1 << 20, 4}, {1<<20 + 1, -1}, {5 << 20, -1},
	} {
		if got := contentClass(c.n); got != c.class {
			t.Errorf("contentClass(%d) = %d, want %d", c.n, got, c.class)
		}
		b, p := getContent(c.n)
		if int64(len(b)) != c.n || int64(cap(b)) != c.n {
			t.Errorf("getContent(%d): len %d cap %d, want both %d", c.n, len(b), cap(b), c.n)
		}
		if (p != nil) != (c.class >= 0) {
			t.Errorf("getContent(%d) pooled = %v, want pooled %v", c.n, p != nil, c.class >= 0)
		}
		if p != nil && cap(*p) != 1<<(c.class+minPooledShift) {
			t.Errorf("getContent(%d): buffer of %d bytes, want %d", c.n, cap(*p), 1<<(c.class+minPooledShift))
		}
	}
}

// Release clears the upload, and the next upload of its class (likely in
// the released buffer: sync.Pool may drop it at a collection) holds its own
// bytes only, its capacity its length, so the first letter's tail is out of
// reach; a small upload takes no pooled buffer.
func TestUploadReleaseReusesItsBuffer(t *testing.T) {
	first := bytes.Repeat([]byte("a"), 100_000)
	u, err := ReadUpload("a.pdf", "application/pdf", bytes.NewReader(first), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(u.Content, first) || u.pooled == nil {
		t.Fatalf("first upload: %d bytes, pooled %v", len(u.Content), u.pooled != nil)
	}
	u.Release()
	if u.Content != nil || u.pooled != nil {
		t.Error("Release left Content or its buffer on the upload")
	}
	u.Release() // twice is harmless
	second := bytes.Repeat([]byte("b"), 70_000)
	v, err := ReadUpload("b.pdf", "application/pdf", bytes.NewReader(second), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(v.Content, second) || len(v.Content) != 70_000 || cap(v.Content) != 70_000 {
		t.Errorf("second upload: %d bytes (cap %d), want its own 70000", len(v.Content), cap(v.Content))
	}
	small, _ := ReadUpload("c.txt", "text/plain", bytes.NewReader([]byte("small")), 1<<20)
	if small.pooled != nil {
		t.Error("a 5-byte upload took a pooled buffer")
	}
	small.Release()
}
