package smtp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/smtp/returned"
)

// Bounce server limits: a DSN with the returned message is a few hundred
// kilobytes at most; anything bigger is not a bounce worth reading.
const (
	DefaultMaxBounceBytes = 10 << 20
	maxBounceRecipients   = 10
	bounceIOTimeout       = time.Minute
	bounceHandleTimeout   = 30 * time.Second
)

// BounceServer receives the delivery status notifications that remote
// servers send to our VERP return paths (bounce+<id>@domain) and reports
// each failed or delayed recipient to handle. It answers 550 for any other
// recipient, so it is no open relay and no general mailbox.
//
// A message that is no report is passed to keep and still accepted:
// refusing it would only make the remote server retry, then bounce the
// bounce. So is one whose letter handle does not know (ENOTFOUND, EINVALID,
// ECONFLICT). Any other handle error gets a 451 so that the remote server
// retries later; handle must therefore be idempotent.
type BounceServer struct {
	Now             func() time.Time // nil means time.Now
	MaxMessageBytes int64            // 0 means DefaultMaxBounceBytes; set before serving

	server *gosmtp.Server
	domain string
	handle func(ctx context.Context, b core.Bounce) error
	keep   func(raw []byte, reason string)

	ctx    context.Context // cancelled by Close, bounds running handlers
	cancel context.CancelFunc
}

// NewBounceServer prepares a server for addr (host:port) that accepts mail
// for bounce+<id>@domain. keep may be nil to drop unreadable messages.
func NewBounceServer(addr, domain string, handle func(ctx context.Context, b core.Bounce) error,
	keep func(raw []byte, reason string)) *BounceServer {
	ctx, cancel := context.WithCancel(context.Background())
	b := &BounceServer{domain: strings.ToLower(domain), handle: handle, keep: keep, ctx: ctx, cancel: cancel}
	s := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) {
		return &bounceSession{server: b}, nil
	}))
	s.Addr = addr
	s.Domain = domain
	s.MaxRecipients = maxBounceRecipients
	s.ReadTimeout = bounceIOTimeout
	s.WriteTimeout = bounceIOTimeout
	b.server = s
	return b
}

// ListenAndServe listens on the address given to NewBounceServer and serves
// until Close.
func (b *BounceServer) ListenAndServe() error {
	b.server.MaxMessageBytes = b.maxBytes()
	if err := b.server.ListenAndServe(); err != nil && !errors.Is(err, gosmtp.ErrServerClosed) {
		return fmt.Errorf("bounce server: %w", err)
	}
	return nil
}

// Serve serves on l until Close (tests listen on port 0 and pass l).
func (b *BounceServer) Serve(l net.Listener) error {
	b.server.MaxMessageBytes = b.maxBytes()
	if err := b.server.Serve(l); err != nil && !errors.Is(err, gosmtp.ErrServerClosed) {
		return fmt.Errorf("bounce server: %w", err)
	}
	return nil
}

// Close stops listening, cancels running handlers and closes connections.
func (b *BounceServer) Close() error {
	b.cancel()
	return b.server.Close()
}

func (b *BounceServer) maxBytes() int64 {
	if b.MaxMessageBytes > 0 {
		return b.MaxMessageBytes
	}
	return DefaultMaxBounceBytes
}

func (b *BounceServer) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

// process reads one received message and reports each failed recipient
// (or each complaint) to handle for every VERP id it was addressed to. A
// message that is no report is kept; an auto-reply is dropped.
func (b *BounceServer) process(ids []string, raw []byte) error {
	r := returned.Parse(raw)
	switch r.Kind {
	case returned.KindBounce, returned.KindComplaint:
	case returned.KindAutoReply:
		return nil
	default:
		b.keepRaw(raw, "not a bounce, complaint or auto-reply: "+r.Subject)
		return nil
	}
	ctx, cancel := context.WithTimeout(b.ctx, bounceHandleTimeout)
	defer cancel()
	received := b.now().UTC()
	for _, id := range ids {
		for _, rc := range r.Recipients {
			if r.Kind == returned.KindBounce && !rc.Failed() {
				continue
			}
			err := b.handle(ctx, toBounce(id, r, rc, received))
			if err == nil {
				continue
			}
			if !retryable(err) {
				b.keepRaw(raw, fmt.Sprintf("report for %s not recorded: %v", id, err))
				continue
			}
			return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0},
				Message: "Bounce not recorded, try again later"}
		}
	}
	return nil
}

// toBounce is what the reader found about one recipient, for the domain.
func toBounce(id string, r returned.Report, rc returned.Recipient, received time.Time) core.Bounce {
	bn := core.Bounce{NoticeID: id, Kind: core.ReportBounce, Recipient: rc.Address, Action: rc.Action,
		Status: rc.Status, ReplyCode: rc.ReplyCode, Diagnosis: rc.Diagnostic, Reason: string(rc.Reason),
		Hard: rc.Hard, MessageID: r.MessageID, EnvelopeID: r.EnvelopeID, Received: received}
	if r.Kind == returned.KindComplaint {
		bn.Kind, bn.Reason, bn.FeedbackType = core.ReportComplaint, "", r.FeedbackType
	}
	return bn
}

func (b *BounceServer) keepRaw(raw []byte, reason string) {
	if b.keep != nil {
		b.keep(raw, reason)
	}
}

// retryable tells a failure worth the remote server's retry (our store or
// a dependency is down) from a bounce that will never be recorded (an
// unknown or already closed letter): the latter is kept, not refused, so
// that the remote queue does not hold it for days.
func retryable(err error) bool {
	switch core.ErrorCode(err) {
	case core.ENOTFOUND, core.EINVALID, core.ECONFLICT:
		return false
	}
	return true
}

// bounceSession is one SMTP transaction of the bounce server.
type bounceSession struct {
	server *BounceServer
	ids    []string
}

// Mail accepts any return path: DSNs come from the null sender "<>".
func (s *bounceSession) Mail(string, *gosmtp.MailOptions) error { return nil }

func (s *bounceSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	id, ok := ParseVERP(to)
	if !ok || verpDomain(to) != s.server.domain {
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1},
			Message: "No such bounce address"}
	}
	for _, known := range s.ids {
		if known == id {
			return nil
		}
	}
	s.ids = append(s.ids, id)
	return nil
}

func (s *bounceSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err // go-smtp's size limit: 552 5.3.4
	}
	return s.server.process(s.ids, raw)
}

func (s *bounceSession) Reset()        { s.ids = nil }
func (s *bounceSession) Logout() error { return nil }
