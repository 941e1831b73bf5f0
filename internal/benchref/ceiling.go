package benchref

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/lre-project/lre/core"
)

// Ceiling does only what a durable, timestamped deposit physically needs:
// read the request body once while hashing it, append it to one segment
// file, one token from the embedded authority over the digest, and one
// fdatasync shared by every deposit that arrived meanwhile; it answers
// after that sync. No B-tree, no index, no validation: what lre does
// beyond it (multipart parsing, manifest, encryption at rest, evidence
// events, transparency tree, notification) is what the ratio prices.
type Ceiling struct {
	ts   core.Timestamper
	seg  *os.File
	sync groupSync

	mu  sync.Mutex
	end int64 // next free offset of the segment
}

// NewCeiling creates DIR/ceiling.seg; ts is the embedded authority
// (rfc3161.NewLocal) so that lre and the ceiling pay the same signature.
func NewCeiling(dir string, ts core.Timestamper) (*Ceiling, error) {
	f, err := os.OpenFile(filepath.Join(dir, "ceiling.seg"), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	c := &Ceiling{ts: ts, seg: f}
	c.sync.fsync = func() error { return syscall.Fdatasync(int(f.Fd())) }
	c.sync.cond = sync.NewCond(&c.sync.mu)
	return c, nil
}

// Close closes the segment.
func (c *Ceiling) Close() error { return c.seg.Close() }

func (c *Ceiling) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	digest, err := c.appendBody(r)
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	tok, err := c.ts.Timestamp(r.Context(), digest)
	if err != nil {
		fail(w, http.StatusServiceUnavailable, err)
		return
	}
	if err := c.appendRecord(tok.DER); err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	if err := c.sync.wait(); err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	created(w, newID(), digest)
}

// reserve takes n bytes at the end of the segment.
func (c *Ceiling) reserve(n int64) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	off := c.end
	c.end += n
	return off
}

// appendBody streams the body into space reserved from its Content-Length
// (a length prefix, then the bytes), hashing it on the way: the body is
// read once and never held whole in memory.
func (c *Ceiling) appendBody(r *http.Request) ([]byte, error) {
	size := r.ContentLength
	if size < 0 || size > maxLetter {
		return nil, fmt.Errorf("want a Content-Length of at most %d bytes", maxLetter)
	}
	off := c.reserve(8 + size)
	var prefix [8]byte
	binary.BigEndian.PutUint64(prefix[:], uint64(size))
	if _, err := c.seg.WriteAt(prefix[:], off); err != nil {
		return nil, err
	}
	h := sha256.New()
	sw := io.NewOffsetWriter(c.seg, off+8)
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	n, err := io.CopyBuffer(io.MultiWriter(sw, h), io.LimitReader(r.Body, size), *buf)
	if err != nil {
		return nil, err
	}
	if n != size {
		return nil, fmt.Errorf("body ended after %d of %d bytes", n, size)
	}
	return h.Sum(nil), nil
}

// copyBuffers hold the buffer a body is streamed through, 1 MB, as lre's
// content segments are written (internal/contentfile, writePiece). With
// io.Copy's 32 KB a 5 MB letter took 160 pwrite calls against the same file
// as 63 other writers, and the ceiling spent 11-27 ms of CPU per letter,
// varying by half from run to run; with 1 MB, 10-11 ms (lre bench --size
// 5MB,100KB --targets ceiling, old and new alternated: 117/140 -> 145/154
// letters/s at 5 MB, 1,812/1,901 -> 2,042/1,971 at 100 KB). A ceiling that
// a better copy loop beats is no ceiling.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

// appendRecord appends a length-prefixed record (the token).
func (c *Ceiling) appendRecord(b []byte) error {
	rec := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(b)), uint64(len(b)))
	rec = append(rec, b...)
	_, err := c.seg.WriteAt(rec, c.reserve(int64(len(rec))))
	return err
}

// groupSync shares one fdatasync among every caller that arrived while the
// previous one ran: a caller needs a sync that started after its write, so
// it starts one when none runs, else waits for the next.
type groupSync struct {
	fsync func() error

	mu        sync.Mutex
	cond      *sync.Cond
	running   bool
	started   uint64 // syncs started
	completed uint64 // the last sync that finished
	err       error  // its result
}

func (g *groupSync) wait() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	need := g.started + 1
	for g.completed < need {
		if g.running {
			g.cond.Wait()
			continue
		}
		g.running = true
		g.started++
		gen := g.started
		g.mu.Unlock()
		err := g.fsync()
		g.mu.Lock()
		g.running, g.completed, g.err = false, gen, err
		g.cond.Broadcast()
	}
	return g.err
}
