package accounts

import (
	"context"
	"crypto/subtle"
	"fmt"
	"github.com/lre-project/lre/core"
	"io"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// PasswordParams are argon2id's cost parameters.
type PasswordParams struct {
	Time    uint32 `json:"t"`
	Memory  uint32 `json:"m"` // KiB
	Threads uint8  `json:"p"`
	KeyLen  uint32 `json:"len"`
}

// DefaultPasswordParams follow OWASP's argon2id recommendation (19 MiB,
// two passes, one lane).
var DefaultPasswordParams = PasswordParams{Time: 2, Memory: 19 * 1024, Threads: 1, KeyLen: 32}

// PasswordHash is a stored password: the algorithm, its parameters, the
// user's own random salt and the derived key. It never leaves the server.
type PasswordHash struct {
	Algorithm string         `json:"alg"` // "argon2id"
	Version   int            `json:"v"`   // argon2.Version at hashing time
	Params    PasswordParams `json:"params"`
	Salt      []byte         `json:"salt"`
	Key       []byte         `json:"key"`
}

// Password length bounds, in bytes for the maximum so that hashing cost
// stays bounded, in characters for the minimum.
const (
	minPasswordRunes = 12
	maxPasswordBytes = 1024
)

// CheckPassword reports whether pw is acceptable: valid UTF-8, at least
// 12 characters, at most 1024 bytes. Errors: EINVALID (Field "password").
func CheckPassword(pw string) error {
	if !utf8.ValidString(pw) {
		return core.FieldError(core.EINVALID, "password", "the password is not valid UTF-8")
	}
	if utf8.RuneCountInString(pw) < minPasswordRunes {
		return core.FieldError(core.EINVALID, "password", "the password must be at least %d characters long", minPasswordRunes)
	}
	if len(pw) > maxPasswordBytes {
		return core.FieldError(core.EINVALID, "password", "the password is longer than %s", core.Bytes(maxPasswordBytes))
	}
	return nil
}

// hashPassword derives a new hash with a fresh 16-byte salt.
func (s *Service) hashPassword(pw string) (PasswordHash, error) {
	salt := make([]byte, 16)
	if _, err := io.ReadFull(s.rand, salt); err != nil {
		return PasswordHash{}, fmt.Errorf("password salt: %w", err)
	}
	h := PasswordHash{Algorithm: "argon2id", Version: argon2.Version, Params: s.params, Salt: salt}
	h.Key = s.derive(pw, h)
	return h, nil
}

// derive runs argon2id with h's parameters. At most a few run at once, so
// that a burst of logins cannot exhaust memory.
func (s *Service) derive(pw string, h PasswordHash) []byte {
	s.hashing <- struct{}{}
	defer func() { <-s.hashing }()
	p := h.Params
	return argon2.IDKey([]byte(pw), h.Salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

// matches reports whether pw matches h, in constant time once derived.
func (s *Service) matches(pw string, h PasswordHash) bool {
	if h.Algorithm != "argon2id" || h.Version != argon2.Version || len(h.Key) == 0 || len(pw) > maxPasswordBytes {
		return false
	}
	return subtle.ConstantTimeCompare(s.derive(pw, h), h.Key) == 1
}

// dummyHash is checked against when the account is unknown or has no
// password, so that such a login costs what a wrong password costs.
func (s *Service) dummyHash() PasswordHash {
	s.dummyOnce.Do(func() {
		s.dummy, _ = s.hashPassword("lre dummy password, never matches")
		s.dummy.Salt = append(s.dummy.Salt, 0) // a different salt: never matches
	})
	return s.dummy
}

// SetPassword sets the web password of the user with this email and ends
// all their sessions. It is the administrator's bootstrap (lre users
// passwd). Errors: EINVALID (Field "password"), ENOTFOUND.
func (s *Service) SetPassword(ctx context.Context, email, password string) error {
	if err := CheckPassword(password); err != nil {
		return err
	}
	u, err := s.store.UserByEmail(ctx, normEmail(email))
	if err != nil {
		return err
	}
	h, err := s.hashPassword(password)
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(ctx, u.ID, h, nil, s.clock()); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}
