package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lre-project/lre/core/accounts"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/storage/kv"
)

// Accounts: API key metadata, passwords, set-password tokens and web
// sessions. Secrets are stored under their hash only. Keys, tokens and
// sessions are deleted when revoked, used or ended: they are credentials,
// not evidence.

var _ accounts.Store = (*DB)(nil)

// Bucket names of accounts, created with the others by Open. Changing one
// breaks every existing data dir.
var (
	bktKeyMeta        = []byte("api_key_meta")    // key hash -> accounts.APIKey
	bktPasswords      = []byte("passwords")       // user id -> accounts.PasswordHash
	bktPasswordTokens = []byte("password_tokens") // token hash -> passwordToken
	bktSessions       = []byte("web_sessions")    // session hash -> accounts.Session
	bktUserSessions   = []byte("user_sessions")   // user id, 0, session hash -> empty
)

func init() {
	allBuckets = append(allBuckets, bktKeyMeta, bktPasswords, bktPasswordTokens, bktSessions, bktUserSessions)
}

func getUser(tx kv.Tx, id []byte) (core.User, error) {
	var u core.User
	b := tx.Bucket(bktUsers).Get(id)
	if b == nil {
		return u, core.Errorf(core.ENOTFOUND, "no user %q", id)
	}
	if err := json.Unmarshal(b, &u); err != nil {
		return u, fmt.Errorf("decode user %s: %w", id, err)
	}
	return u, nil
}

func putJSON(b kv.Bucket, k []byte, v any) error {
	enc, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %T: %w", v, err)
	}
	return b.Put(k, enc)
}

// UserByID returns the user id.
func (db *DB) UserByID(ctx context.Context, id string) (core.User, error) {
	var u core.User
	err := db.kv.View(func(tx kv.Tx) error {
		var err error
		u, err = getUser(tx, []byte(id))
		return err
	})
	return u, err
}

// UserByEmail returns the user with this (lower-case) email.
func (db *DB) UserByEmail(ctx context.Context, email string) (core.User, error) {
	var u core.User
	err := db.kv.View(func(tx kv.Tx) error {
		id := tx.Bucket(bktUserEmails).Get([]byte(email))
		if id == nil {
			return core.Errorf(core.ENOTFOUND, "no user with email %q", email)
		}
		var err error
		u, err = getUser(tx, id)
		return err
	})
	return u, err
}

// OrgUsers lists the users of org, oldest first.
func (db *DB) OrgUsers(ctx context.Context, org string) ([]core.User, error) {
	var out []core.User
	err := db.kv.View(func(tx kv.Tx) error {
		return tx.Bucket(bktUsers).ForEach(func(k, v []byte) error {
			var u core.User
			if err := json.Unmarshal(v, &u); err != nil {
				return fmt.Errorf("decode user %s: %w", k, err)
			}
			if u.Organisation == org {
				out = append(out, u)
			}
			return nil
		})
	})
	slices.SortFunc(out, func(a, b core.User) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.Email, b.Email)
	})
	return out, err
}

// AddAPIKey stores a new key's hash and its metadata.
func (db *DB) AddAPIKey(ctx context.Context, k accounts.APIKey, hash []byte) error {
	return db.kv.Update(func(tx kv.Tx) error {
		if _, err := getUser(tx, []byte(k.UserID)); err != nil {
			return err
		}
		if err := tx.Bucket(bktAPIKeys).Put(hash, []byte(k.UserID)); err != nil {
			return fmt.Errorf("save key: %w", err)
		}
		return putJSON(tx.Bucket(bktKeyMeta), hash, k)
	})
}

// keyMeta returns the metadata of the key with hash, owned by userID. The
// first key of a user, made by CreateUser, has none: it is described from
// the user record.
func keyMeta(tx kv.Tx, hash, userID []byte) (accounts.APIKey, error) {
	k := accounts.APIKey{ID: accounts.APIKeyID(hash), UserID: string(userID), Prefix: "lre_"}
	if v := tx.Bucket(bktKeyMeta).Get(hash); v != nil {
		err := json.Unmarshal(v, &k)
		return k, err
	}
	u, err := getUser(tx, userID)
	k.CreatedAt = u.CreatedAt
	return k, err
}

// APIKeys lists the live keys of userID, oldest first.
func (db *DB) APIKeys(ctx context.Context, userID string) ([]accounts.APIKey, error) {
	out := []accounts.APIKey{}
	err := db.kv.View(func(tx kv.Tx) error {
		return tx.Bucket(bktAPIKeys).ForEach(func(hash, owner []byte) error {
			if string(owner) != userID {
				return nil
			}
			k, err := keyMeta(tx, hash, owner)
			out = append(out, k)
			return err
		})
	})
	slices.SortFunc(out, func(a, b accounts.APIKey) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, err
}

// RevokeAPIKey deletes the key id of userID.
func (db *DB) RevokeAPIKey(ctx context.Context, userID, id string) error {
	return db.kv.Update(func(tx kv.Tx) error {
		keys := tx.Bucket(bktAPIKeys)
		c := keys.Cursor()
		for hash, owner := c.First(); hash != nil; hash, owner = c.Next() {
			if string(owner) == userID && accounts.APIKeyID(hash) == id {
				h := clone(hash)
				if err := keys.Delete(h); err != nil {
					return fmt.Errorf("revoke key: %w", err)
				}
				return tx.Bucket(bktKeyMeta).Delete(h)
			}
		}
		return core.Errorf(core.ENOTFOUND, "no API key %q", id)
	})
}

// TouchAPIKey records the last use of a key, writing only when at is
// later than what is recorded, which a read transaction checks first.
func (db *DB) TouchAPIKey(ctx context.Context, hash []byte, at time.Time) error {
	stale := func(tx kv.Tx) (accounts.APIKey, bool, error) {
		owner := tx.Bucket(bktAPIKeys).Get(hash)
		if owner == nil {
			return accounts.APIKey{}, false, nil
		}
		k, err := keyMeta(tx, hash, owner)
		return k, err == nil && at.After(k.LastUsedAt), err
	}
	var needed bool
	if err := db.kv.View(func(tx kv.Tx) error {
		var err error
		_, needed, err = stale(tx)
		return err
	}); err != nil || !needed {
		return err
	}
	return db.kv.Update(func(tx kv.Tx) error {
		k, needed, err := stale(tx)
		if err != nil || !needed {
			return err
		}
		k.LastUsedAt = at
		return putJSON(tx.Bucket(bktKeyMeta), hash, k)
	})
}

type passwordToken struct {
	UserID  string    `json:"user_id"`
	Expires time.Time `json:"expires"`
}

func getPasswordToken(tx kv.Tx, hash []byte, now time.Time) (passwordToken, error) {
	var t passwordToken
	v := tx.Bucket(bktPasswordTokens).Get(hash)
	if v == nil {
		return t, core.Errorf(core.ENOTFOUND, "unknown or expired link")
	}
	if err := json.Unmarshal(v, &t); err != nil {
		return t, fmt.Errorf("decode password token: %w", err)
	}
	if !now.Before(t.Expires) {
		return t, core.Errorf(core.ENOTFOUND, "unknown or expired link")
	}
	return t, nil
}

// PutPasswordToken stores a set-password token's hash.
func (db *DB) PutPasswordToken(ctx context.Context, hash []byte, userID string, expires time.Time) error {
	return db.kv.Update(func(tx kv.Tx) error {
		return putJSON(tx.Bucket(bktPasswordTokens), hash, passwordToken{UserID: userID, Expires: expires})
	})
}

// PasswordTokenUser resolves a live set-password token.
func (db *DB) PasswordTokenUser(ctx context.Context, hash []byte, now time.Time) (string, error) {
	var t passwordToken
	err := db.kv.View(func(tx kv.Tx) error {
		var err error
		t, err = getPasswordToken(tx, hash, now)
		return err
	})
	return t.UserID, err
}

// SetPassword stores a password hash, consumes the token if one is given,
// and ends every session of the user, in one transaction.
func (db *DB) SetPassword(ctx context.Context, userID string, h accounts.PasswordHash, tokenHash []byte, now time.Time) error {
	return db.kv.Update(func(tx kv.Tx) error {
		if _, err := getUser(tx, []byte(userID)); err != nil {
			return err
		}
		if tokenHash != nil {
			t, err := getPasswordToken(tx, tokenHash, now)
			if err != nil {
				return err
			}
			if t.UserID != userID {
				return core.Errorf(core.ENOTFOUND, "unknown or expired link")
			}
			if err := tx.Bucket(bktPasswordTokens).Delete(tokenHash); err != nil {
				return fmt.Errorf("use password token: %w", err)
			}
		}
		if err := putJSON(tx.Bucket(bktPasswords), []byte(userID), h); err != nil {
			return fmt.Errorf("save password: %w", err)
		}
		return deleteUserSessions(tx, userID, func(accounts.Session) bool { return true })
	})
}

// Password returns the stored password hash of userID.
func (db *DB) Password(ctx context.Context, userID string) (accounts.PasswordHash, error) {
	var h accounts.PasswordHash
	err := db.kv.View(func(tx kv.Tx) error {
		v := tx.Bucket(bktPasswords).Get([]byte(userID))
		if v == nil {
			return core.Errorf(core.ENOTFOUND, "user %s has no password", userID)
		}
		return json.Unmarshal(v, &h)
	})
	return h, err
}

func userSessionKey(userID string, hash []byte) []byte {
	return append([]byte(userID+"\x00"), hash...)
}

// deleteUserSessions deletes the sessions of userID for which drop is true.
func deleteUserSessions(tx kv.Tx, userID string, drop func(accounts.Session) bool) error {
	idx, sessions := tx.Bucket(bktUserSessions), tx.Bucket(bktSessions)
	prefix := []byte(userID + "\x00")
	var doomed [][]byte
	c := idx.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		hash := k[len(prefix):]
		var s accounts.Session
		if v := sessions.Get(hash); v != nil {
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("decode session: %w", err)
			}
			if !drop(s) {
				continue
			}
		}
		doomed = append(doomed, clone(hash))
	}
	for _, hash := range doomed {
		if err := sessions.Delete(hash); err != nil {
			return err
		}
		if err := idx.Delete(userSessionKey(userID, hash)); err != nil {
			return err
		}
	}
	return nil
}

// PutSession writes a session and forgets the user's expired ones.
func (db *DB) PutSession(ctx context.Context, hash []byte, s accounts.Session) error {
	return db.kv.Update(func(tx kv.Tx) error {
		expired := func(o accounts.Session) bool { return !s.LastSeen.Before(o.Expires) }
		if err := deleteUserSessions(tx, s.UserID, expired); err != nil {
			return fmt.Errorf("purge sessions: %w", err)
		}
		if err := putJSON(tx.Bucket(bktSessions), hash, s); err != nil {
			return fmt.Errorf("save session: %w", err)
		}
		return tx.Bucket(bktUserSessions).Put(userSessionKey(s.UserID, hash), []byte{})
	})
}

// Session returns the session stored under hash.
func (db *DB) Session(ctx context.Context, hash []byte) (accounts.Session, error) {
	var s accounts.Session
	err := db.kv.View(func(tx kv.Tx) error {
		v := tx.Bucket(bktSessions).Get(hash)
		if v == nil {
			return core.Errorf(core.ENOTFOUND, "no session")
		}
		return json.Unmarshal(v, &s)
	})
	return s, err
}

// DeleteSession forgets a session.
func (db *DB) DeleteSession(ctx context.Context, hash []byte) error {
	return db.kv.Update(func(tx kv.Tx) error {
		v := tx.Bucket(bktSessions).Get(hash)
		if v == nil {
			return nil
		}
		var s accounts.Session
		if err := json.Unmarshal(v, &s); err != nil {
			return fmt.Errorf("decode session: %w", err)
		}
		if err := tx.Bucket(bktUserSessions).Delete(userSessionKey(s.UserID, hash)); err != nil {
			return err
		}
		return tx.Bucket(bktSessions).Delete(hash)
	})
}
