// Package webhooks pushes the evidence events of an organisation's letters
// to the HTTP endpoints its admins register, signed and retried from a
// durable queue, and serves the same events as a pull stream for systems
// that cannot receive webhooks.
package webhooks

import (
	"crypto/rand"
	"io"
	"log/slog"
	"time"
)

// Store is everything webhooks need from persistence. The store fills the
// delivery queue itself, in the transaction that appends each event, so
// that no event is lost between the log and the queue.
type Store interface {
	WebhookStore
	WebhookQueue
	WebhookAdmin
	EventStream
}

// Service holds the webhook use cases.
type Service struct {
	store  Store
	now    func() time.Time
	rand   io.Reader
	log    *slog.Logger
	poster WebhookPoster // nil: deliveries stay queued
	policy WebhookPolicy
	kick   chan struct{}
}

// Option configures a Service.
type Option func(*Service)

// WithClock injects the clock (tests use a fake one for retries).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithRand injects the source of randomness for ids and secrets.
func WithRand(r io.Reader) Option { return func(s *Service) { s.rand = r } }

// WithLogger sets where internal failures are logged.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// WithDelivery enables webhook delivery through poster under policy.
func WithDelivery(poster WebhookPoster, p WebhookPolicy) Option {
	return func(s *Service) { s.poster, s.policy = poster, p }
}

// New returns a Service over store; without WithDelivery it accepts
// webhooks but delivers nothing.
func New(store Store, opts ...Option) *Service {
	s := &Service{
		store:  store,
		now:    time.Now,
		rand:   rand.Reader,
		log:    slog.Default(),
		policy: DefaultWebhookPolicy,
		kick:   make(chan struct{}, 1),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func (s *Service) clock() time.Time { return s.now().UTC() }
