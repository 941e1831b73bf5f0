package integration_test

import (
	"context"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/lre-project/lre/core"
	lresmtp "github.com/lre-project/lre/smtp"
)

// The Postfix sample's placeholders, replaced with the letter under test.
const (
	fixtureVERP      = "bounce+LRE-ABCD-EFGH-IJKL-MNOP@lre.example"
	fixtureMessageID = "LRE-ABCD-EFGH-IJKL-MNOP-N1@lre.example"
	fixtureRecipient = "jean.dupont@destinataire.example"
)

// bounceServer runs the real BounceServer on loopback wired to svc, and
// remembers the reports it kept unrecorded.
type bounceServer struct {
	addr string
	mu   sync.Mutex
	kept []string
}

func startBounceServer(t *testing.T, w *world) *bounceServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &bounceServer{addr: l.Addr().String()}
	handle := func(ctx context.Context, bn core.Bounce) error { return w.svc.Letters.HandleBounce(ctx, bn) }
	srv := lresmtp.NewBounceServer(b.addr, bounceDomain, handle, func(_ []byte, reason string) {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.kept = append(b.kept, reason)
	})
	srv.Now = w.clock.Now
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; err != nil {
			t.Errorf("bounce server: %v", err)
		}
	})
	return b
}

func (b *bounceServer) keptReasons() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.kept)
}

// postfixDSN adapts the Postfix 5.1.1 sample to a mail the MX accepted.
func postfixDSN(t *testing.T, sent delivery) []byte {
	t.Helper()
	raw, err := os.ReadFile("../testdata/dsn/postfix-5.1.1-user-unknown.eml")
	if err != nil {
		t.Fatal(err)
	}
	id := readMessage(t, sent.Data).messageID()
	return []byte(strings.NewReplacer(fixtureVERP, sent.From, fixtureMessageID, id, fixtureRecipient, sent.To).Replace(string(raw)))
}

// sendDSN delivers raw to rcpt over SMTP from the null sender, as an MTA
// returns a bounce.
func sendDSN(t *testing.T, addr, rcpt string, raw []byte) error {
	t.Helper()
	c, err := gosmtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Mail("", nil); err != nil {
		return err
	}
	if err := c.Rcpt(rcpt, nil); err != nil {
		return err
	}
	wc, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := wc.Write(raw); err != nil {
		return err
	}
	if err := wc.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// A DSN that comes back after the recipient's server accepted the
// notification means it never reached the mailbox: the letter is not
// notified after all, its deadline goes, and nothing later (reminders,
// expiry) treats it as notified.
func TestLateDSNForNotifiedLetter(t *testing.T) {
	m := startMX(t)
	w := newWorld(t, m.addr)
	n := w.deposit(recipientEmail)
	w.rounds(1)
	if got := w.notice(n.ID); got.Status != core.StatusNotified || got.Deadline.IsZero() {
		t.Fatalf("before the DSN: status %s, deadline %s", got.Status, got.Deadline)
	}
	sent := m.received()[0]
	if id, ok := lresmtp.ParseVERP(sent.From); !ok || !strings.HasPrefix(id, strings.ToLower(n.ID)+".") || len(id) != len(n.ID)+1+26 {
		t.Fatalf("envelope sender = %q, want the VERP address of %s with a 128-bit tag", sent.From, n.ID)
	}
	b := startBounceServer(t, w)
	w.clock.Add(10 * time.Minute)

	if err := sendDSN(t, b.addr, sent.From, postfixDSN(t, sent)); err != nil {
		t.Fatalf("the bounce server refused the DSN: %v", err)
	}

	got := w.notice(n.ID)
	if got.Status != core.StatusNotificationFail || !got.Deadline.IsZero() {
		t.Fatalf("after the DSN: status %s, deadline %s; want notification_failed, no deadline", got.Status, got.Deadline)
	}
	evs := w.events(n.ID)
	want := []core.EventType{core.EventSubmissionAcceptance, core.EventNotificationForAcceptance, core.EventNotificationFailure}
	if !slices.Equal(types(evs), want) {
		t.Fatalf("events = %v, want %v", types(evs), want)
	}
	d := evs[2].Details
	for k, v := range map[string]string{
		"source": "dsn", "enhanced_code": "5.1.1", "reason": core.ReasonBadMailbox,
		"recipient": recipientEmail, "received_at": w.clock.Now().Format(time.RFC3339),
	} {
		if d[k] != v {
			t.Errorf("DSN event detail %s = %q, want %q", k, d[k], v)
		}
	}
	if !strings.Contains(d["diagnosis"], "User unknown") {
		t.Errorf("DSN event diagnosis = %q", d["diagnosis"])
	}
	if kept := b.keptReasons(); len(kept) != 0 {
		t.Errorf("the bounce server kept the DSN aside: %q", kept)
	}

	// Neither a reminder nor the expiry of the deadline it no longer has.
	w.clock.Set(time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC))
	w.rounds(1)
	if _, err := w.svc.Letters.ExpireDeadlines(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := types(w.events(n.ID)); !slices.Equal(got, want) {
		t.Errorf("after the old deadline, events = %v, want still %v", got, want)
	}
	if got := len(m.received()); got != 1 {
		t.Errorf("MX received %d messages, want only the notification", got)
	}
}

// Anyone may write to a VERP address: a report counts for a letter only
// when it is tied to the mail that was sent. Forged DSNs, over real SMTP
// to the bounce listener, naming the real letter (its id, its recipient,
// its Message-ID as far as each forger can know them) change neither the
// letter's state nor its evidence nor the sender's rates, and are kept for
// the operator; the genuine report is then applied.
func TestForgedDSNChangesNothing(t *testing.T) {
	m := startMX(t)
	w := newWorld(t, m.addr)
	n := w.deposit(recipientEmail)
	w.rounds(1)
	sent := m.received()[0]
	b := startBounceServer(t, w)
	before, beforeRates := w.events(n.ID), w.rates()
	genuine := string(postfixDSN(t, sent))
	msgID := readMessage(t, sent.Data).messageID()
	untagged := lresmtp.VERPAddress(strings.ToLower(n.ID), bounceDomain)
	wrongTag := lresmtp.VERPAddress(strings.ToLower(n.ID)+".aaaaaaaaaaaaaaaaaaaaaaaaaa", bounceDomain)
	forgeries := []struct{ name, rcpt, raw string }{
		{"the letter id without the tag", untagged, strings.ReplaceAll(genuine, sent.From, untagged)},
		{"a guessed tag", wrongTag, strings.ReplaceAll(genuine, sent.From, wrongTag)},
		{"the real address, another message", sent.From, strings.ReplaceAll(genuine, msgID, "ntf-"+strings.ToLower(n.ID)+"@elsewhere.example")},
		{"the real address, another recipient", sent.From, strings.ReplaceAll(genuine, sent.To, "someone.else@destinataire.example")},
		{"the real address, no message named", sent.From, strings.ReplaceAll(genuine, msgID, "")},
	}
	for _, f := range forgeries {
		if err := sendDSN(t, b.addr, f.rcpt, []byte(f.raw)); err != nil {
			t.Fatalf("%s: refused (%v); it must be accepted and kept, so that the forger learns nothing", f.name, err)
		}
	}
	if got := w.notice(n.ID); got.Status != core.StatusNotified || got.Deadline.IsZero() {
		t.Fatalf("forged reports changed the letter: status %s, deadline %s", got.Status, got.Deadline)
	}
	if got := w.events(n.ID); !slices.EqualFunc(got, before, func(a, b core.Event) bool { return a.Seq == b.Seq && a.Type == b.Type }) {
		t.Fatalf("forged reports changed the evidence: %v -> %v", types(before), types(got))
	}
	if got := w.rates(); got != beforeRates {
		t.Fatalf("forged reports changed the sender's rates: %+v -> %+v", beforeRates, got)
	}
	if kept := b.keptReasons(); len(kept) != len(forgeries) {
		t.Fatalf("kept %d reports for the operator, want %d: %q", len(kept), len(forgeries), kept)
	}

	if err := sendDSN(t, b.addr, sent.From, []byte(genuine)); err != nil {
		t.Fatal(err)
	}
	if got := w.notice(n.ID).Status; got != core.StatusNotificationFail {
		t.Fatalf("the genuine report: status %s, want notification_failed", got)
	}
	if got := types(w.events(n.ID)); got[len(got)-1] != core.EventNotificationFailure {
		t.Fatalf("the genuine report: events %v", got)
	}
}

// A DSN for a letter the service does not know is accepted (so the remote
// MTA stops retrying) and kept aside, and changes no letter; an address
// outside the bounce domain is refused.
func TestDSNForUnknownLetter(t *testing.T) {
	m := startMX(t)
	w := newWorld(t, m.addr)
	n := w.deposit(recipientEmail)
	w.rounds(1)
	b := startBounceServer(t, w)
	sent := m.received()[0]
	before := w.events(n.ID)

	unknown := lresmtp.VERPAddress("lre-aaaa-bbbb-cccc-dddd", bounceDomain)
	if err := sendDSN(t, b.addr, unknown, postfixDSN(t, delivery{From: unknown, To: sent.To, Data: sent.Data})); err != nil {
		t.Fatalf("a DSN for an unknown letter was refused: %v", err)
	}
	if kept := b.keptReasons(); len(kept) != 1 || !strings.Contains(kept[0], "LRE-AAAA-BBBB-CCCC-DDDD") && !strings.Contains(kept[0], "lre-aaaa-bbbb-cccc-dddd") {
		t.Errorf("kept reasons = %q, want one naming the unknown letter", kept)
	}
	foreign := lresmtp.VERPAddress(strings.ToLower(n.ID), "elsewhere.example")
	if err := sendDSN(t, b.addr, foreign, postfixDSN(t, sent)); err == nil || !strings.Contains(err.Error(), "550") {
		t.Errorf("a bounce address of another domain got %v, want 550", err)
	}

	if got := w.events(n.ID); !slices.Equal(types(got), types(before)) {
		t.Errorf("events of the known letter changed: %v -> %v", types(before), types(got))
	}
	if got := w.notice(n.ID); got.Status != core.StatusNotified || got.Deadline.IsZero() {
		t.Errorf("known letter changed: status %s, deadline %s", got.Status, got.Deadline)
	}
}

// The bounce server may see one DSN twice (its 250 was lost, or a 451 for
// another address of the same message), and says handle must be
// idempotent: the letter's evidence must then hold one failure, not two.
func TestSameDSNTwiceIsOneFailure(t *testing.T) {
	m := startMX(t)
	w := newWorld(t, m.addr)
	n := w.deposit(recipientEmail)
	w.rounds(1)
	b := startBounceServer(t, w)
	sent := m.received()[0]
	dsn := postfixDSN(t, sent)
	for range 2 {
		if err := sendDSN(t, b.addr, sent.From, dsn); err != nil {
			t.Fatalf("the bounce server refused the DSN: %v", err)
		}
	}
	failures := ofType(w.events(n.ID), core.EventNotificationFailure)
	rates, err := w.svc.Letters.SenderRates(context.Background(), w.alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(failures) != 1 {
		t.Fatalf("core.Service.HandleBounce is not idempotent although BounceServer requires it: "+
			"the same DSN received twice appends %d NotificationForAcceptanceFailure events (source dsn) to the letter's evidence "+
			"(the hard-bounce outcome is counted once: %d)", len(failures), rates.HardBounces)
	}
	if rates.HardBounces != 1 {
		t.Errorf("hard bounces counted = %d, want 1", rates.HardBounces)
	}
}

// After a connection lost past the end-of-data marker the first copy may
// have been queued remotely, and its DSN can come back while the retry is
// still pending. The DSN fails the letter; the pending retry must then not
// notify the recipient of a letter they can no longer accept or refuse.
func TestDSNWhileNotificationRetryIsPending(t *testing.T) {
	m := startMX(t)
	m.script("data", errDropAfterData)
	w := newWorld(t, m.addr)
	n := w.deposit(recipientEmail)
	w.rounds(1)
	if got := w.notice(n.ID).Status; got != core.StatusDeposited {
		t.Fatalf("status after the lost reply = %s, want deposited", got)
	}
	_, data, _ := m.stats()
	b := startBounceServer(t, w)
	if err := sendDSN(t, b.addr, data[0].From, postfixDSN(t, data[0])); err != nil {
		t.Fatalf("DSN refused: %v", err)
	}
	if got := w.notice(n.ID).Status; got != core.StatusNotificationFail {
		t.Fatalf("status after the DSN = %s, want notification_failed", got)
	}
	w.rounds(2)

	evs := w.events(n.ID)
	want := []core.EventType{core.EventSubmissionAcceptance, core.EventNotificationFailure}
	if got := m.received(); len(got) != 0 || !slices.Equal(settled(evs), want) {
		var linkErr error
		if len(got) > 0 {
			token := readMessage(t, got[0].Data).linkToken(t)
			linkErr = w.svc.Letters.RequestCode(context.Background(), token, core.Access{IP: "192.0.2.7"})
		}
		t.Fatalf("core.Service.deliver still sends a pending notification retry after a DSN failed the letter "+
			"(only reminders check the status): the MX accepted %d more copies, the evidence reads %v with status %s "+
			"and no deadline, and the link in the mail answers %v",
			len(got), types(evs), w.notice(n.ID).Status, linkErr)
	}
	if e := w.entry(n.ID, ntfID(n)); !e.Done || e.Mail.Link != "" || e.Mail.Code != "" {
		t.Errorf("pending notification after the DSN: done %v, secrets kept %v", e.Done, e.Mail.Link != "")
	}
}

// An ARF complaint (RFC 5965) returned to the letter's VERP address over
// SMTP becomes a ComplaintReceived event of the letter and a complaint in
// the sender's rates, and leaves the letter's state alone.
func TestComplaintOverSMTP(t *testing.T) {
	m := startMX(t)
	w := newWorld(t, m.addr)
	n := w.deposit(recipientEmail)
	w.rounds(1)
	sent := m.received()[0]
	b := startBounceServer(t, w)
	arf := strings.ReplaceAll(`From: fbl@isp.example
To: `+sent.From+`
Subject: Abuse report
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="F"

--F
Content-Type: text/plain

A user of isp.example reported this message as spam.
--F
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: isp-fbl/1.0
Version: 1
Original-Rcpt-To: <`+sent.To+`>

--F
Content-Type: text/rfc822-headers

Message-ID: <`+readMessage(t, sent.Data).messageID()+`>
To: `+sent.To+`

--F--
`, "\n", "\r\n")
	if err := sendDSN(t, b.addr, sent.From, []byte(arf)); err != nil {
		t.Fatal(err)
	}
	if kept := b.keptReasons(); len(kept) != 0 {
		t.Fatalf("the complaint was kept aside: %q", kept)
	}
	complaints := ofType(w.events(n.ID), core.EventComplaintReceived)
	if len(complaints) != 1 || complaints[0].Details["feedback_type"] != "abuse" || complaints[0].Details["source"] != "arf" {
		t.Fatalf("complaint events %+v", complaints)
	}
	if got := w.notice(n.ID).Status; got != core.StatusNotified {
		t.Errorf("a complaint changed the letter to %s", got)
	}
	if r := w.rates(); r.Complaints != 1 || r.ComplaintsToday != 1 {
		t.Errorf("rates %+v, want the complaint counted", r)
	}
}
