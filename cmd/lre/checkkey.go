package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/lre-project/lre/internal/keyfile"
)

// checkKeySize is the HMAC key of certificates' check codes: 256 bits.
const checkKeySize = 32

// loadOrCreateCheckKey reads the check-code key at path, creating it
// (mode 0600) on first start. Losing it makes the codes printed on earlier
// certificates unverifiable (the PDFs' seals stay valid), so it is kept
// and backed up like the other keys of the data directory.
func loadOrCreateCheckKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key = make([]byte, checkKeySize)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("check key: %w", err)
		}
		if err := keyfile.WriteNew(path, key, 0o600); err != nil {
			return nil, fmt.Errorf("check key: %w", err)
		}
		return key, nil
	}
	if err != nil {
		return nil, fmt.Errorf("check key: %w", err)
	}
	if len(key) != checkKeySize {
		return nil, fmt.Errorf("check key %s: %d bytes, want %d", path, len(key), checkKeySize)
	}
	return key, nil
}
