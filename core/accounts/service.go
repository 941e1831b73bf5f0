// Package accounts holds the users of lre and how they prove who they are:
// organisations, API keys, web logins and sessions, set-password links and
// login throttling.
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
package accounts

import (
	"crypto/rand"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/lre-project/lre/core"
)

// Service holds the account use cases. Its state in memory is the login
// throttle and the bound on concurrent password hashing (argon2id uses
// memory on purpose); everything else is in its Store.
type Service struct {
	store    Store
	now      func() time.Time
	rand     io.Reader
	log      *slog.Logger
	baseURL  string
	params   PasswordParams
	sessions SessionPolicy
	throttle *loginThrottle
	hashing  chan struct{}
	identity core.IdentityPolicy

	dummyOnce sync.Once
	dummy     PasswordHash
	touched   touchedKeys // API keys whose use this minute is recorded (keys.go)
}

// Option configures a Service.
type Option func(*Service)

// WithClock injects the clock (tests use a fake one for session timeouts).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithRand injects the source of randomness for ids, keys and salts.
func WithRand(r io.Reader) Option { return func(s *Service) { s.rand = r } }

// WithLogger sets where internal failures are logged.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// WithBaseURL sets the public URL that set-password links point to.
func WithBaseURL(u string) Option { return func(s *Service) { s.baseURL = strings.TrimRight(u, "/") } }

// New returns a Service over store.
func New(store Store, opts ...Option) *Service {
	s := &Service{
		store:    store,
		now:      time.Now,
		rand:     rand.Reader,
		log:      slog.Default(),
		baseURL:  "http://127.0.0.1:8080",
		params:   DefaultPasswordParams,
		sessions: SessionPolicy{Idle: 30 * time.Minute, Absolute: 12 * time.Hour},
		throttle: newLoginThrottle(),
		hashing:  make(chan struct{}, 4),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func (s *Service) clock() time.Time { return s.now().UTC() }
