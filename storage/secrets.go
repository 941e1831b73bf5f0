package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
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

// Sender outcomes: one JSON list per sender of (notice, outcome), trimmed
// to the last maxOutcomes; a later outcome for the same notice (a late
// bounce after a 250) replaces the earlier one.
const maxOutcomes = 1000

type outcome struct {
	N string `json:"n"`
	O string `json:"o"`
}

func readOutcomes(b *bolt.Bucket, userID string) ([]outcome, error) {
	var list []outcome
	if v := b.Get([]byte(userID)); v != nil {
		if err := json.Unmarshal(v, &list); err != nil {
			return nil, fmt.Errorf("decode outcomes: %w", err)
		}
	}
	return list, nil
}

func addOutcome(tx *bolt.Tx, o core.SenderOutcome) error {
	b := tx.Bucket(bktOutcomes)
	list, err := readOutcomes(b, o.UserID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(list, func(x outcome) bool { return x.N == o.NoticeID && o.NoticeID != "" })
	if i >= 0 {
		list[i].O = o.Outcome
	} else {
		list = append(list, outcome{N: o.NoticeID, O: o.Outcome})
	}
	if len(list) > maxOutcomes {
		list = list[len(list)-maxOutcomes:]
	}
	v, err := json.Marshal(list)
	if err != nil {
		return fmt.Errorf("encode outcomes: %w", err)
	}
	return b.Put([]byte(o.UserID), v)
}

// RecentOutcomes returns a sender's last outcomes, oldest first.
func (db *DB) RecentOutcomes(ctx context.Context, userID string) ([]string, error) {
	var out []string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		list, err := readOutcomes(tx.Bucket(bktOutcomes), userID)
		for _, o := range list {
			out = append(out, o.O)
		}
		return err
	})
	return out, err
}

// EachSenderOutcomes calls fn with every sender's outcomes, in one read
// transaction.
func (db *DB) EachSenderOutcomes(ctx context.Context, fn func(userID string, outcomes []string)) error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bktOutcomes).ForEach(func(k, _ []byte) error {
			list, err := readOutcomes(tx.Bucket(bktOutcomes), string(k))
			if err != nil {
				return err
			}
			outs := make([]string, len(list))
			for i, o := range list {
				outs[i] = o.O
			}
			fn(string(k), outs)
			return nil
		})
	})
}

// ResetOutcomes forgets a sender's outcomes (a suspension was lifted).
func (db *DB) ResetOutcomes(ctx context.Context, userID string) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bktOutcomes).Delete([]byte(userID))
	})
}
