package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/storage/kv"
)

// bktConsentAsks indexes the consent ledger by who asked:
// requester id | 0 | email -> nil.
var bktConsentAsks = []byte("consent_requesters")

func init() { allBuckets = append(allBuckets, bktConsentAsks) }

func consentAskKey(userID, email string) []byte {
	return append(append([]byte(userID), 0), email...)
}

// ApplyChange commits a Change that concerns no notice.
func (db *DB) ApplyChange(ctx context.Context, ch core.Change) error {
	var err error
	if ch.Outbox, err = db.keys.sealOutbox(ch.Outbox); err != nil {
		return err
	}
	return db.group.do(func(tx kv.Tx) error { return applyChange(tx, ch, nil) })
}

// Consent returns the consent ledger entry of an address.
func (db *DB) Consent(ctx context.Context, email string) (core.ConsentRecord, error) {
	var rec core.ConsentRecord
	err := db.kv.View(func(tx kv.Tx) error {
		v := tx.Bucket(bktConsents).Get([]byte(email))
		if v == nil {
			return core.Errorf(core.ENOTFOUND, "no consent recorded for %s", email)
		}
		return json.Unmarshal(v, &rec)
	})
	return rec, err
}

// PutConsent stores a ledger entry with its Change in one transaction.
func (db *DB) PutConsent(ctx context.Context, rec core.ConsentRecord, ch core.Change) error {
	var err error
	if ch.Outbox, err = db.keys.sealOutbox(ch.Outbox); err != nil {
		return err
	}
	return db.kv.Update(func(tx kv.Tx) error {
		v, err := json.Marshal(rec)
		if err != nil {
			return fmt.Errorf("encode consent: %w", err)
		}
		if err := tx.Bucket(bktConsents).Put([]byte(rec.Email), v); err != nil {
			return fmt.Errorf("save consent: %w", err)
		}
		if rec.RequestedBy != "" {
			if err := tx.Bucket(bktConsentAsks).Put(consentAskKey(rec.RequestedBy, rec.Email), nil); err != nil {
				return fmt.Errorf("index consent: %w", err)
			}
		}
		return applyChange(tx, ch, nil)
	})
}

// ConsentsRequestedBy returns the ledger entries of the addresses userID
// asked for, by address.
func (db *DB) ConsentsRequestedBy(ctx context.Context, userID string) ([]core.ConsentRecord, error) {
	var out []core.ConsentRecord
	err := db.kv.View(func(tx kv.Tx) error {
		prefix := consentAskKey(userID, "")
		c := tx.Bucket(bktConsentAsks).Cursor()
		ledger := tx.Bucket(bktConsents)
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			v := ledger.Get(k[len(prefix):])
			if v == nil {
				continue
			}
			var rec core.ConsentRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("decode consent: %w", err)
			}
			out = append(out, rec)
		}
		return nil
	})
	return out, err
}
