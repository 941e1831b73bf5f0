package storage

import (
	"bytes"
	"context"
	"fmt"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
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

// CertificatesAfter lists stored certificates in key order (letter id,
// then kind), starting after after.
func (db *DB) CertificatesAfter(ctx context.Context, after evidence.CertificateRef, limit int) ([]evidence.CertificateRef, error) {
	var out []evidence.CertificateRef
	err := db.kv.View(func(tx kv.Tx) error {
		c := tx.Bucket(bktCertificates).Cursor()
		k, _ := c.First()
		if after.NoticeID != "" {
			from := certKey(after.NoticeID, after.Kind)
			if k, _ = c.Seek(from); k != nil && bytes.Equal(k, from) {
				k, _ = c.Next()
			}
		}
		for ; k != nil && len(out) < limit; k, _ = c.Next() {
			i := bytes.LastIndexByte(k, '/')
			if i < 0 {
				return fmt.Errorf("certificate key %q has no kind", k)
			}
			out = append(out, evidence.CertificateRef{NoticeID: string(k[:i]), Kind: core.CertificateKind(k[i+1:])})
		}
		return nil
	})
	return out, err
}

// ReplaceCertificate stores pdf in place of old, in one transaction that
// checks the stored bytes are still old: two renewals racing keep one.
func (db *DB) ReplaceCertificate(ctx context.Context, id string, kind core.CertificateKind, old, pdf []byte) error {
	return db.kv.Update(func(tx kv.Tx) error {
		b := tx.Bucket(bktCertificates)
		if !bytes.Equal(b.Get(certKey(id, kind)), old) {
			return core.Errorf(core.ECONFLICT, "the %s certificate of %s changed meanwhile", kind, id)
		}
		if err := b.Put(certKey(id, kind), pdf); err != nil {
			return fmt.Errorf("replace certificate: %w", err)
		}
		return nil
	})
}
