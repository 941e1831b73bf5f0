package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/lre-project/lre/core"
)

// attempt is one SMTP transaction of a Sender, with its transcript.
type attempt struct {
	s    *Sender
	tr   *transcript
	helo string
	tls  string // the TLS version and suite of the connection, "" in clear
	// reachedMail is set once the relay greeted, encrypted and
	// authenticated as configured: later failures are the recipient's.
	reachedMail bool
	// envid is sent as the DSN envelope id (RFC 3461 ENVID) where the
	// server offers DSN: reports then quote it, which ties them to the mail.
	envid string
	// server is the name the server gave on a reused session, whose
	// greeting is not in this transcript.
	server string
}

// deliver runs the transaction, on an idle session of the Sender when one
// is open (session_pool.go), else on a new connection. Only ErrAuth comes
// back as an error; every other failure is a classified result.
func (a *attempt) deliver(ctx context.Context, from, to string, msg []byte) (core.DeliveryResult, error) {
	pool := a.s.sessions()
	if old := pool.take(); old != nil {
		a.tr.note("reusing the connection to %s opened %s (%s; mail %d on it)", old.host, old.opened.UTC().Format(time.RFC3339), old.tlsNote(), old.mails+1)
		res, stale := a.transact(ctx, pool, old, from, to, msg, true)
		if !stale {
			return res, nil
		}
		a.tr.note("the server had closed that connection before the message: connecting again")
		a.server, a.tls, a.reachedMail = "", "", false
	}
	a.tr.note("connect %s", a.s.Addr)
	d := net.Dialer{Timeout: a.s.dialTimeout()}
	conn, err := d.DialContext(ctx, "tcp", a.s.Addr)
	if err != nil {
		return a.failure(ctx, err), nil
	}
	fresh := &session{conn: conn, opened: a.s.now()}
	c, err := a.openSession(ctx, fresh)
	if err != nil {
		conn.Close()
		if errors.Is(err, ErrAuth) {
			a.tr.note("%v", err)
			return core.DeliveryResult{Text: err.Error()}, err
		}
		return a.failure(ctx, err), nil
	}
	fresh.client = c
	res, _ := a.transact(ctx, pool, fresh, from, to, msg, false)
	return res, nil
}

// openSession greets the server on a new connection, encrypts and logs in
// as configured. The connection is closed by the caller on error.
func (a *attempt) openSession(ctx context.Context, sess *session) (*gosmtp.Client, error) {
	stop := context.AfterFunc(ctx, func() { sess.conn.Close() })
	defer stop()
	c, err := a.open(ctx, sess.conn)
	if err != nil {
		return nil, err
	}
	if err := a.authenticate(c); err != nil {
		return nil, err
	}
	sess.host, sess.tls = a.tr.greetingHost(), a.tls
	if sess.host == "" {
		sess.host = addrHost(a.s.Addr)
	}
	return c, nil
}

// transact sends one mail on sess and then gives the session back to the
// pool (accepted) or closes it (anything else). On a reused session, a
// failure of MAIL that shows the server had gone (the connection closed,
// or 421, its way of saying it closes) is reported as stale: nothing was
// sent, and the caller may connect again.
func (a *attempt) transact(ctx context.Context, pool *sessionPool, sess *session, from, to string, msg []byte, reused bool) (res core.DeliveryResult, stale bool) {
	// Closing the connection is the only way to interrupt go-smtp's client,
	// which sets its own deadlines on every command.
	stop := context.AfterFunc(ctx, func() { sess.conn.Close() })
	c := sess.client
	c.DebugWriter = a.tr
	c.CommandTimeout = a.s.commandTimeout()
	a.server, a.tls = sess.host, sess.tls
	a.reachedMail = true
	accepted := false
	defer func() {
		if !stop() || ctx.Err() != nil {
			accepted = false // the connection was closed under the transaction
		}
		if accepted {
			sess.mails++
			c.DebugWriter = nil // this mail's transcript is complete
			pool.put(sess)
			return
		}
		sess.conn.Close()
	}()
	if err := c.Mail(from, &gosmtp.MailOptions{EnvelopeID: a.envid}); err != nil {
		if reused && ctx.Err() == nil && serverGone(err) {
			return core.DeliveryResult{}, true
		}
		return a.failure(ctx, err), false
	}
	if err := c.Rcpt(to, nil); err != nil {
		return a.failure(ctx, err), false
	}
	res = a.data(ctx, c, sess.conn, msg)
	accepted = res.Class == core.DeliveryAccepted
	return res, false
}

// serverGone tells a session the server closed while it was idle from a
// reply about the mail: no SMTP reply at all, or 421.
func serverGone(err error) bool {
	var se *gosmtp.SMTPError
	var te *textproto.Error
	switch {
	case errors.As(err, &se):
		return se.Code == 421
	case errors.As(err, &te):
		return te.Code == 421
	}
	return true
}

// tlsNote says how the session is protected, for the transcript.
func (s *session) tlsNote() string {
	if s.tls == "" {
		return "in clear"
	}
	return "TLS " + s.tls
}

// open reads the greeting, says EHLO and, as the TLS mode asks, upgrades
// the connection with STARTTLS and says EHLO again.
func (a *attempt) open(ctx context.Context, conn net.Conn) (*gosmtp.Client, error) {
	c := a.client(conn)
	if err := c.Hello(a.helo); err != nil {
		return nil, err
	}
	offered, _ := c.Extension("STARTTLS")
	switch {
	case a.s.StartTLS == TLSOff:
		return c, nil
	case !offered && a.s.StartTLS == TLSOpportunistic:
		a.tr.note("the server does not offer STARTTLS: sending in clear")
		return c, nil
	case !offered:
		return nil, errNoStartTLS
	}
	tc, err := a.startTLS(ctx, conn)
	if err != nil {
		return nil, err
	}
	// go-smtp v0.24 cannot upgrade a client it already greeted, so a new
	// client takes over the TLS connection; it insists on a 220 before its
	// EHLO, which RFC 3207 says the server does not send again: replay it.
	a.tr.skip = 1
	c = a.client(&greetedConn{Conn: tc, pending: []byte("220 " + a.host() + " ESMTP\r\n")})
	if err := c.Hello(a.helo); err != nil {
		return nil, err
	}
	return c, nil
}

func (a *attempt) client(conn net.Conn) *gosmtp.Client {
	c := gosmtp.NewClient(conn)
	c.DebugWriter = a.tr
	c.CommandTimeout = a.s.commandTimeout()
	c.SubmissionTimeout = a.s.dataTimeout()
	return c
}

// startTLS sends STARTTLS on the raw connection (after go-smtp's EHLO, with
// nothing left unread) and completes a verified handshake.
func (a *attempt) startTLS(ctx context.Context, conn net.Conn) (net.Conn, error) {
	conn.SetDeadline(time.Now().Add(a.s.commandTimeout()))
	defer conn.SetDeadline(time.Time{})
	tp := textproto.NewConn(struct {
		io.Reader
		io.Writer
		io.Closer
	}{io.TeeReader(conn, a.tr), io.MultiWriter(conn, a.tr), conn})
	if err := tp.PrintfLine("STARTTLS"); err != nil {
		return nil, err
	}
	if _, _, err := tp.ReadResponse(220); err != nil {
		return nil, err
	}
	tc := tls.Client(conn, a.s.tlsConfig())
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, fmt.Errorf("tls handshake: %w", err)
	}
	st := tc.ConnectionState()
	a.tls = tls.VersionName(st.Version) + ", " + tls.CipherSuiteName(st.CipherSuite)
	a.tr.note("TLS established: %s", a.tls)
	return tc, nil
}

// authenticate logs in when credentials are configured. Refused or unsafe
// credentials wrap ErrAuth; a temporary refusal or a lost connection is
// returned as is and classified like any other failure.
func (a *attempt) authenticate(c *gosmtp.Client) error {
	if a.s.Username == "" {
		return nil
	}
	if a.tls == "" && !isLoopback(a.s.Addr) {
		return fmt.Errorf("%w: refusing to send credentials in clear to %s", ErrAuth, a.s.Addr)
	}
	var mech sasl.Client
	switch {
	case c.SupportsAuth("PLAIN"):
		mech = sasl.NewPlainClient("", a.s.Username, a.s.Password)
	case c.SupportsAuth("LOGIN"):
		mech = sasl.NewLoginClient(a.s.Username, a.s.Password)
	default:
		return fmt.Errorf("%w: the server offers neither PLAIN nor LOGIN", ErrAuth)
	}
	a.tr.redact = true
	defer func() { a.tr.redact = false }()
	err := c.Auth(mech)
	var se *gosmtp.SMTPError
	if errors.As(err, &se) && se.Code/100 == 5 {
		return fmt.Errorf("%w: %v", ErrAuth, err)
	}
	return err
}

// data sends the message. A connection lost once the terminator was
// written leaves the outcome unknown: the server may have queued the
// message, so the result is marked Ambiguous for the caller to record.
func (a *attempt) data(ctx context.Context, c *gosmtp.Client, conn net.Conn, msg []byte) core.DeliveryResult {
	w, err := c.Data()
	if err != nil {
		return a.failure(ctx, err)
	}
	a.tr.beginData()
	conn.SetWriteDeadline(time.Now().Add(a.s.dataTimeout()))
	if _, err := w.Write(msg); err != nil {
		return a.failure(ctx, err)
	}
	resp, err := w.CloseWithResponse()
	if err != nil {
		var se *gosmtp.SMTPError
		res := a.failure(ctx, err)
		if !errors.As(err, &se) && a.tr.dataSent {
			res.Ambiguous = true
			a.tr.note("no reply after the end of data: the server may have accepted the message")
		}
		return res
	}
	enhanced, text := splitEnhanced(oneLine(resp.StatusText))
	return core.DeliveryResult{Class: core.DeliveryAccepted, Code: 250, Enhanced: enhanced,
		Text: text, QueueID: parseQueueID(text)}
}

// failure classifies an error: an SMTP reply by its codes, anything else
// (refused connection, timeout, reset, TLS) as a temporary network failure
// with code 0.
func (a *attempt) failure(ctx context.Context, err error) core.DeliveryResult {
	var (
		se   *gosmtp.SMTPError
		te   *textproto.Error
		code int
		enh  string
		text string
	)
	switch {
	case errors.As(err, &se):
		code, text = se.Code, oneLine(se.Message)
		if se.EnhancedCode != gosmtp.EnhancedCodeNotSet && se.EnhancedCode != gosmtp.NoEnhancedCode {
			enh = fmt.Sprintf("%d.%d.%d", se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2])
		} else {
			enh, text = splitEnhanced(text)
		}
	case errors.As(err, &te):
		code = te.Code
		enh, text = splitEnhanced(oneLine(te.Msg))
	default:
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		text = err.Error()
		a.tr.note("%s", text)
	}
	class, reason := Classify(code, enh, text)
	return core.DeliveryResult{Class: class, Code: code, Enhanced: enh, Text: text, Reason: reason}
}

// host names the server: as it introduced itself, or as we dialled it.
func (a *attempt) host() string {
	if a.server != "" {
		return a.server
	}
	if h := a.tr.greetingHost(); h != "" {
		return h
	}
	return addrHost(a.s.Addr)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// greetedConn serves a replayed greeting before the real connection's
// bytes; see attempt.open.
type greetedConn struct {
	net.Conn
	pending []byte
}

func (g *greetedConn) Read(p []byte) (int, error) {
	if len(g.pending) > 0 {
		n := copy(p, g.pending)
		g.pending = g.pending[n:]
		return n, nil
	}
	return g.Conn.Read(p)
}
