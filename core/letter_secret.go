package core

import (
	"context"
	"strings"
)

// A letter's link token and verification code are looked up by a key that
// starts with the letter's id: ids ascend with time, so the two secrets each
// notification stores land on the store's last pages beside the letter's
// other records, instead of one random page each (lre bench, 100 KB
// letters: 2 of the ~15 B-tree pages written per letter). Secrets made
// before this are still found under their bare hash.

// compactID is a letter id without its "LRE-" and dashes: 16 characters
// (noticeIDOf writes it back).
func compactID(noticeID string) string {
	return strings.ReplaceAll(strings.TrimPrefix(noticeID, "LRE-"), "-", "")
}

// letterSecretKey is the store key of a secret of letter noticeID.
func letterSecretKey(noticeID string, hash []byte) []byte {
	return append([]byte(compactID(noticeID)), hash...)
}

// newLinkToken returns a notification link token for letter noticeID: the
// letter's compact id in lower case, then 256 random bits, and its store key.
func (s *Service) newLinkToken(noticeID string) (token string, key []byte, err error) {
	random, _, err := NewSecret(s.rand, "")
	if err != nil {
		return "", nil, err
	}
	token = strings.ToLower(compactID(noticeID)) + random
	return token, letterSecretKey(noticeID, HashSecret(token)), nil
}

// linkTokenKey is where the secret of link token is stored: under its
// letter when the token starts with a compact letter id and is as long as
// newLinkToken makes them, else (a token of an older notification, or
// garbage) under its bare hash.
func linkTokenKey(token string) []byte {
	const idLen, randomLen = 16, 52
	if len(token) == idLen+randomLen {
		if full := noticeIDOf(strings.ToUpper(token[:idLen])); ValidNoticeID(full) {
			return letterSecretKey(full, HashSecret(token))
		}
	}
	return HashSecret(token)
}

// verifySecret finds the verification-code secret of a letter: under the
// letter first, then under the bare hash older notifications used.
func (s *Service) verifySecret(ctx context.Context, noticeID, code string) (Secret, error) {
	id := strings.ToUpper(strings.TrimSpace(noticeID))
	h := verifyHash(id, code)
	if ValidNoticeID(id) {
		if sec, err := s.store.SecretNotice(ctx, letterSecretKey(id, h), s.clock()); err == nil || ErrorCode(err) != ENOTFOUND {
			return sec, err
		}
	}
	return s.store.SecretNotice(ctx, h, s.clock())
}
