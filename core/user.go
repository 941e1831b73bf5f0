package core

import (
	"context"
	"fmt"
	"strings"
)

// apiKeyPrefix makes leaked keys easy to recognise in logs and scanners.
const apiKeyPrefix = "lre_"

// AddUser creates a user and returns its first API key, shown once; only the
// key's hash is stored. Errors: EINVALID (with Field), ECONFLICT when the
// email is taken.
func (s *Service) AddUser(ctx context.Context, email, name, org string, role Role) (User, string, error) {
	email, err := checkEmail("email", email)
	if err != nil {
		return User{}, "", err
	}
	if err := checkHeaderText("name", name, maxNameRunes, true); err != nil {
		return User{}, "", err
	}
	if err := checkHeaderText("organisation", org, maxNameRunes, false); err != nil {
		return User{}, "", err
	}
	if !role.Valid() {
		return User{}, "", FieldError(EINVALID, "role", "role must be sender, auditor or admin")
	}
	id, err := newUserID(s.rand)
	if err != nil {
		return User{}, "", err
	}
	key, hash, err := NewSecret(s.rand, apiKeyPrefix)
	if err != nil {
		return User{}, "", err
	}
	u := User{ID: id, Email: strings.ToLower(email), Name: strings.TrimSpace(name), Organisation: strings.TrimSpace(org), Role: role, CreatedAt: s.clock()}
	if err := s.store.CreateUser(ctx, u, hash); err != nil {
		return User{}, "", fmt.Errorf("add user: %w", err)
	}
	return u, key, nil
}

// Authenticate returns the user owning an API key. The key is looked up by
// its hash, so no secret is ever compared byte by byte. Errors: EUNAUTHORIZED.
func (s *Service) Authenticate(ctx context.Context, key string) (User, error) {
	if !strings.HasPrefix(key, apiKeyPrefix) || len(key) > 128 {
		return User{}, Errorf(EUNAUTHORIZED, "invalid API key")
	}
	u, err := s.store.UserByKeyHash(ctx, HashSecret(key))
	if err != nil && ErrorCode(err) != EUNAUTHORIZED {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	return u, err
}
