// Package benchref holds the two reference servers `lre bench` measures lre
// against, on the same machine with the same load: the ceiling, which does
// only what every letter physically requires, and the naive design, which
// does the same work the way a first version would (one fsynced write per
// event, an external time-stamping authority over HTTP per letter). Both
// accept lre's deposit request and answer 201; neither validates anything.
package benchref

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"time"

	bolt "go.etcd.io/bbolt"
)

// maxLetter bounds what a reference server reads, as lre's default
// max_total_size does (plus multipart overhead).
const maxLetter = 26 << 20

var (
	bktLetters = []byte("letters")
	bktNotices = []byte("notices")
	bktEvents  = []byte("events")
	bktMeta    = []byte("meta")
	bktOutbox  = []byte("outbox")
)

func openDB(path string) (*bolt.DB, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bktLetters, bktNotices, bktEvents, bktMeta, bktOutbox} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// readLetter reads the whole request body, hashing it as it goes, into one
// buffer sized from Content-Length.
func readLetter(r *http.Request) (body []byte, digest []byte, err error) {
	size := r.ContentLength
	if size < 0 || size > maxLetter {
		size = 0
	}
	buf := make([]byte, 0, size+1)
	h := sha256.New()
	w := &hashingBuffer{buf: buf, h: h}
	if _, err := io.Copy(w, io.LimitReader(r.Body, maxLetter+1)); err != nil {
		return nil, nil, err
	}
	if len(w.buf) > maxLetter {
		return nil, nil, fmt.Errorf("letter over %d bytes", maxLetter)
	}
	return w.buf, h.Sum(nil), nil
}

type hashingBuffer struct {
	buf []byte
	h   io.Writer
}

func (w *hashingBuffer) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	return w.h.Write(p)
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func created(w http.ResponseWriter, id string, digest []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, `{"id":%q,"status":"deposited","deposit_digest":%q}`+"\n", id, hex.EncodeToString(digest))
}

func fail(w http.ResponseWriter, status int, err error) {
	http.Error(w, err.Error(), status)
}
