package core

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/bits"
	"mime"
	"strings"
	"sync"
	"unicode/utf8"
)

// Limits bound a deposit. The web layer enforces them while streaming; the
// service checks them again so no other entry point can bypass them.
type Limits struct {
	MaxTotalBytes int64 // body plus attachments
	MaxFiles      int
	MaxNameBytes  int
}

// DefaultLimits are the documented defaults: 25 MiB, 20 files, 255-byte names.
var DefaultLimits = Limits{MaxTotalBytes: 25 << 20, MaxFiles: 20, MaxNameBytes: 255}

// Upload is one attachment as received: its content and the SHA-256 computed
// while it was read, so the bytes are never hashed or buffered twice.
type Upload struct {
	Name      string
	MediaType string
	Size      int64
	SHA256    string
	Content   []byte
	// pooled is the buffer Content lies in when it came from contentPools,
	// for Release to hand back; nil otherwise.
	pooled *[]byte
}

// Release hands the buffer of Content back for a later upload and clears
// Content. Call it only once nothing reads Content any more: the API's
// deposit handler does, after Deposit has sealed and stored the letter (a
// later upload overwrites the buffer). An upload never released is
// collected like any other garbage.
func (u *Upload) Release() {
	if u.pooled != nil {
		putContent(u.pooled)
	}
	u.pooled, u.Content = nil, nil
}

// ReadUpload reads at most limit bytes of r, hashing as it goes. It returns an
// ETOOLARGE error naming the max_total_size limit when r holds more.
// The content is allocated once, at its exact size: a letter costs its own
// size in memory, where a growing buffer costs up to twice that plus the
// copies it leaves behind each time it grows.
func ReadUpload(name, mediaType string, r io.Reader, limit int64) (Upload, error) {
	h := sha256.New()
	var chunks []*[]byte
	defer func() {
		for _, c := range chunks {
			uploadChunks.Put(c)
		}
	}()
	var n int64
	lr := io.LimitReader(r, limit+1)
	for {
		c := uploadChunks.Get().(*[]byte)
		chunks = append(chunks, c)
		k, err := io.ReadFull(lr, *c)
		n += int64(k)
		h.Write((*c)[:k])
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return Upload{}, fmt.Errorf("read attachment %q: %w", name, err)
		}
	}
	if n > limit {
		return Upload{}, FieldError(ETOOLARGE, "attachments", "the letter exceeds the max_total_size limit of %s", Bytes(limit))
	}
	content, pooled := getContent(n)
	off := 0
	for _, c := range chunks {
		off += copy(content[off:], *c)
	}
	return Upload{
		Name:      name,
		MediaType: cleanMediaType(mediaType),
		Size:      n,
		SHA256:    hex.EncodeToString(h.Sum(nil)),
		Content:   content,
		pooled:    pooled,
	}, nil
}

// Contents of more than 32 KiB and at most 1 MiB are copied into a buffer
// from a pool, by powers of two from 64 KiB, and Release hands it back: a
// fresh, zeroed buffer per deposit was the largest allocation of a 100 KB
// letter (go test ./web -bench NoticeCreate -memprofile: 101 of 509 KB per
// letter), and its zeroing and the collections it caused showed in lre
// bench's profile. Smaller contents cost little; larger ones are rare
// enough that keeping buffers of their size alive is not worth it.
const (
	minPooledShift = 16 // 64 KiB
	maxPooledShift = 20 // 1 MiB
)

var contentPools [maxPooledShift - minPooledShift + 1]sync.Pool

// contentClass is the pool for a content of n bytes, or -1 for none.
func contentClass(n int64) int {
	if n <= 1<<(minPooledShift-1) || n > 1<<maxPooledShift {
		return -1
	}
	return max(bits.Len64(uint64(n-1)), minPooledShift) - minPooledShift
}

// getContent returns n bytes to fill, and the pooled buffer they lie in
// (nil for a plain allocation). The slice's capacity is n: the earlier
// letter that used the buffer stays out of reach.
func getContent(n int64) ([]byte, *[]byte) {
	c := contentClass(n)
	if c < 0 {
		return make([]byte, n), nil
	}
	p, _ := contentPools[c].Get().(*[]byte)
	if p == nil {
		b := make([]byte, 1<<(c+minPooledShift))
		p = &b
	}
	return (*p)[:n:n], p
}

func putContent(p *[]byte) {
	contentPools[bits.Len64(uint64(cap(*p)))-1-minPooledShift].Put(p)
}

// uploadChunks holds the fixed-size pieces ReadUpload gathers a stream in
// before it knows its size.
var uploadChunks = sync.Pool{New: func() any {
	b := make([]byte, 256<<10)
	return &b
}}

// cleanMediaType keeps a well-formed media type and falls back to
// application/octet-stream, so that nothing the sender wrote reaches a
// Content-Type header unchecked.
func cleanMediaType(t string) string {
	mt, params, err := mime.ParseMediaType(t)
	if err != nil || strings.ContainsAny(mt, "\r\n") {
		return "application/octet-stream"
	}
	if f := mime.FormatMediaType(mt, params); f != "" {
		return f
	}
	return "application/octet-stream"
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func digestBytes(hexDigest string) []byte {
	b, _ := hex.DecodeString(hexDigest)
	return b
}

func utf8Valid(s string) bool { return utf8.ValidString(s) }
