package core

import (
	"crypto/rand"
	"io"
	"log/slog"
	"time"
)

// Service holds the use cases of lre. Its dependencies are interfaces of this
// package; cmd/lre wires the real implementations.
type Service struct {
	store       Store
	timestamper Timestamper
	now         func() time.Time
	rand        io.Reader
	limits      Limits
	log         *slog.Logger
	tsaTimeout  time.Duration
}

// Option configures a Service.
type Option func(*Service)

// WithClock injects the clock (tests use a fake one for deadlines).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithRand injects the source of randomness for ids and secrets.
func WithRand(r io.Reader) Option { return func(s *Service) { s.rand = r } }

// WithLimits overrides DefaultLimits.
func WithLimits(l Limits) Option { return func(s *Service) { s.limits = l } }

// WithLogger sets where internal failures are logged.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// WithTimestampTimeout bounds how long a deposit waits for an authority
// before it is kept pending and retried in the background.
func WithTimestampTimeout(d time.Duration) Option { return func(s *Service) { s.tsaTimeout = d } }

// NewService returns a Service over store and timestamper.
func NewService(store Store, ts Timestamper, opts ...Option) *Service {
	s := &Service{
		store:       store,
		timestamper: ts,
		now:         time.Now,
		rand:        rand.Reader,
		limits:      DefaultLimits,
		log:         slog.Default(),
		tsaTimeout:  15 * time.Second,
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Limits returns the deposit limits in force.
func (s *Service) Limits() Limits { return s.limits }

func (s *Service) clock() time.Time { return s.now().UTC() }
