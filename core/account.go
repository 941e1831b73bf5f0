package core

import (
	"context"
	"sync"
	"time"
)

// Accounts: organisations, web logins, sessions and API keys.
//
// An organisation is a sender's legal team. It is identified by its exact
// name, User.Organisation, which is also what proofs show as the sender's
// organisation; there is no separate organisation record. Who sees what:
//
//   - a sender sees the letters they sent;
//   - an auditor or an admin sees every letter of their organisation;
//   - an admin creates and lists the users of their organisation;
//   - a user without an organisation sees only their own letters and
//     manages nobody;
//   - an admin without an organisation is the provider's operator: the
//     only one who takes provider-wide actions such as backups
//     (CheckOperator, which answers EFORBIDDEN: no id is at stake).
//
// Anything outside these rules is ENOTFOUND, never EFORBIDDEN, so that ids
// of other organisations leak nothing.

// APIKey describes an API key without its secret, which is shown once at
// creation and stored only as a hash.
type APIKey struct {
	ID         string    `json:"id"`
	UserID     string    `json:"user_id"`
	Label      string    `json:"label,omitempty"`
	Prefix     string    `json:"prefix"` // the first characters of the key, to recognise it
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

// Session is a web login. Expires is when it ends unless used again: the
// earlier of LastSeen plus the idle timeout and CreatedAt plus the
// absolute timeout.
type Session struct {
	UserID    string    `json:"user_id"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	Expires   time.Time `json:"expires"`
}

// KeyStore keeps API keys by the hash of their secret.
type KeyStore interface {
	// AddAPIKey stores k under hash, usable at once.
	AddAPIKey(ctx context.Context, k APIKey, hash []byte) error
	// APIKeys lists the live keys of a user, oldest first.
	APIKeys(ctx context.Context, userID string) ([]APIKey, error)
	// RevokeAPIKey deletes key id of userID; ENOTFOUND when userID has none.
	RevokeAPIKey(ctx context.Context, userID, id string) error
}

// KeyUse records when a key was last used.
type KeyUse interface {
	// TouchAPIKey sets the last use of the key with this hash to at,
	// unless at is not after the recorded one; then it writes nothing.
	TouchAPIKey(ctx context.Context, hash []byte, at time.Time) error
}

// UserDirectory finds users.
type UserDirectory interface {
	// UserByID and UserByEmail return ENOTFOUND for an unknown user.
	UserByID(ctx context.Context, id string) (User, error)
	UserByEmail(ctx context.Context, email string) (User, error)
	// OrgUsers lists the users of an organisation, oldest first (then by
	// email).
	OrgUsers(ctx context.Context, org string) ([]User, error)
}

// PasswordStore keeps password hashes and one-time set-password tokens.
type PasswordStore interface {
	// SetPassword stores h for userID, forgets every session of that user
	// and consumes the token with hash tokenHash, if not nil, in the same
	// transaction; ENOTFOUND when that token is unknown or expired at now.
	SetPassword(ctx context.Context, userID string, h PasswordHash, tokenHash []byte, now time.Time) error
	// Password returns ENOTFOUND when the user has no password.
	Password(ctx context.Context, userID string) (PasswordHash, error)
	// PutPasswordToken stores a set-password token's hash for userID.
	PutPasswordToken(ctx context.Context, hash []byte, userID string, expires time.Time) error
}

// PasswordTokens resolves set-password tokens.
type PasswordTokens interface {
	// PasswordTokenUser returns the user a token (by hash) was issued to;
	// ENOTFOUND when unknown or expired at now.
	PasswordTokenUser(ctx context.Context, hash []byte, now time.Time) (string, error)
}

// SessionStore keeps web sessions by the hash of their id.
type SessionStore interface {
	// PutSession creates or updates the session; creating one also forgets
	// the user's sessions that expired before s.LastSeen.
	PutSession(ctx context.Context, hash []byte, s Session) error
	// Session returns ENOTFOUND for an unknown session.
	Session(ctx context.Context, hash []byte) (Session, error)
	// DeleteSession forgets a session; an unknown one is not an error.
	DeleteSession(ctx context.Context, hash []byte) error
}

// AccountStore is everything accounts need from persistence.
type AccountStore interface {
	KeyStore
	KeyUse
	UserDirectory
	PasswordStore
	PasswordTokens
	SessionStore
}

// SessionPolicy bounds web sessions.
type SessionPolicy struct {
	Idle     time.Duration // a session unused this long ends (default 30 min)
	Absolute time.Duration // a session ends this long after login anyway (default 12 h)
}

// accounts is the in-memory state of logins: the throttle and the bound on
// concurrent password hashing (argon2id uses memory on purpose).
type accounts struct {
	params   PasswordParams
	sessions SessionPolicy
	throttle *loginThrottle
	hashing  chan struct{}

	dummyOnce sync.Once
	dummy     PasswordHash
}

func newAccounts() *accounts {
	return &accounts{
		params:   DefaultPasswordParams,
		sessions: SessionPolicy{Idle: 30 * time.Minute, Absolute: 12 * time.Hour},
		throttle: newLoginThrottle(),
		hashing:  make(chan struct{}, 4),
	}
}

// WithPasswordParams overrides DefaultPasswordParams for new passwords;
// stored hashes keep the parameters they were made with. Tests use cheap
// ones.
func WithPasswordParams(p PasswordParams) Option {
	return func(s *Service) { s.accounts.params = p }
}

// WithSessionPolicy overrides the 30-minute idle and 12-hour absolute
// session timeouts.
func WithSessionPolicy(p SessionPolicy) Option {
	return func(s *Service) { s.accounts.sessions = p }
}

// SessionPolicy returns the session timeouts in force.
func (s *Service) SessionPolicy() SessionPolicy { return s.accounts.sessions }
