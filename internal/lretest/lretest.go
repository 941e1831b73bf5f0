// Package lretest builds a real lre for tests: the services over the store
// under test (a bbolt file in t.TempDir(), or PostgreSQL with
// LRE_TEST_STORE=postgres, see internal/storetest), an embedded RFC 3161
// authority, a fake clock and a scripted mailer. Web, integration, e2e,
// cmd and domain tests use it (Build with a Fixture where they need other
// parts) instead of wiring the services by hand, so that a new dependency
// of the services is wired for every test in one place.
package lretest

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/accounts"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/internal/storetest"
	"github.com/lre-project/lre/rfc3161"
	"github.com/lre-project/lre/storage"
)

// Start is the fake clock's first instant: a Monday morning in Paris.
var Start = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// BaseURL is the public URL the services put in links.
const BaseURL = "https://lre.test"

// CheapPasswords keeps argon2id fast in tests; the parameters are stored
// with each hash, so production hashes are unaffected.
var CheapPasswords = services.WithAccounts(accounts.WithPasswordParams(accounts.PasswordParams{Time: 1, Memory: 64, Threads: 1, KeyLen: 32}))

// Quiet is a logger that discards everything.
var Quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// Env is one running lre: its store, services, clock, mailer, authority
// and a first sender (alice@example.org, of Cabinet Martin; the zero User
// with Fixture.NoSender).
type Env struct {
	T         testing.TB
	Dir       string // the data directory, when Build opened the store
	DB        *storage.DB
	Svc       *services.Set
	Clock     *Clock
	Mailer    *Mailer
	Authority *rfc3161.Authority
	Sender    core.User
}

// New starts an Env; opts come after the defaults, so they win.
func New(t testing.TB, opts ...services.Option) *Env {
	t.Helper()
	return Build(t, Fixture{}, opts...)
}

// On builds the services over an already open store and authority, as a
// restarted process would.
func On(t testing.TB, db *storage.DB, a *rfc3161.Authority, opts ...services.Option) *Env {
	t.Helper()
	return Build(t, Fixture{DB: db, Authority: a}, opts...)
}

// Fixture is what an Env stands on, for the tests that need other parts
// than New's; its zero value is New's. Each field is a part cmd/lre wires
// differently in some deployment, so that a test of that deployment still
// builds the one Env rather than its own copy of the wiring.
type Fixture struct {
	Dir   string          // the data directory; "" a fresh t.TempDir()
	Store storage.Options // how Build opens the store in Dir
	DB    *storage.DB     // an already open store (a restart); Dir and Store are then unused

	// Authority issues the tokens; nil: NewAuthority, unless Timestamper is
	// set, when Env.Authority stays nil.
	Authority *rfc3161.Authority
	// Timestamper replaces the authority in process (a client of the
	// authority on loopback, a flaky or metered one); its tokens should be
	// Authority's when a test checks them against its chain.
	Timestamper core.Timestamper

	Clock *Clock // nil: NewClock(Start)

	// WrapStore and WrapMailer decorate what the services see (metrics
	// around the store and the mailer, a disk that fills up); nil leaves
	// the store and Env.Mailer as they are.
	WrapStore  func(*storage.DB) services.Store
	WrapMailer func(core.Mailer) core.Mailer

	NoSender bool // leave the store without alice@example.org
}

// Build starts an Env on f; opts come after the defaults, so they win.
func Build(t testing.TB, f Fixture, opts ...services.Option) *Env {
	t.Helper()
	e := &Env{T: t, DB: f.DB, Authority: f.Authority, Clock: f.Clock}
	if e.DB == nil {
		e.Dir = f.Dir
		if e.Dir == "" {
			e.Dir = t.TempDir()
		}
		e.DB = storetest.Open(t, e.Dir, f.Store)
	}
	if e.Authority == nil && f.Timestamper == nil {
		e.Authority = NewAuthority(t)
	}
	if e.Clock == nil {
		e.Clock = NewClock(Start)
	}
	ts := f.Timestamper
	if ts == nil {
		ts = rfc3161.NewLocal(e.Authority)
	}
	e.Mailer = &Mailer{clock: e.Clock}
	var mailer core.Mailer = e.Mailer
	if f.WrapMailer != nil {
		mailer = f.WrapMailer(mailer)
	}
	var store services.Store = e.DB
	if f.WrapStore != nil {
		store = f.WrapStore(e.DB)
	}
	all := append([]services.Option{
		services.WithClock(e.Clock.Now), services.WithBaseURL(BaseURL), services.WithLogger(Quiet),
		services.WithLetters(core.WithMailer(mailer), core.WithBounceDomain("lre.test"),
			core.WithRetry(core.RetryPolicy{Base: time.Minute, Max: time.Hour, MaxAge: 72 * time.Hour})),
	}, opts...)
	e.Svc = services.New(store, ts, all...)
	if !f.NoSender {
		e.Sender = e.firstSender()
	}
	return e
}

// firstSender adds alice@example.org, or finds her in a reopened store.
func (e *Env) firstSender() core.User {
	e.T.Helper()
	ctx := context.Background()
	u, _, err := e.Svc.Accounts.AddUser(ctx, "alice@example.org", "Alice Martin", "Cabinet Martin", core.RoleSender)
	if err != nil && core.ErrorCode(err) != core.ECONFLICT {
		e.T.Fatal(err)
	}
	if err != nil {
		if u, err = e.DB.UserByEmail(ctx, "alice@example.org"); err != nil {
			e.T.Fatal(err)
		}
	}
	return u
}

// NewAuthority starts an embedded RFC 3161 authority with keys in a
// temporary directory.
func NewAuthority(t testing.TB) *rfc3161.Authority {
	t.Helper()
	return AuthorityIn(t, filepath.Join(t.TempDir(), "tsa"), time.Now)
}

// AuthorityIn loads the embedded authority whose keys are in dir, or
// makes them there, on the clock now: a test that restarts lre reopens the
// same authority, and one on a fake clock gets tokens of the clock's time,
// which the services' genTime bounds accept.
func AuthorityIn(t testing.TB, dir string, now func() time.Time, opts ...rfc3161.AuthorityOption) *rfc3161.Authority {
	t.Helper()
	a, err := rfc3161.LoadOrCreateAuthority(dir, "test", now, rand.Reader, opts...)
	if err != nil {
		t.Fatalf("embedded authority in %s: %v", dir, err)
	}
	return a
}

// Deposit deposits a one-body letter from the Env's sender to Bob.
func (e *Env) Deposit() core.Notice {
	e.T.Helper()
	n, _, err := e.Svc.Letters.Deposit(context.Background(), core.DepositRequest{
		Sender: e.Sender, RecipientEmail: "bob@example.com", RecipientName: "Bob Durand",
		Subject: "Mise en demeure", Body: "Madame, Monsieur,",
	})
	if err != nil {
		e.T.Fatal(err)
	}
	return n
}

// Process runs the outbox once.
func (e *Env) Process() {
	e.T.Helper()
	if _, err := e.Svc.Letters.ProcessOutbox(context.Background()); err != nil {
		e.T.Fatal(err)
	}
}

// Notice reads a notice from the store, bypassing every visibility rule.
func (e *Env) Notice(id string) core.Notice {
	e.T.Helper()
	n, err := e.DB.Notice(context.Background(), id)
	if err != nil {
		e.T.Fatal(err)
	}
	return n
}

// Events reads a notice's events from the store.
func (e *Env) Events(id string) []core.Event {
	e.T.Helper()
	evs, err := e.DB.NoticeEvents(context.Background(), id)
	if err != nil {
		e.T.Fatal(err)
	}
	return evs
}

// Types lists the types of evs, in order.
func Types(evs []core.Event) []core.EventType {
	var out []core.EventType
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}
