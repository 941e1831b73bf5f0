package accounts

import (
	"context"
	"github.com/lre-project/lre/core"
	"time"
)

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
	// How the user logged in, for the evidence of what they do: empty for
	// a password (web session, low); core.MethodOIDC with the provider's
	// issuer, the pseudonymous subject and the level it reached.
	Method    string `json:"method,omitempty"`
	Assurance string `json:"assurance,omitempty"`
	Issuer    string `json:"issuer,omitempty"`
	Subject   string `json:"subject,omitempty"`
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
	UserByID(ctx context.Context, id string) (core.User, error)
	UserByEmail(ctx context.Context, email string) (core.User, error)
	// OrgUsers lists the users of an organisation, oldest first (then by
	// email).
	OrgUsers(ctx context.Context, org string) ([]core.User, error)
}

// RoleStore changes what a user may do.
type RoleStore interface {
	// SetUserRole sets the role of user id; ENOTFOUND for an unknown user.
	SetUserRole(ctx context.Context, id string, role core.Role) error
	// SetProofMails records whether user id receives proof mails;
	// ENOTFOUND for an unknown user.
	SetProofMails(ctx context.Context, id string, on bool) error
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

// UserStore keeps accounts and the hashes of their API keys.
type UserStore interface {
	// CreateUser returns ECONFLICT when the email is taken.
	CreateUser(ctx context.Context, u core.User, keyHash []byte) error
	// UserByKeyHash returns EUNAUTHORIZED for an unknown key hash.
	UserByKeyHash(ctx context.Context, keyHash []byte) (core.User, error)
}

// Store is everything accounts need from persistence.
type Store interface {
	UserStore
	KeyStore
	KeyUse
	UserDirectory
	RoleStore
	PasswordStore
	PasswordTokens
	SessionStore
}

// SessionPolicy bounds web sessions.
type SessionPolicy struct {
	Idle     time.Duration // a session unused this long ends (default 30 min)
	Absolute time.Duration // a session ends this long after login anyway (default 12 h)
}

// WithPasswordParams overrides DefaultPasswordParams for new passwords;
// stored hashes keep the parameters they were made with. Tests use cheap
// ones.
func WithPasswordParams(p PasswordParams) Option {
	return func(s *Service) { s.params = p }
}

// WithSessionPolicy overrides the 30-minute idle and 12-hour absolute
// session timeouts.
func WithSessionPolicy(p SessionPolicy) Option {
	return func(s *Service) { s.sessions = p }
}

// SessionPolicy returns the session timeouts in force.
func (s *Service) SessionPolicy() SessionPolicy { return s.sessions }
