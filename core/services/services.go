// Package services composes the sub-domain services of lre over one store:
// it is what cmd/lre wires and what tests build. Callers name the
// sub-domain they ask (svc.Accounts.Login, svc.Letters.Deposit), so that a
// call says where its rule lives.
package services

import (
	"io"
	"log/slog"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/accounts"
	"github.com/lre-project/lre/core/batches"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/core/webhooks"
)

// Set is every service of lre, built over one store.
type Set struct {
	Letters  *core.Service // deposit, notification, the recipient's answer, expiry, retention
	Consent  *core.Service // prior consent of consumers
	Evidence *evidence.Service
	Webhooks *webhooks.Service
	Accounts *accounts.Service
	Batches  *batches.Service // one letter per row of a recipients CSV
}

// Store is everything the services need from persistence; storage.DB
// implements it.
type Store interface {
	core.Store
	accounts.Store
	batches.Store
	webhooks.Store
	evidence.Store
}

// Option configures the Set.
type Option func(*config)

type config struct {
	core     []core.Option
	accounts []accounts.Option
	batches  batches.Options
	webhooks []webhooks.Option
	evidence []evidence.Option
}

// WithClock injects the clock of every service (tests use a fake one).
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		c.core = append(c.core, core.WithClock(now))
		c.accounts = append(c.accounts, accounts.WithClock(now))
		c.batches.Now = now
		c.webhooks = append(c.webhooks, webhooks.WithClock(now))
		c.evidence = append(c.evidence, evidence.WithClock(now))
	}
}

// WithRand injects the source of randomness of every service.
func WithRand(r io.Reader) Option {
	return func(c *config) {
		c.core = append(c.core, core.WithRand(r))
		c.accounts = append(c.accounts, accounts.WithRand(r))
		c.batches.Rand = r
		c.webhooks = append(c.webhooks, webhooks.WithRand(r))
	}
}

// WithLogger sets where every service logs internal failures.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		c.core = append(c.core, core.WithLogger(l))
		c.accounts = append(c.accounts, accounts.WithLogger(l))
		c.webhooks = append(c.webhooks, webhooks.WithLogger(l))
		c.evidence = append(c.evidence, evidence.WithLogger(l))
	}
}

// WithBaseURL sets the public URL that links in mails and proofs point to.
func WithBaseURL(u string) Option {
	return func(c *config) {
		c.core = append(c.core, core.WithBaseURL(u))
		c.accounts = append(c.accounts, accounts.WithBaseURL(u))
		c.evidence = append(c.evidence, evidence.WithBaseURL(u))
	}
}

// WithProvider sets the provider identity named in mails and proofs.
func WithProvider(p core.Provider) Option {
	return func(c *config) {
		c.core = append(c.core, core.WithProvider(p))
		c.evidence = append(c.evidence, evidence.WithProvider(p))
	}
}

// WithTimestampTimeout bounds how long a deposit or a checkpoint waits for
// an authority.
func WithTimestampTimeout(d time.Duration) Option {
	return func(c *config) {
		c.core = append(c.core, core.WithTimestampTimeout(d))
		c.evidence = append(c.evidence, evidence.WithTimestampTimeout(d))
	}
}

// WithLetters passes options to the letter lifecycle's service (mailer,
// limits, deadlines, retention...).
func WithLetters(opts ...core.Option) Option {
	return func(c *config) { c.core = append(c.core, opts...) }
}

// WithAccounts passes options to the accounts service.
func WithAccounts(opts ...accounts.Option) Option {
	return func(c *config) { c.accounts = append(c.accounts, opts...) }
}

// WithBatchMaxRows sets the most recipients of one batch.
func WithBatchMaxRows(n int) Option { return func(c *config) { c.batches.MaxRows = n } }

// WithWebhooks passes options to the webhooks service.
func WithWebhooks(opts ...webhooks.Option) Option {
	return func(c *config) { c.webhooks = append(c.webhooks, opts...) }
}

// WithEvidence passes options to the evidence service (renderer,
// transparency log, audit material).
func WithEvidence(opts ...evidence.Option) Option {
	return func(c *config) { c.evidence = append(c.evidence, opts...) }
}

// New builds every service over store and timestamper ts.
func New(store Store, ts core.Timestamper, opts ...Option) *Set {
	var c config
	for _, o := range opts {
		o(&c)
	}
	letters := core.NewService(store, ts, c.core...)
	ev := evidence.New(store, ts, append(c.evidence, evidence.WithAcceptedLetters(letters))...)
	letters.SetProofSource(ev)
	return &Set{
		Letters:  letters,
		Consent:  letters,
		Evidence: ev,
		Webhooks: webhooks.New(store, c.webhooks...),
		Accounts: accounts.New(store, c.accounts...),
		Batches:  batches.New(letters, ev, store, c.batches),
	}
}

// WithIdentityPolicy sets how identity providers' acr values map to levels
// (recipients and senders alike) and the operator's default level for
// consumer letters.
func WithIdentityPolicy(p core.IdentityPolicy) Option {
	return func(c *config) {
		c.core = append(c.core, core.WithIdentityPolicy(p))
		c.accounts = append(c.accounts, accounts.WithIdentityPolicy(p))
	}
}
