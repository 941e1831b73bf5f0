package accounts

import (
	"context"
	"encoding/hex"
	"fmt"
	"github.com/lre-project/lre/core"
	"io"
	"strings"
)

// apiKeyPrefix makes leaked keys easy to recognise in logs and scanners.
const apiKeyPrefix = "lre_"

// AddUser creates a user and returns its first API key, shown once; only the
// key's hash is stored. Errors: EINVALID (with Field), ECONFLICT when the
// email is taken.
func (s *Service) AddUser(ctx context.Context, email, name, org string, role core.Role) (core.User, string, error) {
	email, err := core.CheckEmail("email", email)
	if err != nil {
		return core.User{}, "", err
	}
	if err := core.CheckHeaderText("name", name, core.MaxNameRunes, true); err != nil {
		return core.User{}, "", err
	}
	if err := core.CheckHeaderText("organisation", org, core.MaxNameRunes, false); err != nil {
		return core.User{}, "", err
	}
	if !role.Valid() {
		return core.User{}, "", core.FieldError(core.EINVALID, "role", "role must be sender, auditor or admin")
	}
	id, err := newUserID(s.rand)
	if err != nil {
		return core.User{}, "", err
	}
	key, hash, err := core.NewSecret(s.rand, apiKeyPrefix)
	if err != nil {
		return core.User{}, "", err
	}
	u := core.User{ID: id, Email: strings.ToLower(email), Name: strings.TrimSpace(name), Organisation: strings.TrimSpace(org), Role: role, CreatedAt: s.clock()}
	if err := s.store.CreateUser(ctx, u, hash); err != nil {
		return core.User{}, "", fmt.Errorf("add user: %w", err)
	}
	return u, key, nil
}

// newUserID returns a random user identifier.
func newUserID(rand io.Reader) (string, error) {
	var b [8]byte
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		return "", fmt.Errorf("user id: %w", err)
	}
	return "usr_" + hex.EncodeToString(b[:]), nil
}
