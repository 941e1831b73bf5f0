// Package evidence turns the evidence log into proofs a stranger can check:
// sealed PDF certificates, evidence bundles for auditors, and the
// transparency log's signed checkpoints and Merkle proofs. It renders
// nothing itself (certs does) and never changes a letter.
package evidence

import (
	"log/slog"
	"strings"
	"time"

	"github.com/lre-project/lre/core"
)

// Store is everything evidence needs from persistence.
type Store interface {
	core.NoticeReader
	core.ContentReader
	CertificateStore
}

// Service holds the evidence use cases.
type Service struct {
	store       Store
	renderer    core.CertificateRenderer // nil: certificates unavailable
	timestamper core.Timestamper
	tsaTimeout  time.Duration
	now         func() time.Time
	log         *slog.Logger
	provider    core.Provider
	baseURL     string
	tlog        *transparency // nil: no transparency log (see WithTransparencyLog)
	audit       AuditMaterial
	accepted    AcceptedLetters // nil: no recipient receipts
	checkKey    []byte          // nil: certificates carry no check code
	etsi        etsiConfig      // zero: no ETSI evidence (see WithETSIEvidence)
	renewer     ProofRenewer    // nil: no renewal (see WithRenewal)
	renewals    RenewalStore
}

// Option configures a Service.
type Option func(*Service)

// WithClock injects the clock.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithLogger sets where internal failures are logged.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// WithProvider sets the provider identity named in proofs.
func WithProvider(p core.Provider) Option { return func(s *Service) { s.provider = p } }

// WithBaseURL sets the public URL of the verification page proofs print.
func WithBaseURL(u string) Option { return func(s *Service) { s.baseURL = strings.TrimRight(u, "/") } }

// WithTimestampTimeout bounds how long a checkpoint waits for an authority.
func WithTimestampTimeout(d time.Duration) Option { return func(s *Service) { s.tsaTimeout = d } }

// New returns a Service over store that time-stamps checkpoints with ts.
func New(store Store, ts core.Timestamper, opts ...Option) *Service {
	s := &Service{
		store:       store,
		timestamper: ts,
		tsaTimeout:  15 * time.Second,
		now:         time.Now,
		log:         slog.Default(),
		provider:    core.DefaultProvider,
		baseURL:     "http://127.0.0.1:8080",
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func (s *Service) clock() time.Time { return s.now().UTC() }
