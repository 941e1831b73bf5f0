package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/lre-project/lre/internal/keyfile"
)

// bounceKeyFile holds the key that tags VERP return paths (core.WithBounceKey).
// Reports come back days after the mail left: the key must outlive restarts.
const bounceKeyFile = "bounce.key"

// loadOrCreateBounceKey reads the 32-byte key at path, or writes a new one
// from crypto/rand (mode 0600) when there is none.
func loadOrCreateBounceKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	switch {
	case err == nil && len(key) == 32:
		return key, nil
	case err == nil:
		return nil, fmt.Errorf("bounce key %s: %d bytes, want 32", path, len(key))
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("bounce key: %w", err)
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("bounce key: %w", err)
	}
	if err := keyfile.WriteNew(path, key, 0o600); err != nil {
		return nil, fmt.Errorf("bounce key: %w", err)
	}
	return key, nil
}
