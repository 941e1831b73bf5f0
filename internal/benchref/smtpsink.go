package benchref

import (
	"io"
	"log"
	"net"
	"sync/atomic"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

// SMTPSink is the receiving mail server of `lre bench`: a real go-smtp
// server on loopback that accepts every message, discards it and counts
// it, so that the notification backlog can be measured against a real
// SMTP exchange rather than the dev mailbox.
type SMTPSink struct {
	srv      *gosmtp.Server
	addr     string
	accepted atomic.Int64
}

// StartSMTPSink listens on a loopback port and serves until Close.
func StartSMTPSink() (*SMTPSink, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &SMTPSink{addr: l.Addr().String()}
	s.srv = gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) {
		return sinkSession{s: s}, nil
	}))
	s.srv.Domain = "mx.bench.test"
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	s.srv.MaxMessageBytes = 64 << 20
	s.srv.ReadTimeout, s.srv.WriteTimeout = time.Minute, time.Minute
	go s.srv.Serve(l)
	return s, nil
}

// Addr is host:port, for lre's --smtp.
func (s *SMTPSink) Addr() string { return s.addr }

// Accepted is how many messages the sink has answered 250 to.
func (s *SMTPSink) Accepted() int { return int(s.accepted.Load()) }

// Close stops the server and closes its connections.
func (s *SMTPSink) Close() error { return s.srv.Close() }

type sinkSession struct{ s *SMTPSink }

func (sinkSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (sinkSession) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (sinkSession) Reset()                                 {}
func (sinkSession) Logout() error                          { return nil }

func (ss sinkSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	ss.s.accepted.Add(1)
	return nil
}
