package accounts

import (
	"context"
	"encoding/hex"
	"fmt"
	"github.com/lre-project/lre/core"
	"strings"
	"sync"
	"time"
)

// maxKeysPerUser bounds live API keys per user: enough for a key per
// integration and a rotation, few enough to review.
const maxKeysPerUser = 20

// keyPrefixLen is how much of a key is kept to recognise it: "lre_" and 8
// characters, 40 of its 256 bits.
const keyPrefixLen = 12

// APIKeyID returns the identifier of the key whose secret hashes to hash:
// the first 64 bits of the hash, which reveal nothing usable about the key.
func APIKeyID(hash []byte) string { return "key_" + hex.EncodeToString(hash[:8]) }

func validKeyID(id string) bool {
	rest, ok := strings.CutPrefix(id, "key_")
	if !ok || len(rest) != 16 {
		return false
	}
	_, err := hex.DecodeString(rest)
	return err == nil
}

// CreateAPIKey creates an API key for u and returns it once; only its hash
// is stored. Errors: EINVALID (Field "label"), ECONFLICT when u already has
// the maximum number of keys.
func (s *Service) CreateAPIKey(ctx context.Context, u core.User, label string) (APIKey, string, error) {
	label = strings.TrimSpace(label)
	if err := core.CheckHeaderText("label", label, core.MaxNameRunes, false); err != nil {
		return APIKey{}, "", err
	}
	keys, err := s.store.APIKeys(ctx, u.ID)
	if err != nil {
		return APIKey{}, "", fmt.Errorf("create key: %w", err)
	}
	if len(keys) >= maxKeysPerUser {
		return APIKey{}, "", core.Errorf(core.ECONFLICT, "you have %d API keys, the maximum: revoke one first", len(keys))
	}
	secret, hash, err := core.NewSecret(s.rand, apiKeyPrefix)
	if err != nil {
		return APIKey{}, "", err
	}
	k := APIKey{ID: APIKeyID(hash), UserID: u.ID, Label: label, Prefix: secret[:keyPrefixLen], CreatedAt: s.clock()}
	if err := s.store.AddAPIKey(ctx, k, hash); err != nil {
		return APIKey{}, "", fmt.Errorf("create key: %w", err)
	}
	return k, secret, nil
}

// APIKeys lists u's live API keys, oldest first, without their secrets.
func (s *Service) APIKeys(ctx context.Context, u core.User) ([]APIKey, error) {
	keys, err := s.store.APIKeys(ctx, u.ID)
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	return keys, nil
}

// RevokeAPIKey deletes one of u's keys: requests with it fail at once.
// Errors: ENOTFOUND for an id that is not one of u's live keys.
func (s *Service) RevokeAPIKey(ctx context.Context, u core.User, id string) error {
	if !validKeyID(id) {
		return core.Errorf(core.ENOTFOUND, "no API key %q", id)
	}
	return s.store.RevokeAPIKey(ctx, u.ID, id)
}

// Authenticate returns the user owning an API key, the one entry point of
// API-key authentication. The key is looked up by its hash, so no secret is
// ever compared byte by byte; its last use is recorded to the minute, so
// that a busy key costs one write a minute (failing to record it is logged,
// not fatal). Errors: EUNAUTHORIZED.
func (s *Service) Authenticate(ctx context.Context, key string) (core.User, error) {
	if !strings.HasPrefix(key, apiKeyPrefix) || len(key) > 128 {
		return core.User{}, core.Errorf(core.EUNAUTHORIZED, "invalid API key")
	}
	hash := core.HashSecret(key)
	u, err := s.store.UserByKeyHash(ctx, hash)
	if err != nil {
		if core.ErrorCode(err) != core.EUNAUTHORIZED {
			return core.User{}, fmt.Errorf("authenticate: %w", err)
		}
		return core.User{}, err
	}
	minute := s.clock().Truncate(time.Minute)
	if s.touched.first(hash, minute) {
		if err := s.store.TouchAPIKey(ctx, hash, minute); err != nil {
			s.touched.forget(hash, minute)
			s.log.Warn("record API key use", "user", u.ID, "err", err)
		}
	}
	return u, nil
}

// touchedKeys remembers the keys this process has recorded as used in the
// current minute, the precision of a key's last use: every other request
// of that minute skips TouchAPIKey, which reads the key's record in a
// transaction of its own before deciding there is nothing to write (on
// PostgreSQL a round trip and three statements per request). The store
// keeps the latest minute any process recorded.
type touchedKeys struct {
	mu     sync.Mutex
	minute time.Time
	keys   map[string]bool // key hash -> recorded in minute
}

// first reports whether hash is not yet recorded in minute, and marks it.
func (t *touchedKeys) first(hash []byte, minute time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !minute.Equal(t.minute) {
		t.minute, t.keys = minute, map[string]bool{}
	}
	if t.keys[string(hash)] {
		return false
	}
	t.keys[string(hash)] = true
	return true
}

// forget unmarks hash after a failed record, so the next request tries again.
func (t *touchedKeys) forget(hash []byte, minute time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if minute.Equal(t.minute) {
		delete(t.keys, string(hash))
	}
}
