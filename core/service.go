package core

import (
	"crypto/rand"
	"io"
	"log/slog"
	"strings"
	"time"
)

// Service holds the use cases of lre. Its dependencies are interfaces of this
// package; cmd/lre wires the real implementations.
type Service struct {
	store       Store
	consents    ConsentStore
	timestamper Timestamper
	now         func() time.Time
	rand        io.Reader
	limits      Limits
	log         *slog.Logger
	tsaTimeout  time.Duration
	mailer      Mailer
	proofs      ProofSource // the proofs MailProof attaches
	provider    Provider
	baseURL     string
	bounceDom   string
	bounceKey   []byte // tags VERP addresses (see verp)
	deadlines   DeadlinePolicy
	retry       RetryPolicy
	mailConns   int // concurrent mails of the outbox
	policy      SendingPolicy
	kick        chan struct{}
	retention   time.Duration
	identity    IdentityPolicy
}

// SendingPolicy suspends senders whose recent rates pass the thresholds
// providers apply (shared/DOMAIN.md). Zero fields take the defaults.
type SendingPolicy struct {
	Window              int     // last N notifications considered
	MinSample           int     // no decision on fewer than this many
	MaxHardRate         float64 // hard bounces, default 0.08
	MaxBlockRate        float64 // blocks, default 0.30
	MaxComplaintRate    float64 // complaints of a day's mails, default 0.0008...
	ComplaintVolume     int     // ...on a day of more than this many mails, default 1000
	MaxComplaintsPerDay int     // complaints in a day, default 50
}

// withDefaults fills the zero fields.
func (p SendingPolicy) withDefaults() SendingPolicy {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&p.MaxHardRate, 0.08)
	def(&p.MaxBlockRate, 0.30)
	def(&p.MaxComplaintRate, 0.0008)
	if p.ComplaintVolume == 0 {
		p.ComplaintVolume = 1000
	}
	if p.MaxComplaintsPerDay == 0 {
		p.MaxComplaintsPerDay = 50
	}
	if p.Window == 0 {
		p.Window = 100
	}
	return p
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

// WithMailer sets how outgoing mail leaves (SMTP or the dev mailbox).
func WithMailer(m Mailer) Option { return func(s *Service) { s.mailer = m } }

// WithProvider sets the provider identity named in mails and proofs.
func WithProvider(p Provider) Option { return func(s *Service) { s.provider = p } }

// WithBaseURL sets the public URL that links in mails point to.
func WithBaseURL(u string) Option { return func(s *Service) { s.baseURL = strings.TrimRight(u, "/") } }

// WithBounceDomain sets the domain of VERP return paths (bounce+id@domain).
func WithBounceDomain(d string) Option { return func(s *Service) { s.bounceDom = d } }

// WithDeadlines overrides the French 15-day rule.
func WithDeadlines(p DeadlinePolicy) Option { return func(s *Service) { s.deadlines = p } }

// WithMailConnections sets how many mails the outbox sends at a time
// (DefaultMailConnections when n < 1).
func WithMailConnections(n int) Option {
	return func(s *Service) {
		if n >= 1 {
			s.mailConns = n
		}
	}
}

// WithRetry overrides the mail retry policy.
func WithRetry(p RetryPolicy) Option { return func(s *Service) { s.retry = p } }

// WithSendingPolicy overrides the bounce-rate policy.
func WithSendingPolicy(p SendingPolicy) Option { return func(s *Service) { s.policy = p } }

// NewService returns a Service over store and timestamper.
func NewService(store Store, ts Timestamper, opts ...Option) *Service {
	s := &Service{
		store:       store,
		consents:    store,
		timestamper: ts,
		now:         time.Now,
		rand:        rand.Reader,
		limits:      DefaultLimits,
		log:         slog.Default(),
		tsaTimeout:  15 * time.Second,
		provider:    DefaultProvider,
		baseURL:     "http://127.0.0.1:8080",
		bounceDom:   "localhost",
		deadlines:   DeadlinePolicy{Days: 15, Location: DefaultDeadlineLocation(), Reminders: []int{7, 12}},
		retry:       RetryPolicy{Base: time.Minute, Max: 2 * time.Hour, MaxAge: 72 * time.Hour},
		mailConns:   DefaultMailConnections,
		policy:      SendingPolicy{Window: 100, MinSample: 20, MaxHardRate: 0.08},
		kick:        make(chan struct{}, 1),
	}
	for _, o := range opts {
		o(s)
	}
	if len(s.bounceKey) == 0 {
		s.bounceKey = make([]byte, 32)
		if _, err := io.ReadFull(s.rand, s.bounceKey); err != nil {
			panic("core: no randomness for the bounce key: " + err.Error())
		}
	}
	return s
}

// Limits returns the deposit limits in force.
func (s *Service) Limits() Limits { return s.limits }

// Provider returns the provider identity in force.
func (s *Service) Provider() Provider { return s.provider }

func (s *Service) clock() time.Time { return s.now().UTC() }

// Kick wakes the outbox worker now rather than at its next tick, so that a
// one-time code or a fresh notification leaves at once.
func (s *Service) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}
