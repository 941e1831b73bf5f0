package storage

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/storage/kv"
)

// ApplyChange commits a Change that concerns no notice.
func (db *DB) ApplyChange(ctx context.Context, ch core.Change) error {
	var err error
	if ch.Outbox, err = db.keys.sealOutbox(ch.Outbox); err != nil {
		return err
	}
	return db.group.do(func(tx kv.Tx) error { return applyChange(tx, ch) })
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
		return applyChange(tx, ch)
	})
}
