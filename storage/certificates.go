package storage

import (
	"context"
	"fmt"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/storage/kv"
)

func certKey(id string, kind core.CertificateKind) []byte { return []byte(id + "/" + string(kind)) }

// StoredCertificate returns an issued certificate.
func (db *DB) StoredCertificate(ctx context.Context, id string, kind core.CertificateKind) ([]byte, error) {
	var b []byte
	err := db.kv.View(func(tx kv.Tx) error {
		v := tx.Bucket(bktCertificates).Get(certKey(id, kind))
		if v == nil {
			return core.Errorf(core.ENOTFOUND, "no %s certificate issued for %s", kind, id)
		}
		b = clone(v)
		return nil
	})
	return b, err
}

// PutCertificate stores an issued certificate once; a second render of the
// same proof (two concurrent first requests) keeps the first.
func (db *DB) PutCertificate(ctx context.Context, id string, kind core.CertificateKind, pdf []byte) error {
	return db.kv.Update(func(tx kv.Tx) error {
		b := tx.Bucket(bktCertificates)
		if b.Get(certKey(id, kind)) != nil {
			return nil
		}
		if err := b.Put(certKey(id, kind), pdf); err != nil {
			return fmt.Errorf("save certificate: %w", err)
		}
		return nil
	})
}
