package storage

import (
	"context"
	"fmt"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/storage/kv"
)

// bktETSI holds signed ETSI evidence: big-endian log sequence -> evidence
// JSON. Open creates it with the others, also in data directories from
// before ETSI evidence.
var bktETSI = []byte("etsi_evidence")

func init() { allBuckets = append(allBuckets, bktETSI) }

var _ evidence.ETSIStore = (*DB)(nil)

// StoredETSIEvidence returns the evidence issued for record seq.
func (db *DB) StoredETSIEvidence(ctx context.Context, seq uint64) ([]byte, error) {
	var b []byte
	err := db.kv.View(func(tx kv.Tx) error {
		if b = clone(tx.Bucket(bktETSI).Get(seqKey(seq))); b == nil {
			return core.Errorf(core.ENOTFOUND, "no evidence issued for record %d", seq)
		}
		return nil
	})
	return b, err
}

// PutETSIEvidence stores the evidence of record seq once; a second
// issuance (two concurrent first requests) keeps the first.
func (db *DB) PutETSIEvidence(ctx context.Context, seq uint64, evidence []byte) error {
	return db.kv.Update(func(tx kv.Tx) error {
		bk := tx.Bucket(bktETSI)
		if bk.Get(seqKey(seq)) != nil {
			return nil
		}
		if err := bk.Put(seqKey(seq), evidence); err != nil {
			return fmt.Errorf("save evidence: %w", err)
		}
		return nil
	})
}
