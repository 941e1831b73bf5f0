package storage

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/storage/kv"
)

// CreateUser stores u and the hash of its first API key.
func (db *DB) CreateUser(ctx context.Context, u core.User, keyHash []byte) error {
	return db.kv.Update(func(tx kv.Tx) error {
		if tx.Bucket(bktUserEmails).Get([]byte(u.Email)) != nil {
			return core.FieldError(core.ECONFLICT, "email", "a user with email %s already exists", u.Email)
		}
		b, err := json.Marshal(u)
		if err != nil {
			return fmt.Errorf("encode user: %w", err)
		}
		if err := tx.Bucket(bktUsers).Put([]byte(u.ID), b); err != nil {
			return fmt.Errorf("save user: %w", err)
		}
		if err := tx.Bucket(bktUserEmails).Put([]byte(u.Email), []byte(u.ID)); err != nil {
			return fmt.Errorf("save user email: %w", err)
		}
		return tx.Bucket(bktAPIKeys).Put(keyHash, []byte(u.ID))
	})
}

// UserByKeyHash returns the user owning the API key with this hash. Every
// API request asks, so each of its two lookups is one read (kv.ReadOne); a
// key revoked or a user removed between them reads as an invalid key, as
// it would a moment later.
func (db *DB) UserByKeyHash(ctx context.Context, keyHash []byte) (core.User, error) {
	var u core.User
	id, err := kv.ReadOne(db.kv, bktAPIKeys, keyHash)
	if err != nil {
		return u, err
	}
	var b []byte
	if id != nil {
		if b, err = kv.ReadOne(db.kv, bktUsers, id); err != nil {
			return u, err
		}
	}
	if b == nil {
		return u, core.Errorf(core.EUNAUTHORIZED, "invalid API key")
	}
	return u, json.Unmarshal(b, &u)
}

// SetUserRole sets the role of user id.
func (db *DB) SetUserRole(ctx context.Context, id string, role core.Role) error {
	return db.kv.Update(func(tx kv.Tx) error {
		u, err := getUser(tx, []byte(id))
		if err != nil {
			return err
		}
		u.Role = role
		return putJSON(tx.Bucket(bktUsers), []byte(id), u)
	})
}

// SetProofMails records whether user id receives proof mails.
func (db *DB) SetProofMails(ctx context.Context, id string, on bool) error {
	return db.kv.Update(func(tx kv.Tx) error {
		u, err := getUser(tx, []byte(id))
		if err != nil {
			return err
		}
		u.NoProofMails = !on
		return putJSON(tx.Bucket(bktUsers), []byte(id), u)
	})
}
