package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/storage/kv"
)

// Secrets are stored under their hash only: the store never sees a token.

func putSecret(tx kv.Tx, s core.Secret) error {
	v, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode secret: %w", err)
	}
	if err := tx.Bucket(bktSecrets).Put(s.Hash, v); err != nil {
		return fmt.Errorf("save secret: %w", err)
	}
	return nil
}

// SecretNotice resolves a secret's hash; expired or unknown is ENOTFOUND.
func (db *DB) SecretNotice(ctx context.Context, hash []byte, now time.Time) (core.Secret, error) {
	var s core.Secret
	err := db.kv.View(func(tx kv.Tx) error {
		v := tx.Bucket(bktSecrets).Get(hash)
		if v == nil {
			return core.Errorf(core.ENOTFOUND, "unknown or expired link")
		}
		if err := json.Unmarshal(v, &s); err != nil {
			return fmt.Errorf("decode secret: %w", err)
		}
		if !s.Expires.IsZero() && !now.Before(s.Expires) {
			return core.Errorf(core.ENOTFOUND, "unknown or expired link")
		}
		return nil
	})
	return s, err
}

// RecentOutcomes returns a sender's last outcomes, oldest first. Every
// deposit asks (the sending policy), so it is one read (kv.ReadOne).
func (db *DB) RecentOutcomes(ctx context.Context, userID string) ([]string, error) {
	v, err := kv.ReadOne(db.kv, bktOutcomes, []byte(userID))
	if err != nil {
		return nil, err
	}
	r, err := readRing(v)
	return r.outcomes(), err
}

// EachSenderOutcomes calls fn with every sender's outcomes, in one read
// transaction.
func (db *DB) EachSenderOutcomes(ctx context.Context, fn func(userID string, outcomes []string)) error {
	return db.kv.View(func(tx kv.Tx) error {
		return tx.Bucket(bktOutcomes).ForEach(func(k, v []byte) error {
			r, err := readRing(v)
			if err != nil {
				return fmt.Errorf("outcomes of %s: %w", k, err)
			}
			fn(string(k), r.outcomes())
			return nil
		})
	})
}

// ResetOutcomes forgets a sender's outcomes (a suspension was lifted).
func (db *DB) ResetOutcomes(ctx context.Context, userID string) error {
	return db.kv.Update(func(tx kv.Tx) error {
		return tx.Bucket(bktOutcomes).Delete([]byte(userID))
	})
}
