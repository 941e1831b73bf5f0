package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/lre-project/lre/core"
)

// TLSMode says when the Sender encrypts the connection with STARTTLS.
type TLSMode int

const (
	// TLSRequired refuses to send unless the server offers STARTTLS and the
	// handshake verifies. It is the zero value because a notification
	// carries a link and a code that must not cross the network in clear.
	TLSRequired TLSMode = iota
	// TLSOpportunistic uses STARTTLS when offered and sends in clear
	// otherwise (a handshake failure still fails the attempt).
	TLSOpportunistic
	// TLSOff never starts TLS: only for a relay on the same host.
	TLSOff
)

// Default timeouts, shorter than RFC 5321's minutes-long recommendations
// because an attempt that stalls is retried later anyway.
const (
	DefaultDialTimeout    = 10 * time.Second
	DefaultCommandTimeout = time.Minute
	DefaultDataTimeout    = 5 * time.Minute
	quitTimeout           = 5 * time.Second
)

// ErrAuth means the relay refused our credentials, or could not be given
// them safely (no TLS on a remote link). Retrying will not help: fix the
// configuration. Send returns it as an error, not as a bounce, because the
// recipient's address is not at fault.
var ErrAuth = errors.New("smtp authentication")

var errNoStartTLS = errors.New("the server does not offer STARTTLS, which is required")

// Sender delivers mail to one SMTP relay (Addr) and reports what it said.
// It does not look MX records up: a relay, or the recipient domain's MX in
// tests, is the configured Addr. The zero values of the optional fields are
// the safe ones: TLS required, default timeouts, the From domain as HELO.
type Sender struct {
	Addr      string // host:port
	HeloName  string // defaults to the domain of the From address
	StartTLS  TLSMode
	TLSConfig *tls.Config // nil verifies against the system roots for Addr's host

	// Username and Password enable AUTH PLAIN (or LOGIN), sent only over
	// TLS or to a loopback address.
	Username string
	Password string

	DKIM *DKIMConfig // nil sends unsigned
	// Location is the deadline zone the mails write deadlines in
	// (--deadline-tz); nil is core.DefaultDeadlineZone.
	Location *time.Location

	DialTimeout    time.Duration // 0 means DefaultDialTimeout
	CommandTimeout time.Duration // 0 means DefaultCommandTimeout
	DataTimeout    time.Duration // 0 means DefaultDataTimeout

	Now func() time.Time // nil means time.Now

	pool *sessionPool // idle sessions (session_pool.go), made on first use
}

var _ core.Mailer = (*Sender)(nil)

// poolsMu guards the lazy creation of Senders' pools: a Sender is built as
// a literal, with no constructor to make it.
var poolsMu sync.Mutex

func (s *Sender) sessions() *sessionPool {
	poolsMu.Lock()
	defer poolsMu.Unlock()
	if s.pool == nil {
		s.pool = &sessionPool{}
	}
	return s.pool
}

// Close ends the idle connections (QUIT). The Sender may still send: a
// mail after Close opens a connection and closes it when done.
func (s *Sender) Close() error {
	s.sessions().close()
	return nil
}

// Send composes m and delivers it in one SMTP transaction, on a connection
// left open by an earlier mail when there is one (session_pool.go). Remote
// refusals and network failures are results (Accepted, Temporary or Permanent, with
// the transcript); an error means the attempt was not made or cannot be
// classified: an invalid mail (EINVALID *core.Error) or ErrAuth. On ErrAuth
// the result still carries the transcript for the log.
func (s *Sender) Send(ctx context.Context, m core.OutgoingMail) (core.DeliveryResult, error) {
	if m.Date.IsZero() {
		m.Date = s.now()
	}
	from := m.EnvelopeFrom
	if from == "" {
		from = m.Provider.FromEmail
	}
	if msg := checkAddress(from); msg != "" {
		return core.DeliveryResult{}, fmt.Errorf("send mail %s: %w", m.ID,
			core.FieldError(core.EINVALID, "envelope_from", "%s", msg))
	}
	raw, err := Compose(m, s.DKIM, s.Location)
	if err != nil {
		return core.DeliveryResult{}, fmt.Errorf("send mail %s: %w", m.ID, err)
	}
	helo := s.HeloName
	if helo == "" {
		helo = domainOf(m.Provider.FromEmail)
	}
	a := &attempt{s: s, tr: &transcript{}, helo: helo, envid: m.ID}
	res, err := a.deliver(ctx, from, m.To.Email, raw)
	res.Transcript = a.tr.String()
	res.Time = s.now().UTC()
	res.Host = a.host()
	res.RelayFailure = !a.reachedMail
	if err != nil {
		return res, fmt.Errorf("send mail %s: %w", m.ID, err)
	}
	return res, nil
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sender) dialTimeout() time.Duration { return orDefault(s.DialTimeout, DefaultDialTimeout) }
func (s *Sender) commandTimeout() time.Duration {
	return orDefault(s.CommandTimeout, DefaultCommandTimeout)
}
func (s *Sender) dataTimeout() time.Duration { return orDefault(s.DataTimeout, DefaultDataTimeout) }

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// tlsConfig checks the certificate against Addr's host unless the caller
// named another, and refuses the TLS versions nobody should accept.
func (s *Sender) tlsConfig() *tls.Config {
	cfg := &tls.Config{}
	if s.TLSConfig != nil {
		cfg = s.TLSConfig.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = addrHost(s.Addr)
	}
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS12
	}
	return cfg
}

func addrHost(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}

// isLoopback reports whether credentials may go in clear to addr: only when
// they never leave the machine.
func isLoopback(addr string) bool {
	host := addrHost(addr)
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
