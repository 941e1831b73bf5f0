package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lre-project/lre/core"
)

// Secrets are stored under their hash only: the store never sees a token.

func putSecret(tx *bolt.Tx, s core.Secret) error {
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
	err := db.bolt.View(func(tx *bolt.Tx) error {
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

// Sender outcomes: one JSON list per sender, trimmed to the last 1000.
const maxOutcomes = 1000

func addOutcome(tx *bolt.Tx, o core.SenderOutcome) error {
	b := tx.Bucket(bktOutcomes)
	var list []string
	if v := b.Get([]byte(o.UserID)); v != nil {
		if err := json.Unmarshal(v, &list); err != nil {
			return fmt.Errorf("decode outcomes: %w", err)
		}
	}
	list = append(list, o.Outcome)
	if len(list) > maxOutcomes {
		list = list[len(list)-maxOutcomes:]
	}
	v, _ := json.Marshal(list)
	return b.Put([]byte(o.UserID), v)
}

// RecentOutcomes returns a sender's last outcomes, oldest first.
func (db *DB) RecentOutcomes(ctx context.Context, userID string) ([]string, error) {
	var list []string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bktOutcomes).Get([]byte(userID)); v != nil {
			return json.Unmarshal(v, &list)
		}
		return nil
	})
	return list, err
}

// ResetOutcomes forgets a sender's outcomes (a suspension was lifted).
func (db *DB) ResetOutcomes(ctx context.Context, userID string) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bktOutcomes).Delete([]byte(userID))
	})
}
