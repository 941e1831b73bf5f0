package core

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
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
	content := make([]byte, n)
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
	}, nil
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
