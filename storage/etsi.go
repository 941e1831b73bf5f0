package storage

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/lre-project/lre/core"
)

// bktETSI holds signed ETSI evidence: big-endian log sequence -> evidence
// JSON. It is created by the first evidence issued, so that data
// directories from before ETSI evidence open unchanged.
var bktETSI = []byte("etsi_evidence")

var _ core.ETSIStore = (*DB)(nil)

// StoredETSIEvidence returns the evidence issued for record seq.
func (db *DB) StoredETSIEvidence(ctx context.Context, seq uint64) ([]byte, error) {
	var b []byte
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if bk := tx.Bucket(bktETSI); bk != nil {
			b = clone(bk.Get(seqKey(seq)))
		}
		if b == nil {
			return core.Errorf(core.ENOTFOUND, "no evidence issued for record %d", seq)
		}
		return nil
	})
	return b, err
}

// PutETSIEvidence stores the evidence of record seq once; a second
// issuance (two concurrent first requests) keeps the first.
func (db *DB) PutETSIEvidence(ctx context.Context, seq uint64, evidence []byte) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		bk, err := tx.CreateBucketIfNotExists(bktETSI)
		if err != nil {
			return fmt.Errorf("save evidence: %w", err)
		}
		if bk.Get(seqKey(seq)) != nil {
			return nil
		}
		if err := bk.Put(seqKey(seq), evidence); err != nil {
			return fmt.Errorf("save evidence: %w", err)
		}
		return nil
	})
}
