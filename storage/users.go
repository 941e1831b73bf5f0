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

// UserByKeyHash returns the user owning the API key with this hash.
func (db *DB) UserByKeyHash(ctx context.Context, keyHash []byte) (core.User, error) {
	var u core.User
	err := db.kv.View(func(tx kv.Tx) error {
		id := tx.Bucket(bktAPIKeys).Get(keyHash)
		if id == nil {
			return core.Errorf(core.EUNAUTHORIZED, "invalid API key")
		}
		b := tx.Bucket(bktUsers).Get(id)
		if b == nil {
			return core.Errorf(core.EUNAUTHORIZED, "invalid API key")
		}
		return json.Unmarshal(b, &u)
	})
	return u, err
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
