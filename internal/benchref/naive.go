package benchref

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lre-project/lre/core"
)

// Naive is the design lre avoids: the same letter written as four separate
// fsynced transactions, one per record (content, notice, evidence event,
// queued notification), and a token fetched per letter from an external
// authority over HTTP.
type Naive struct {
	db  *bolt.DB
	tsa core.Timestamper
}

// NewNaive opens DIR/naive.db; tsa is an HTTP client of an external
// authority (rfc3161.NewClient).
func NewNaive(dir string, tsa core.Timestamper) (*Naive, error) {
	db, err := openDB(filepath.Join(dir, "naive.db"))
	if err != nil {
		return nil, err
	}
	return &Naive{db: db, tsa: tsa}, nil
}

// Close closes the database.
func (n *Naive) Close() error { return n.db.Close() }

func (n *Naive) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, digest, err := readLetter(r)
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	tok, err := n.tsa.Timestamp(r.Context(), digest)
	if err != nil {
		fail(w, http.StatusServiceUnavailable, err)
		return
	}
	id := []byte(newID())
	notice, _ := json.Marshal(map[string]any{"id": string(id), "status": "deposited", "token": tok.DER, "time": tok.Time})
	event, _ := json.Marshal(map[string]any{"type": "SubmissionAcceptance", "notice": string(id), "time": time.Now().UTC()})
	mail, _ := json.Marshal(map[string]any{"notice": string(id), "kind": "notification"})
	writes := []func(tx *bolt.Tx) error{
		func(tx *bolt.Tx) error { return tx.Bucket(bktLetters).Put(id, body) },
		func(tx *bolt.Tx) error { return tx.Bucket(bktNotices).Put(id, notice) },
		func(tx *bolt.Tx) error { return appendEvent(tx, event) },
		func(tx *bolt.Tx) error { return tx.Bucket(bktOutbox).Put(id, mail) },
	}
	for _, write := range writes {
		if err := n.db.Update(write); err != nil {
			fail(w, http.StatusInternalServerError, err)
			return
		}
	}
	created(w, string(id), digest)
}

// appendEvent chains the event to the log head, as lre's log does.
func appendEvent(tx *bolt.Tx, event []byte) error {
	events, meta := tx.Bucket(bktEvents), tx.Bucket(bktMeta)
	seq, err := events.NextSequence()
	if err != nil {
		return err
	}
	prev := meta.Get([]byte("head"))
	h := sha256.New()
	h.Write(prev)
	h.Write(event)
	hash := h.Sum(nil)
	key := binary.BigEndian.AppendUint64(nil, seq)
	if err := events.Put(key, append(hash, event...)); err != nil {
		return err
	}
	return meta.Put([]byte("head"), hash)
}
