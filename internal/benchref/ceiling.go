package benchref

import (
	"net/http"
	"path/filepath"

	bolt "go.etcd.io/bbolt"

	"github.com/lre-project/lre/core"
)

// Ceiling does only what each letter physically requires: read and SHA-256
// the body, one token from the embedded authority, and one group-committed
// write of the same bytes and the token. What lre does beyond it
// (multipart parsing, validation, manifest, encryption at rest, evidence
// events, transparency tree, notification) is what the ratio prices.
type Ceiling struct {
	db *bolt.DB
	ts core.Timestamper
}

// NewCeiling opens DIR/ceiling.db; ts is the embedded authority
// (rfc3161.NewLocal) so that both servers pay the same signature.
func NewCeiling(dir string, ts core.Timestamper, b Batch) (*Ceiling, error) {
	db, err := openDB(filepath.Join(dir, "ceiling.db"), b)
	if err != nil {
		return nil, err
	}
	return &Ceiling{db: db, ts: ts}, nil
}

// Close closes the database.
func (c *Ceiling) Close() error { return c.db.Close() }

func (c *Ceiling) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, digest, err := readLetter(r)
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	tok, err := c.ts.Timestamp(r.Context(), digest)
	if err != nil {
		fail(w, http.StatusServiceUnavailable, err)
		return
	}
	id := newID()
	err = c.db.Batch(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bktLetters).Put([]byte(id), body); err != nil {
			return err
		}
		return tx.Bucket(bktNotices).Put([]byte(id), tok.DER)
	})
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	created(w, id, digest)
}
