package core

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"io"
	"strings"
)

// idEncoding is RFC 4648 base32 without padding: case-insensitive, no
// characters that need escaping in URLs, file names or email.
var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newNoticeID returns an identifier like LRE-ABCD-EFGH-IJKL-MNOP (80 random
// bits): readable on the phone, unique without coordination.
func newNoticeID(rand io.Reader) (string, error) {
	var b [10]byte
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		return "", fmt.Errorf("notice id: %w", err)
	}
	s := idEncoding.EncodeToString(b[:])
	return "LRE-" + s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16], nil
}

// ValidNoticeID reports whether id has the shape newNoticeID produces, so that
// lookups with garbage ids fail fast with a clean 404.
func ValidNoticeID(id string) bool {
	if len(id) != 23 || !strings.HasPrefix(id, "LRE-") {
		return false
	}
	for i, r := range id[4:] {
		if (i+1)%5 == 0 {
			if r != '-' {
				return false
			}
			continue
		}
		if !(r >= 'A' && r <= 'Z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}

// NewSecret returns a URL-safe secret of 256 random bits and its SHA-256 hash.
// Only the hash is ever stored; the secret is shown once.
func NewSecret(rand io.Reader, prefix string) (secret string, hash []byte, err error) {
	var b [32]byte
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		return "", nil, fmt.Errorf("new secret: %w", err)
	}
	secret = prefix + strings.ToLower(idEncoding.EncodeToString(b[:]))
	return secret, HashSecret(secret), nil
}

// HashSecret returns the stored form of a secret (API key, link token).
// Secrets carry 256 bits of entropy, so an unsalted SHA-256 is enough and lets
// the store look them up by hash without comparing secrets at all.
func HashSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}
