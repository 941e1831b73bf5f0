package smtp_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	lresmtp "github.com/lre-project/lre/smtp"
)

// sendN sends n notifications one after the other and returns their results.
func sendN(t *testing.T, s *lresmtp.Sender, n int) []core.DeliveryResult {
	t.Helper()
	var out []core.DeliveryResult
	for i := range n {
		m := notification()
		m.ID = fmt.Sprintf("%s-%d", m.ID, i+1)
		res, err := s.Send(context.Background(), m)
		if err != nil {
			t.Fatalf("mail %d: %v", i+1, err)
		}
		out = append(out, res)
	}
	return out
}

// TestSenderReusesConnection: mails sent one after the other share one
// connection, each accepted, and the transcript of every mail after the
// first says which server and which protection it rides on.
func TestSenderReusesConnection(t *testing.T) {
	cert, pool := selfSigned(t)
	ts := startServer(t, withTLS(cert))
	s := &lresmtp.Sender{Addr: ts.Addr, TLSConfig: &tls.Config{RootCAs: pool}, Now: clock}
	defer s.Close()
	results := sendN(t, s, 3)
	for i, r := range results {
		if r.Class != core.DeliveryAccepted || r.Host != "mx.test" {
			t.Errorf("mail %d: class %v host %q, want accepted by mx.test\n%s", i+1, r.Class, r.Host, r.Transcript)
		}
	}
	if conns, _ := ts.counts(); conns != 1 {
		t.Errorf("%d connections for 3 mails, want 1\n%s\n%s", conns, results[1].Transcript, results[2].Transcript)
	}
	if got := len(ts.received()); got != 3 {
		t.Errorf("server accepted %d messages, want 3", got)
	}
	for _, tls := range ts.tlsFlags() {
		if !tls {
			t.Error("a message on the reused connection arrived in clear")
		}
	}
	if strings.Contains(results[0].Transcript, "reusing") || !strings.Contains(results[0].Transcript, "TLS established") {
		t.Errorf("first mail's transcript should show its own connection and TLS:\n%s", results[0].Transcript)
	}
	for i, want := range []string{"mail 2 on it", "mail 3 on it"} {
		tr := results[i+1].Transcript
		for _, line := range []string{"* reusing the connection to mx.test opened", "TLS TLS 1.3", want, "C: MAIL FROM:", "S: 250 2.0.0"} {
			if !strings.Contains(tr, line) {
				t.Errorf("mail %d's transcript lacks %q:\n%s", i+2, line, tr)
			}
		}
		if strings.Contains(tr, "EHLO") || strings.Contains(tr, "connect ") {
			t.Errorf("mail %d's transcript shows a new connection:\n%s", i+2, tr)
		}
	}
}

// TestSenderReconnectsAfterServerClosed: the server closes an idle
// connection; the next mail notices it before sending anything and goes
// through on a new connection, with both steps in its transcript.
func TestSenderReconnectsAfterServerClosed(t *testing.T) {
	ts := startServer(t, withReplies("data", errCloseAfter))
	s := &lresmtp.Sender{Addr: ts.Addr, StartTLS: lresmtp.TLSOff, Now: clock}
	defer s.Close()
	first := sendN(t, s, 1)[0]
	if first.Class != core.DeliveryAccepted {
		t.Fatalf("first mail: %v\n%s", first.Class, first.Transcript)
	}
	deadline := time.Now().Add(5 * time.Second)
	for _, ended := ts.counts(); ended == 0 && time.Now().Before(deadline); _, ended = ts.counts() {
		time.Sleep(5 * time.Millisecond)
	}
	checkReconnected(t, ts, sendN(t, s, 1)[0], "* connect "+ts.Addr)
}

// checkReconnected checks the mail after a reused connection turned out
// closed: accepted on a new connection, both steps in its transcript (and
// the lines given), two connections and two messages in all, none twice.
func checkReconnected(t *testing.T, ts *testServer, second core.DeliveryResult, lines ...string) {
	t.Helper()
	if second.Class != core.DeliveryAccepted || second.RelayFailure || second.Ambiguous {
		t.Fatalf("second mail: %+v\n%s", second, second.Transcript)
	}
	for _, line := range append([]string{"* reusing the connection", "* the server had closed that connection before the message: connecting again", "C: EHLO"}, lines...) {
		if !strings.Contains(second.Transcript, line) {
			t.Errorf("second mail's transcript lacks %q:\n%s", line, second.Transcript)
		}
	}
	if conns, _ := ts.counts(); conns != 2 {
		t.Errorf("%d connections, want 2", conns)
	}
	if got := len(ts.received()); got != 2 {
		t.Errorf("server accepted %d messages, want 2 (none twice)", got)
	}
}

// TestSenderDropsConnectionAfterRefusal: a refused mail's connection is
// not reused: the next mail starts from a fresh session.
func TestSenderDropsConnectionAfterRefusal(t *testing.T) {
	ts := startServer(t, withReplies("rcpt", smtpErr(550, [3]int{5, 1, 1}, "no such user")))
	s := &lresmtp.Sender{Addr: ts.Addr, StartTLS: lresmtp.TLSOff, Now: clock}
	defer s.Close()
	results := sendN(t, s, 2)
	if results[0].Class != core.DeliveryPermanent || results[1].Class != core.DeliveryAccepted {
		t.Fatalf("classes %v, %v; want permanent then accepted", results[0].Class, results[1].Class)
	}
	if strings.Contains(results[1].Transcript, "reusing") {
		t.Errorf("the mail after a refusal reused its connection:\n%s", results[1].Transcript)
	}
	if conns, _ := ts.counts(); conns != 2 {
		t.Errorf("%d connections, want 2", conns)
	}
}

// TestSenderIdleConnectionsClosed: an idle connection is closed after the
// idle time, and all of them at Close; a mail after either connects anew.
func TestSenderIdleConnectionsClosed(t *testing.T) {
	defer lresmtp.SetSessionIdle(50 * time.Millisecond)()
	ts := startServer(t)
	s := &lresmtp.Sender{Addr: ts.Addr, StartTLS: lresmtp.TLSOff, Now: clock}
	sendN(t, s, 1)
	waitEnded(t, ts, 1)
	if r := sendN(t, s, 1)[0]; strings.Contains(r.Transcript, "reusing") {
		t.Errorf("a connection idle past the limit was reused:\n%s", r.Transcript)
	}
	s.Close()
	waitEnded(t, ts, 2)
	if conns, _ := ts.counts(); conns != 2 {
		t.Errorf("%d connections, want 2", conns)
	}
}

// TestSenderConcurrentSends: mails sent at once from many goroutines each
// get their own session, none is lost or sent twice, and later mails reuse
// the sessions left open.
func TestSenderConcurrentSends(t *testing.T) {
	ts := startServer(t)
	s := &lresmtp.Sender{Addr: ts.Addr, StartTLS: lresmtp.TLSOff, Now: clock}
	defer s.Close()
	const senders, each = 4, 10
	var wg sync.WaitGroup
	for g := range senders {
		wg.Go(func() {
			for i := range each {
				m := notification()
				m.ID = m.ID + "-" + string(rune('a'+g)) + string(rune('a'+i))
				if res, err := s.Send(context.Background(), m); err != nil || res.Class != core.DeliveryAccepted {
					t.Errorf("mail %s: %v %v", m.ID, res.Class, err)
				}
			}
		})
	}
	wg.Wait()
	if got := len(ts.received()); got != senders*each {
		t.Errorf("server accepted %d messages, want %d", got, senders*each)
	}
	if conns, _ := ts.counts(); conns > senders {
		t.Errorf("%d connections for %d concurrent senders, want at most %d", conns, senders, senders)
	}
}

func waitEnded(t *testing.T, ts *testServer, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, ended := ts.counts(); ended >= n {
			return
		}
		if time.Now().After(deadline) {
			_, ended := ts.counts()
			t.Fatalf("%d sessions ended, want %d", ended, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestRelayWatchCloseEndsSessions: closing the RelayWatch that the app
// wires around the Sender (cmd/lre, app.Close) ends the idle connections.
func TestRelayWatchCloseEndsSessions(t *testing.T) {
	ts := startServer(t)
	w := lresmtp.NewRelayWatch(ts.Addr, &lresmtp.Sender{Addr: ts.Addr, StartTLS: lresmtp.TLSOff, Now: clock})
	if res, err := w.Send(context.Background(), notification()); err != nil || res.Class != core.DeliveryAccepted {
		t.Fatalf("send: %v %v", res.Class, err)
	}
	if _, ended := ts.counts(); ended != 0 {
		t.Fatalf("%d sessions ended before Close, want the accepted one kept open", ended)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	waitEnded(t, ts, 1)
}

// TestSenderReconnectsAfter421: a server that answers MAIL on a reused
// connection with 421 (it is closing) gets the mail on a new connection;
// the 421 is in the transcript and counts as no result of its own.
func TestSenderReconnectsAfter421(t *testing.T) {
	ts := startServer(t, withReplies("mail", nil, smtpErr(421, [3]int{4, 4, 2}, "closing: idle too long")))
	s := &lresmtp.Sender{Addr: ts.Addr, StartTLS: lresmtp.TLSOff, Now: clock}
	defer s.Close()
	checkReconnected(t, ts, sendN(t, s, 2)[1], "S: 421 4.4.2 closing")
}

// TestSenderSessionMailCap: a session carries at most 100 mails, then a
// new connection takes over.
func TestSenderSessionMailCap(t *testing.T) {
	ts := startServer(t)
	s := &lresmtp.Sender{Addr: ts.Addr, StartTLS: lresmtp.TLSOff, Now: clock}
	defer s.Close()
	results := sendN(t, s, 101)
	if !strings.Contains(results[99].Transcript, "mail 100 on it") {
		t.Errorf("mail 100 did not ride the first connection:\n%s", results[99].Transcript)
	}
	if strings.Contains(results[100].Transcript, "reusing") {
		t.Errorf("mail 101 reused a connection that had carried 100:\n%s", results[100].Transcript)
	}
	if conns, _ := ts.counts(); conns != 2 {
		t.Errorf("%d connections for 101 mails, want 2", conns)
	}
}
