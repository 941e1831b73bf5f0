package smtp_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	lresmtp "github.com/lre-project/lre/smtp"
)

func TestSenderSend(t *testing.T) {
	cert, pool := selfSigned(t)
	trusting := &tls.Config{RootCAs: pool}
	tests := []struct {
		name       string
		server     []serverOption
		dropAtData bool // use the raw server that hangs up on DATA
		sender     lresmtp.Sender
		want       core.DeliveryResult // Transcript and Time are not compared
		wantErr    error
		transcript []string // lines the transcript must contain
		delivered  int      // messages the server must have accepted
		overTLS    bool     // whether they came over TLS
	}{
		{
			name:   "accepted with queue id",
			server: []serverOption{withReplies("data", smtpErr(250, [3]int{2, 0, 0}, "Ok: queued as 4XYZ123"))},
			sender: lresmtp.Sender{StartTLS: lresmtp.TLSOff},
			want: core.DeliveryResult{Class: core.DeliveryAccepted, Host: "mx.test", Code: 250,
				Enhanced: "2.0.0", Text: "Ok: queued as 4XYZ123", QueueID: "4XYZ123"},
			transcript: []string{"S: 220 mx.test ESMTP Service Ready", "C: EHLO lre.example",
				"C: MAIL FROM:<bounce+LRE-ABCD-EFGH-IJKL-MNOP@lre.example>",
				"C: RCPT TO:<jean.dupont@destinataire.example>", "C: DATA", "S: 354 ",
				"C: [message content, ", "C: .", "S: 250 2.0.0 Ok: queued as 4XYZ123"},
			delivered: 1,
		},
		{
			name:   "550 5.1.1 unknown user at RCPT",
			server: []serverOption{withReplies("rcpt", smtpErr(550, [3]int{5, 1, 1}, "<jean.dupont@destinataire.example>: User unknown"))},
			sender: lresmtp.Sender{StartTLS: lresmtp.TLSOff},
			want: core.DeliveryResult{Class: core.DeliveryPermanent, Host: "mx.test", Code: 550, Enhanced: "5.1.1",
				Text: "<jean.dupont@destinataire.example>: User unknown", Reason: core.ReasonBadMailbox},
			transcript: []string{"S: 550 5.1.1 <jean.dupont@destinataire.example>: User unknown"},
		},
		{
			name:   "552 4.2.2 mailbox full is temporary",
			server: []serverOption{withReplies("rcpt", smtpErr(552, [3]int{4, 2, 2}, "Mailbox full, try later"))},
			sender: lresmtp.Sender{StartTLS: lresmtp.TLSOff},
			want: core.DeliveryResult{Class: core.DeliveryTemporary, Host: "mx.test", Code: 552, Enhanced: "4.2.2",
				Text: "Mailbox full, try later", Reason: core.ReasonMailboxFull},
			transcript: []string{"S: 552 4.2.2 Mailbox full, try later"},
		},
		{
			name:   "552 5.2.2 mailbox full after data is permanent",
			server: []serverOption{withReplies("data", smtpErr(552, [3]int{5, 2, 2}, "Quota exceeded"))},
			sender: lresmtp.Sender{StartTLS: lresmtp.TLSOff},
			want: core.DeliveryResult{Class: core.DeliveryPermanent, Host: "mx.test", Code: 552, Enhanced: "5.2.2",
				Text: "Quota exceeded", Reason: core.ReasonMailboxFull},
			transcript: []string{"C: .", "S: 552 5.2.2 Quota exceeded"},
		},
		{
			name:   "554 5.7.1 policy at MAIL",
			server: []serverOption{withReplies("mail", smtpErr(554, [3]int{5, 7, 1}, "Client host blocked using zen.spamhaus.org"))},
			sender: lresmtp.Sender{StartTLS: lresmtp.TLSOff},
			want: core.DeliveryResult{Class: core.DeliveryPermanent, Host: "mx.test", Code: 554, Enhanced: "5.7.1",
				Text: "Client host blocked using zen.spamhaus.org", Reason: core.ReasonBlocked},
		},
		{
			name:   "550 without enhanced code falls back to the reply code",
			server: []serverOption{withReplies("rcpt", smtpErr(550, [3]int{}, "Mailbox unavailable"))},
			sender: lresmtp.Sender{StartTLS: lresmtp.TLSOff},
			want: core.DeliveryResult{Class: core.DeliveryPermanent, Host: "mx.test", Code: 550,
				Text: "Mailbox unavailable", Reason: core.ReasonBadMailbox},
		},
		{
			name:   "connection lost after the data terminator is ambiguous",
			server: []serverOption{withReplies("data", errDrop)},
			sender: lresmtp.Sender{StartTLS: lresmtp.TLSOff},
			want: core.DeliveryResult{Class: core.DeliveryTemporary, Host: "mx.test", Code: 0,
				Text: "EOF", Reason: core.ReasonNetwork, Ambiguous: true},
			transcript: []string{"C: .", "* no reply after the end of data"},
		},
		{
			name:       "connection lost at DATA is not ambiguous",
			dropAtData: true,
			sender:     lresmtp.Sender{StartTLS: lresmtp.TLSOff},
			want: core.DeliveryResult{Class: core.DeliveryTemporary, Host: "raw.test", Code: 0,
				Text: "EOF", Reason: core.ReasonNetwork},
			transcript: []string{"C: DATA", "* EOF"},
		},
		{
			name:   "STARTTLS required but not offered",
			sender: lresmtp.Sender{},
			want: core.DeliveryResult{Class: core.DeliveryTemporary, Host: "mx.test",
				Text: "the server does not offer STARTTLS, which is required", Reason: core.ReasonNetwork, RelayFailure: true},
		},
		{
			name:   "STARTTLS with a trusted self-signed certificate",
			server: []serverOption{withTLS(cert)},
			sender: lresmtp.Sender{StartTLS: lresmtp.TLSRequired, TLSConfig: trusting},
			want: core.DeliveryResult{Class: core.DeliveryAccepted, Host: "mx.test", Code: 250,
				Enhanced: "2.0.0", Text: "OK: queued"},
			transcript: []string{"C: STARTTLS", "S: 220 2.0.0 Ready to start TLS", "* TLS established: TLS 1.3"},
			delivered:  1,
			overTLS:    true,
		},
		{
			name:   "opportunistic TLS uses STARTTLS when offered",
			server: []serverOption{withTLS(cert)},
			sender: lresmtp.Sender{StartTLS: lresmtp.TLSOpportunistic, TLSConfig: trusting},
			want: core.DeliveryResult{Class: core.DeliveryAccepted, Host: "mx.test", Code: 250,
				Enhanced: "2.0.0", Text: "OK: queued"},
			transcript: []string{"* TLS established: TLS 1.3"},
			delivered:  1,
			overTLS:    true,
		},
		{
			name:   "STARTTLS with an untrusted certificate",
			server: []serverOption{withTLS(cert)},
			sender: lresmtp.Sender{StartTLS: lresmtp.TLSRequired},
			want: core.DeliveryResult{Class: core.DeliveryTemporary, Host: "mx.test",
				Text:   "tls handshake: tls: failed to verify certificate: x509: certificate signed by unknown authority",
				Reason: core.ReasonNetwork, RelayFailure: true},
		},
		{
			name:   "opportunistic TLS sends in clear when not offered",
			sender: lresmtp.Sender{StartTLS: lresmtp.TLSOpportunistic},
			want: core.DeliveryResult{Class: core.DeliveryAccepted, Host: "mx.test", Code: 250,
				Enhanced: "2.0.0", Text: "OK: queued"},
			transcript: []string{"* the server does not offer STARTTLS: sending in clear"},
			delivered:  1,
		},
		{
			name:   "AUTH PLAIN over STARTTLS",
			server: []serverOption{withTLS(cert), withAuth("lre", "s3cret-pass", false)},
			sender: lresmtp.Sender{TLSConfig: trusting, Username: "lre", Password: "s3cret-pass"},
			want: core.DeliveryResult{Class: core.DeliveryAccepted, Host: "mx.test", Code: 250,
				Enhanced: "2.0.0", Text: "OK: queued"},
			transcript: []string{"C: AUTH PLAIN [credentials hidden]", "S: 235 2.0.0 Authentication succeeded"},
			delivered:  1,
			overTLS:    true,
		},
		{
			name:   "AUTH PLAIN in clear to loopback",
			server: []serverOption{withAuth("lre", "s3cret-pass", true)},
			sender: lresmtp.Sender{StartTLS: lresmtp.TLSOff, Username: "lre", Password: "s3cret-pass"},
			want: core.DeliveryResult{Class: core.DeliveryAccepted, Host: "mx.test", Code: 250,
				Enhanced: "2.0.0", Text: "OK: queued"},
			transcript: []string{"C: AUTH PLAIN [credentials hidden]"},
			delivered:  1,
		},
		{
			name:    "AUTH with a wrong password is a configuration error",
			server:  []serverOption{withTLS(cert), withAuth("lre", "s3cret-pass", false)},
			sender:  lresmtp.Sender{TLSConfig: trusting, Username: "lre", Password: "wrong"},
			want:    core.DeliveryResult{Host: "mx.test", Text: "smtp authentication: SMTP error 535: Authentication failed", RelayFailure: true},
			wantErr: lresmtp.ErrAuth,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.sender
			var ts *testServer
			if tt.dropAtData {
				s.Addr = startDropAtDataServer(t)
			} else {
				ts = startServer(t, tt.server...)
				s.Addr = ts.Addr
			}
			s.Now = clock
			got, err := s.Send(context.Background(), notification())
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Send error = %v, want %v", err, tt.wantErr)
			}
			checkResult(t, got, tt.want)
			for _, line := range tt.transcript {
				if !strings.Contains(got.Transcript, line) {
					t.Errorf("transcript lacks %q:\n%s", line, got.Transcript)
				}
			}
			checkTranscriptPrivate(t, got.Transcript)
			if ts == nil {
				return
			}
			if len(ts.received()) != tt.delivered {
				t.Errorf("server accepted %d messages, want %d", len(ts.received()), tt.delivered)
			}
			for _, tls := range ts.tlsFlags() {
				if tls != tt.overTLS {
					t.Errorf("message received over TLS: %v, want %v", tls, tt.overTLS)
				}
			}
		})
	}
}

func checkResult(t *testing.T, got, want core.DeliveryResult) {
	t.Helper()
	if !got.Time.Equal(fixedNow) {
		t.Errorf("Time = %v, want %v", got.Time, fixedNow)
	}
	got.Transcript, got.Time = "", time.Time{}
	if got != want {
		t.Errorf("result\n got %+v\nwant %+v", got, want)
	}
}

// checkTranscriptPrivate makes sure neither the content nor credentials
// leak into the transcript that ends up in the evidence.
func checkTranscriptPrivate(t *testing.T, tr string) {
	t.Helper()
	m := notification()
	for _, secret := range []string{m.Code, m.Link, m.To.Name, "s3cret-pass", "AGxyZQBzM2NyZXQtcGFzcw=="} {
		if strings.Contains(tr, secret) {
			t.Errorf("transcript contains %q:\n%s", secret, tr)
		}
	}
}

// The caller retries; each attempt reports what the server said then.
func TestSenderGreylistedThenAccepted(t *testing.T) {
	greylist := smtpErr(451, [3]int{4, 7, 1}, "Greylisted, try again later")
	ts := startServer(t, withReplies("rcpt", greylist, greylist))
	s := lresmtp.Sender{Addr: ts.Addr, StartTLS: lresmtp.TLSOff, Now: clock}
	want := []core.DeliveryClass{core.DeliveryTemporary, core.DeliveryTemporary, core.DeliveryAccepted}
	for i, w := range want {
		got, err := s.Send(context.Background(), notification())
		if err != nil {
			t.Fatal(err)
		}
		if got.Class != w {
			t.Fatalf("attempt %d: class %s, want %s (%+v)", i+1, got.Class, w, got)
		}
		if w == core.DeliveryTemporary && (got.Code != 451 || got.Enhanced != "4.7.1" || got.Reason != core.ReasonPolicy) {
			t.Errorf("attempt %d: %+v", i+1, got)
		}
	}
	if n := len(ts.received()); n != 1 {
		t.Errorf("server accepted %d messages, want 1", n)
	}
}

func TestSenderConnectionRefusedThenUp(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := lresmtp.Sender{Addr: addr, StartTLS: lresmtp.TLSOff, Now: clock}

	got, err := s.Send(context.Background(), notification())
	if err != nil {
		t.Fatal(err)
	}
	if got.Class != core.DeliveryTemporary || got.Code != 0 || got.Ambiguous ||
		!strings.Contains(got.Text, "connection refused") || got.Host != "127.0.0.1" {
		t.Errorf("refused: %+v", got)
	}
	if !strings.Contains(got.Transcript, "* connect "+addr) {
		t.Errorf("transcript: %s", got.Transcript)
	}

	l, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("port %s taken meanwhile: %v", addr, err)
	}
	ts := serveOn(t, l)
	got, err = s.Send(context.Background(), notification())
	if err != nil {
		t.Fatal(err)
	}
	if got.Class != core.DeliveryAccepted || len(ts.received()) != 1 {
		t.Errorf("up: %+v", got)
	}
}

// A context that ends while waiting for the final reply leaves the outcome
// unknown, like a dropped connection.
func TestSenderContextCancelledAfterData(t *testing.T) {
	ts := startServer(t, withReplies("data", errHang))
	s := lresmtp.Sender{Addr: ts.Addr, StartTLS: lresmtp.TLSOff, Now: clock}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	got, err := s.Send(ctx, notification())
	if err != nil {
		t.Fatal(err)
	}
	if got.Class != core.DeliveryTemporary || !got.Ambiguous || !strings.HasPrefix(got.Text, "context deadline exceeded") {
		t.Errorf("%+v", got)
	}
}

func TestSenderRefusesInvalidMail(t *testing.T) {
	m := notification()
	m.To.Name = "Eve\r\nBcc: victim@example.com"
	s := lresmtp.Sender{Addr: "127.0.0.1:1", Now: clock}
	_, err := s.Send(context.Background(), m)
	if core.ErrorCode(err) != core.EINVALID {
		t.Fatalf("error = %v, want EINVALID", err)
	}
}
