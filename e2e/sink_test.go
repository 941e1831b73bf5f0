package e2e_test

import (
	"bytes"
	"errors"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

// sink is the receiving mail server: a real go-smtp server on loopback that
// records every message it accepts under its Message-ID. Its behaviour can
// change while it runs.
type sink struct {
	addr     string
	srv      *gosmtp.Server
	behave   atomic.Pointer[behaviour]
	rcpts    atomic.Int64 // RCPT commands seen, accepted or not
	attempts atomic.Int64 // DATA commands seen, accepted or not
	accepted chan string  // Message-ID of each accepted message, if anyone listens
	replied  chan string  // Message-ID once its 250 was written (holdQuit)
	closed   chan struct{}

	mu   sync.Mutex
	byID map[string]int
	msgs [][]byte
}

// behaviour scripts the sink's answers. The zero value accepts everything.
type behaviour struct {
	rcpt        *gosmtp.SMTPError // reply to RCPT TO instead of 250
	data        *gosmtp.SMTPError // reply to the end of DATA instead of 250
	dropMidData bool              // read part of the message, then hang up
	holdData    time.Duration     // after recording a message, wait before the 250
	holdQuit    time.Duration     // after the 250, wait before reading the next command
	jitter      time.Duration     // random wait up to this before the 250
}

func startSink(t testing.TB, b behaviour) *sink {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{addr: l.Addr().String(), byID: map[string]int{}, accepted: make(chan string, 4096), replied: make(chan string, 64), closed: make(chan struct{})}
	s.set(b)
	s.srv = gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		return &sinkSession{s: s, conn: c}, nil
	}))
	s.srv.Domain = "mx.e2e.test"
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	s.srv.ReadTimeout, s.srv.WriteTimeout = 30*time.Second, 30*time.Second
	go s.srv.Serve(holdListener{Listener: l, s: s})
	t.Cleanup(func() {
		close(s.closed)
		s.srv.Close()
	})
	return s
}

func (s *sink) set(b behaviour) { s.behave.Store(&b) }

// count returns how many times the message with id was accepted.
func (s *sink) count(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byID[id]
}

// counts returns a copy of Message-ID -> accepted count.
func (s *sink) counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.byID))
	for k, v := range s.byID {
		out[k] = v
	}
	return out
}

func (s *sink) messages() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.msgs...)
}

func (s *sink) record(raw []byte) string {
	id := ""
	if m, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		id = m.Header.Get("Message-Id")
	}
	s.mu.Lock()
	s.byID[id]++
	s.msgs = append(s.msgs, raw)
	s.mu.Unlock()
	select {
	case s.accepted <- id:
	default:
	}
	return id
}

// sleep waits d or until the sink closes.
func (s *sink) sleep(d time.Duration) {
	select {
	case <-time.After(d):
	case <-s.closed:
	}
}

// notificationID is the Message-ID of a letter's notification: the outbox
// entry id ntf-<lower-case letter id> at the From domain.
func notificationID(noticeID string) string {
	return "<ntf-" + strings.ToLower(noticeID) + "@localhost>"
}

type sinkSession struct {
	s    *sink
	conn *gosmtp.Conn
}

func (ss *sinkSession) Mail(string, *gosmtp.MailOptions) error { return nil }

func (ss *sinkSession) Rcpt(string, *gosmtp.RcptOptions) error {
	ss.s.rcpts.Add(1)
	if b := ss.s.behave.Load(); b.rcpt != nil {
		return b.rcpt
	}
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	ss.s.attempts.Add(1)
	b := ss.s.behave.Load()
	if b.dropMidData {
		io.ReadFull(r, make([]byte, 64))
		ss.conn.Conn().Close()
		return errors.New("dropped")
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if b.data != nil {
		return b.data
	}
	id := ss.s.record(raw)
	if b.jitter > 0 {
		ss.s.sleep(time.Duration(rand.Int64N(int64(b.jitter))))
	}
	ss.s.sleep(b.holdData)
	if hc, ok := ss.conn.Conn().(*holdConn); ok && b.holdQuit > 0 {
		hc.holdNextRead(id, b.holdQuit)
	}
	return nil
}

func (ss *sinkSession) Reset()        {}
func (ss *sinkSession) Logout() error { return nil }

// holdListener wraps each connection so that a session can pause the next
// read: the 250 is out, the next command (QUIT or the next MAIL) is not read yet.
type holdListener struct {
	net.Listener
	s *sink
}

func (l holdListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &holdConn{Conn: c, s: l.s}, nil
}

type holdConn struct {
	net.Conn
	s    *sink
	mu   sync.Mutex
	id   string
	hold time.Duration
}

func (c *holdConn) holdNextRead(id string, d time.Duration) {
	c.mu.Lock()
	c.id, c.hold = id, d
	c.mu.Unlock()
}

func (c *holdConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	id, hold := c.id, c.hold
	c.hold = 0
	c.mu.Unlock()
	if hold > 0 {
		select {
		case c.s.replied <- id:
		default:
		}
		c.s.sleep(hold)
	}
	return c.Conn.Read(p)
}
