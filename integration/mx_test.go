package integration_test

import (
	"errors"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

// Scripted ways for the test MX to hang up instead of replying.
var (
	// errDropNow closes the connection at the scripted command, before any
	// content was sent: the attempt certainly delivered nothing.
	errDropNow = errors.New("mx: drop the connection now")
	// errDropMidData reads the start of the content, then closes.
	errDropMidData = errors.New("mx: drop the connection in the middle of the content")
	// errDropAfterData reads the whole message, end-of-data marker
	// included, then closes without a reply: the sender cannot know.
	errDropAfterData = errors.New("mx: drop the connection after the end of data")
	// errHang reads the whole message, tells the test (mx.hung) and never
	// replies: the test stops the service meanwhile, as a crash would.
	errHang = errors.New("mx: never answer the end of data")
)

// delivery is one DATA transaction the MX read, whatever it answered.
type delivery struct {
	From, To string
	Data     []byte
}

// mx is a real go-smtp server on loopback playing the recipient's mail
// server. Replies are scripted per stage ("mail", "rcpt", "data") and
// answered in order, then everything is accepted; refuse answers a fixed
// reply to one recipient every time.
type mx struct {
	addr string
	srv  *gosmtp.Server
	hung chan struct{} // receives when errHang has read a message

	mu       sync.Mutex
	replies  map[string][]error
	refuse   map[string]error
	sessions int
	data     []delivery // every DATA transaction read, complete or not
	accepted []delivery // those answered with 2xx
	release  chan struct{}
}

// startMX serves on a fresh loopback port.
func startMX(t *testing.T) *mx {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveMX(t, l)
}

// startMXOn serves on addr, which a test reserved earlier and released:
// another process may have taken the port meanwhile, so a few tries.
func startMXOn(t *testing.T, addr string) *mx {
	t.Helper()
	var err error
	for range 50 {
		var l net.Listener
		if l, err = net.Listen("tcp", addr); err == nil {
			return serveMX(t, l)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Skipf("port %s taken by another process: %v", addr, err)
	return nil
}

func serveMX(t *testing.T, l net.Listener) *mx {
	m := &mx{addr: l.Addr().String(), replies: map[string][]error{}, refuse: map[string]error{},
		hung: make(chan struct{}, 1), release: make(chan struct{})}
	m.srv = gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		m.mu.Lock()
		m.sessions++
		m.mu.Unlock()
		return &mxSession{mx: m, conn: c}, nil
	}))
	m.srv.Domain = "mx.test"
	m.srv.ReadTimeout, m.srv.WriteTimeout = 10*time.Second, 10*time.Second
	m.srv.ErrorLog = log.New(io.Discard, "", 0)
	go m.srv.Serve(l)
	t.Cleanup(func() {
		close(m.release)
		m.srv.Close()
	})
	return m
}

// script queues replies for stage.
func (m *mx) script(stage string, replies ...error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.replies[stage] = append(m.replies[stage], replies...)
}

func (m *mx) refuseRcpt(addr string, reply error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.refuse[strings.ToLower(addr)] = reply
}

func (m *mx) next(stage string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.replies[stage]
	if len(q) == 0 {
		return nil
	}
	m.replies[stage] = q[1:]
	return q[0]
}

// stats returns the sessions opened, DATA transactions read and messages
// accepted so far.
func (m *mx) stats() (sessions int, data, accepted []delivery) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sessions, append([]delivery(nil), m.data...), append([]delivery(nil), m.accepted...)
}

func (m *mx) received() []delivery {
	_, _, acc := m.stats()
	return acc
}

type mxSession struct {
	mx       *mx
	conn     *gosmtp.Conn
	from, to string
}

func (s *mxSession) Mail(from string, _ *gosmtp.MailOptions) error {
	s.from = from
	return s.reply("mail")
}

func (s *mxSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s.to = to
	s.mx.mu.Lock()
	refused := s.mx.refuse[strings.ToLower(to)]
	s.mx.mu.Unlock()
	if refused != nil {
		return refused
	}
	return s.reply("rcpt")
}

func (s *mxSession) reply(stage string) error {
	err := s.mx.next(stage)
	if err == errDropNow {
		s.conn.Conn().Close()
	}
	return err
}

func (s *mxSession) Data(r io.Reader) error {
	reply := s.mx.next("data")
	if reply == errDropNow {
		s.conn.Conn().Close()
		return reply
	}
	var msg []byte
	var err error
	if reply == errDropMidData {
		msg = make([]byte, 512)
		_, err = io.ReadFull(r, msg)
	} else {
		msg, err = io.ReadAll(r)
	}
	if err != nil {
		return err
	}
	d := delivery{From: s.from, To: s.to, Data: msg}
	s.mx.mu.Lock()
	s.mx.data = append(s.mx.data, d)
	var se *gosmtp.SMTPError
	if reply == nil || errors.As(reply, &se) && se.Code/100 == 2 || reply == errHang {
		s.mx.accepted = append(s.mx.accepted, d)
	}
	s.mx.mu.Unlock()
	switch reply {
	case errDropMidData, errDropAfterData:
		s.conn.Conn().Close()
	case errHang:
		s.mx.hung <- struct{}{}
		<-s.mx.release
	}
	return reply
}

func (s *mxSession) Reset()        {}
func (s *mxSession) Logout() error { return nil }

// smtpReply builds a scripted reply with an enhanced code such as "5.1.1".
func smtpReply(code int, enhanced, text string) *gosmtp.SMTPError {
	var ec gosmtp.EnhancedCode
	for i, p := range strings.SplitN(enhanced, ".", 3) {
		for _, c := range p {
			ec[i] = ec[i]*10 + int(c-'0')
		}
	}
	return &gosmtp.SMTPError{Code: code, EnhancedCode: ec, Message: text}
}
