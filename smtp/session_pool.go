package smtp

import (
	"net"
	"sync"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

// Connections are reused across mails, as MTAs do (RFC 5321 §3.3: a
// session may hold several transactions). A fresh connection per mail costs
// seven exchanges with the relay (connect, greeting, EHLO, MAIL, RCPT, DATA,
// end of data) plus QUIT, and a TLS handshake when STARTTLS is on; a reused
// one costs four. lre bench with SMTP on loopback measured the difference
// on a loaded machine, where every exchange waits for both processes to be
// scheduled: see docs/PERFORMANCE.md.
//
// Only a session whose last transaction was accepted goes back to the pool:
// after a refusal or an error it is closed, so a reused session is always
// in the state RFC 5321 leaves after a completed transaction (ready for
// MAIL). The transcript of every mail sent on a reused session starts with
// the server's name, when the connection was opened and its TLS version and
// suite, so that each mail's evidence still says to which server, how
// protected, it was handed.

// sessionIdle is how long an unused session stays open: long enough to
// carry a burst, far below the five minutes after which RFC 5321 lets a
// server drop an idle client. A variable only so that a test can shorten it.
var sessionIdle = 5 * time.Second

// sessionMails caps the mails of one session, so that a long run spreads
// over fresh connections (and picks up a relay's new address or
// certificate) instead of riding one for ever.
const sessionMails = 100

// session is an open, greeted (and encrypted and logged in, as configured)
// SMTP connection between transactions.
type session struct {
	conn   net.Conn
	client *gosmtp.Client
	host   string    // as the server introduced itself
	opened time.Time // when it was connected
	tls    string    // the TLS version and suite, "" in clear
	mails  int       // transactions accepted on it so far
	timer  *time.Timer
}

// close ends the session politely (QUIT, briefly) and closes it.
func (s *session) close() {
	s.client.CommandTimeout = quitTimeout
	_ = s.client.Quit()
	s.conn.Close()
}

// sessionPool holds a Sender's idle sessions, the most recent first out.
type sessionPool struct {
	mu     sync.Mutex
	idle   []*session
	closed bool
}

// take returns an idle session, or nil.
func (p *sessionPool) take() *session {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.idle) > 0 {
		s := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if s.timer.Stop() {
			return s
		}
		// its idle timer fired and is closing it: not ours any more
	}
	return nil
}

// put keeps s for the next mail, or closes it when it has carried its
// share or the pool is closed.
func (p *sessionPool) put(s *session) {
	p.mu.Lock()
	if p.closed || s.mails >= sessionMails {
		p.mu.Unlock()
		s.close()
		return
	}
	s.conn.SetDeadline(time.Time{})
	s.timer = time.AfterFunc(sessionIdle, func() { p.expire(s) })
	p.idle = append(p.idle, s)
	p.mu.Unlock()
}

// expire closes s if it is still idle.
func (p *sessionPool) expire(s *session) {
	p.mu.Lock()
	for i, o := range p.idle {
		if o == s {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			break
		}
	}
	p.mu.Unlock()
	s.close()
}

// close ends every idle session; later sessions are closed when released.
func (p *sessionPool) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	for _, s := range idle {
		if s.timer.Stop() {
			s.close()
		}
	}
}
