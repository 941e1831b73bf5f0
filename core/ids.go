package core

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"time"
)

// idEncoding is RFC 4648 base32 without padding: case-insensitive, no
// characters that need escaping in URLs, file names or email.
var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// noticeIDEncoding has the same 32 characters as idEncoding, in ASCII order,
// so that ids sort as their bytes do (upper or lower case alike): a letter id
// keys a dozen buckets, and ids that ascend with time put a commit's letters
// on the same few B-tree pages instead of one random page per bucket each.
var noticeIDEncoding = base32.NewEncoding("234567ABCDEFGHIJKLMNOPQRSTUVWXYZ").WithPadding(base32.NoPadding)

// idEpoch is where the time part of a letter id starts counting.
var idEpoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// idTimeBits of milliseconds since idEpoch last until 2159; the other 38 of
// the 80 bits are random. Two letters collide only within one millisecond
// (odds 2^-38 a pair), and the store refuses a second letter under an id
// (core.ECONFLICT), so a collision costs a retry, never a letter.
const idTimeBits = 42

// newNoticeID returns an identifier like LRE-ABCD-EFGH-IJKL-MNOP (80 bits:
// the deposit millisecond, then random bits): readable on the phone, unique
// without coordination. The id is no secret (every page that shows a letter
// asks for a session, a link token or the check code), so that it tells
// when the letter arrived costs nothing the certificates do not already say.
func newNoticeID(now time.Time, rand io.Reader) (string, error) {
	var b [10]byte
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		return "", fmt.Errorf("notice id: %w", err)
	}
	ms := uint64(max(now.Sub(idEpoch).Milliseconds(), 0)) & (1<<idTimeBits - 1)
	// top 42 bits: the time; the low 6 bits of byte 5 and bytes 6-9 stay random
	var t [8]byte
	binary.BigEndian.PutUint64(t[:], ms<<(64-idTimeBits))
	copy(b[:5], t[:5])
	b[5] = t[5] | b[5]&(1<<(48-idTimeBits)-1)
	return noticeIDOf(noticeIDEncoding.EncodeToString(b[:])), nil
}

// noticeIDOf writes a letter id's 16 characters (a compact id) in its
// readable form, LRE-ABCD-EFGH-IJKL-MNOP.
func noticeIDOf(compact string) string {
	return "LRE-" + compact[0:4] + "-" + compact[4:8] + "-" + compact[8:12] + "-" + compact[12:16]
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
