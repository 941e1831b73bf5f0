package smtp_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/lre-project/lre/core"
	lresmtp "github.com/lre-project/lre/smtp"
)

// Scripted behaviours of the test server, besides SMTP errors.
var (
	errDrop = errors.New("test: drop the connection after reading the message")
	errHang = errors.New("test: never answer the end of data")
	// errCloseAfter accepts the message, then closes the connection, as a
	// server does with a client idle for too long
	errCloseAfter = errors.New("test: accept, then close the connection")
)

// testServer is a real go-smtp server on loopback. Each test scripts its
// replies per command: the queued errors are answered in order, then
// everything is accepted.
type testServer struct {
	Addr string
	srv  *gosmtp.Server
	user string
	pass string

	mu       sync.Mutex
	replies  map[string][]error // "mail", "rcpt", "data"
	messages [][]byte
	overTLS  []bool
	logins   []string
	conns    int           // connections accepted
	ended    int           // sessions ended (QUIT, a closed connection, STARTTLS)
	release  chan struct{} // closed at cleanup, ends errHang
}

type serverOption func(*testServer)

func withTLS(cert tls.Certificate) serverOption {
	return func(ts *testServer) { ts.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}} }
}

// withAuth requires AUTH PLAIN; plain says whether it is offered before TLS.
func withAuth(user, pass string, plain bool) serverOption {
	return func(ts *testServer) { ts.user, ts.pass, ts.srv.AllowInsecureAuth = user, pass, plain }
}

func withReplies(stage string, errs ...error) serverOption {
	return func(ts *testServer) { ts.replies[stage] = append(ts.replies[stage], errs...) }
}

func startServer(t *testing.T, opts ...serverOption) *testServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveOn(t, l, opts...)
}

func serveOn(t *testing.T, l net.Listener, opts ...serverOption) *testServer {
	t.Helper()
	ts := &testServer{Addr: l.Addr().String(), replies: map[string][]error{}, release: make(chan struct{})}
	ts.srv = gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		return &testSession{ts: ts, conn: c}, nil
	}))
	ts.srv.Domain = "mx.test"
	ts.srv.ErrorLog = log.New(io.Discard, "", 0)
	for _, o := range opts {
		o(ts)
	}
	go ts.srv.Serve(countingListener{Listener: l, ts: ts})
	t.Cleanup(func() {
		close(ts.release)
		ts.srv.Close()
	})
	return ts
}

func (ts *testServer) next(stage string) error {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	q := ts.replies[stage]
	if len(q) == 0 {
		return nil
	}
	ts.replies[stage] = q[1:]
	return q[0]
}

func (ts *testServer) received() [][]byte {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([][]byte(nil), ts.messages...)
}

func (ts *testServer) tlsFlags() []bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]bool(nil), ts.overTLS...)
}

type testSession struct {
	ts   *testServer
	conn *gosmtp.Conn
}

func (s *testSession) AuthMechanisms() []string {
	if s.ts.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *testSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		s.ts.mu.Lock()
		s.ts.logins = append(s.ts.logins, user+":"+pass)
		s.ts.mu.Unlock()
		if user != s.ts.user || pass != s.ts.pass {
			return gosmtp.ErrAuthFailed
		}
		return nil
	}), nil
}

func (s *testSession) Mail(string, *gosmtp.MailOptions) error { return s.ts.next("mail") }
func (s *testSession) Rcpt(string, *gosmtp.RcptOptions) error { return s.ts.next("rcpt") }

func (s *testSession) Data(r io.Reader) error {
	msg, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	reply := s.ts.next("data")
	switch reply {
	case errDrop:
		s.conn.Conn().Close()
		return reply
	case errHang:
		<-s.ts.release
		return reply
	case errCloseAfter:
		go func() {
			time.Sleep(20 * time.Millisecond) // after the 250
			s.conn.Conn().Close()
		}()
		reply = nil // accepted, recorded below
	}
	var se *gosmtp.SMTPError
	if reply == nil || errors.As(reply, &se) && se.Code/100 == 2 {
		_, isTLS := s.conn.TLSConnectionState()
		s.ts.mu.Lock()
		s.ts.messages = append(s.ts.messages, msg)
		s.ts.overTLS = append(s.ts.overTLS, isTLS)
		s.ts.mu.Unlock()
	}
	return reply
}

func (s *testSession) Reset() {}
func (s *testSession) Logout() error {
	s.ts.mu.Lock()
	s.ts.ended++
	s.ts.mu.Unlock()
	return nil
}

// countingListener counts the TCP connections of a test server (go-smtp
// starts a second session on one connection after STARTTLS).
type countingListener struct {
	net.Listener
	ts *testServer
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.ts.mu.Lock()
		l.ts.conns++
		l.ts.mu.Unlock()
	}
	return c, err
}

// counts returns the connections accepted and the sessions ended so far.
func (ts *testServer) counts() (conns, ended int) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.conns, ts.ended
}

// smtpErr builds a scripted reply; a zero enhanced code sends none at all.
func smtpErr(code int, enhanced [3]int, msg string) *gosmtp.SMTPError {
	ec := gosmtp.EnhancedCode(enhanced)
	if enhanced == [3]int{} {
		ec = gosmtp.NoEnhancedCode
	}
	return &gosmtp.SMTPError{Code: code, EnhancedCode: ec, Message: msg}
}

// startDropAtDataServer speaks just enough SMTP to reach DATA, then hangs up
// without the 354: the message was never sent, so nothing is ambiguous.
func startDropAtDataServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go dropAtData(conn)
		}
	}()
	return l.Addr().String()
}

func dropAtData(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	io.WriteString(conn, "220 raw.test ESMTP\r\n")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		switch strings.ToUpper(strings.Fields(line + " x")[0]) {
		case "EHLO", "HELO":
			io.WriteString(conn, "250 raw.test\r\n")
		case "DATA":
			return
		default:
			io.WriteString(conn, "250 2.0.0 Ok\r\n")
		}
	}
}

// selfSigned returns a certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mx.test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"mx.test"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// notification is a complete, valid notification mail.
func notification() core.OutgoingMail {
	return core.OutgoingMail{
		ID:           "LRE-ABCD-EFGH-IJKL-MNOP-N1",
		Kind:         core.MailNotification,
		Language:     "fr",
		EnvelopeFrom: lresmtp.VERPAddress("LRE-ABCD-EFGH-IJKL-MNOP", "lre.example"),
		To:           core.Party{Name: "Jean Dupont", Email: "jean.dupont@destinataire.example"},
		NoticeID:     "LRE-ABCD-EFGH-IJKL-MNOP",
		Deadline:     time.Date(2026, 12, 7, 22, 59, 59, 0, time.UTC), // 23:59 in Paris (CET)
		Link:         "https://lre.example/r/tok3nS3cret",
		Code:         "K7Q2-M9XP",
		Provider: core.Provider{Name: "LRE Example", Address: "1 rue de la Paix, 75002 Paris",
			FromEmail: "notifications@lre.example"},
		Date: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC),
	}
}

var fixedNow = time.Date(2026, 11, 22, 9, 0, 5, 0, time.UTC)

func clock() time.Time { return fixedNow }
