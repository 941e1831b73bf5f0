// Package lretest builds a real lre for tests: the services over a bbolt
// file in t.TempDir(), an embedded RFC 3161 authority, a fake clock and a
// scripted mailer. Web, integration, e2e and domain tests use it instead of
// wiring the services by hand, so that a new dependency is added once.
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
// and a first sender (alice@example.org, of Cabinet Martin).
type Env struct {
	T         testing.TB
	Dir       string // the data directory, when New opened the store
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
	dir := t.TempDir()
	db := storetest.Open(t, dir, storage.Options{})
	e := On(t, db, NewAuthority(t), opts...)
	e.Dir = dir
	return e
}

// On builds the services over an already open store and authority, as a
// restarted process would.
func On(t testing.TB, db *storage.DB, a *rfc3161.Authority, opts ...services.Option) *Env {
	t.Helper()
	c := &Clock{t: Start}
	m := &Mailer{clock: c}
	all := append([]services.Option{
		services.WithClock(c.Now), services.WithBaseURL(BaseURL), services.WithLogger(Quiet),
		services.WithLetters(core.WithMailer(m), core.WithBounceDomain("lre.test"),
			core.WithRetry(core.RetryPolicy{Base: time.Minute, Max: time.Hour, MaxAge: 72 * time.Hour})),
	}, opts...)
	svc := services.New(db, rfc3161.NewLocal(a), all...)
	u, _, err := svc.Accounts.AddUser(context.Background(), "alice@example.org", "Alice Martin", "Cabinet Martin", core.RoleSender)
	if err != nil && core.ErrorCode(err) != core.ECONFLICT {
		t.Fatal(err)
	}
	if err != nil {
		u, err = db.UserByEmail(context.Background(), "alice@example.org")
		if err != nil {
			t.Fatal(err)
		}
	}
	return &Env{T: t, DB: db, Svc: svc, Clock: c, Mailer: m, Authority: a, Sender: u}
}

// NewAuthority starts an embedded RFC 3161 authority with keys in a
// temporary directory.
func NewAuthority(t testing.TB) *rfc3161.Authority {
	t.Helper()
	a, err := rfc3161.LoadOrCreateAuthority(filepath.Join(t.TempDir(), "tsa"), "test", time.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
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
