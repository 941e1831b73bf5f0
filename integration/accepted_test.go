package integration_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
)

// A 250 after DATA is the evidence of notification: the event names the
// server, its reply and queue id; the stored transcript shows the dialogue
// without the secrets; the mail itself carries the link and the code but
// nothing of the sender or the letter.
func TestNotificationAcceptedBy250(t *testing.T) {
	m := startMX(t)
	m.script("data", smtpReply(250, "2.0.0", "Ok: queued as ABC123"))
	w := newWorld(t, m.addr)
	n := w.deposit(recipientEmail)
	queued := w.entry(n.ID, ntfID(n))
	link, code := queued.Mail.Link, queued.Mail.Code
	if link == "" || code == "" {
		t.Fatalf("queued notification has link %q and code %q", link, code)
	}
	token := strings.TrimPrefix(link, "https://lre.test/r/")

	if got := w.process(); got != 1 {
		t.Fatalf("ProcessOutbox attempted %d entries, want 1", got)
	}

	got := w.notice(n.ID)
	wantDeadline := time.Date(2026, 12, 8, 23, 59, 59, 0, paris)
	if got.Status != core.StatusNotified || !got.NotifiedAt.Equal(start) || !got.Deadline.Equal(wantDeadline) {
		t.Fatalf("notice: status %s, notified %s, deadline %s; want notified at %s, deadline %s",
			got.Status, got.NotifiedAt, got.Deadline, start, wantDeadline.UTC())
	}
	evs := w.events(n.ID)
	if want := []core.EventType{core.EventSubmissionAcceptance, core.EventNotificationForAcceptance}; !slices.Equal(types(evs), want) {
		t.Fatalf("events = %v, want %v", types(evs), want)
	}
	d := evs[1].Details
	for k, v := range map[string]string{
		"remote_host": "mx.test", "reply_code": "250", "enhanced_code": "2.0.0",
		"reply_text": "Ok: queued as ABC123", "queue_id": "ABC123", "attempts": "1",
		"message_id": ntfID(n), "recipient": recipientEmail, "mail_kind": "notification",
		"deadline": wantDeadline.UTC().Format(time.RFC3339), "sent_at": start.Format(time.RFC3339Nano),
	} {
		if d[k] != v {
			t.Errorf("event detail %s = %q, want %q", k, d[k], v)
		}
	}
	if _, ok := d["ambiguous_retry"]; ok {
		t.Errorf("a first-time delivery says ambiguous_retry: %q", d["ambiguous_retry"])
	}

	done := w.entry(n.ID, ntfID(n))
	if !done.Done || done.Outcome != "delivered" || done.InFlight || len(done.Attempts) != 1 {
		t.Fatalf("entry after delivery: done %v, outcome %q, in flight %v, %d attempts", done.Done, done.Outcome, done.InFlight, len(done.Attempts))
	}
	if done.Mail.Link != "" || done.Mail.Code != "" {
		t.Errorf("delivered entry still holds the secrets: link %q, code %q", done.Mail.Link, done.Mail.Code)
	}
	tr := done.Attempts[0].Result.Transcript
	for _, line := range []string{
		"C: MAIL FROM:<bounce+" + strings.ToLower(n.ID) + ".", // the VERP address, tagged
		"@" + bounceDomain + ">",
		"C: RCPT TO:<" + recipientEmail + ">",
		"S: 250 2.0.0 Ok: queued as ABC123",
	} {
		if !strings.Contains(tr, line) {
			t.Errorf("stored transcript lacks %q:\n%s", line, tr)
		}
	}
	for _, secret := range []string{token, code, strings.ReplaceAll(code, "-", "")} {
		if strings.Contains(tr, secret) {
			t.Errorf("stored transcript contains the secret %q:\n%s", secret, tr)
		}
	}

	_, _, acc := m.stats()
	if len(acc) != 1 {
		t.Fatalf("MX accepted %d messages, want 1", len(acc))
	}
	raw := acc[0]
	if !strings.HasPrefix(raw.From, "bounce+"+strings.ToLower(n.ID)+".") || !strings.HasSuffix(raw.From, "@"+bounceDomain) || raw.To != recipientEmail {
		t.Errorf("envelope %s -> %s", raw.From, raw.To)
	}
	msg := readMessage(t, raw.Data)
	checkNothingOfTheLetter(t, raw.Data, msg)
	if !strings.Contains(msg.Text, link) || !strings.Contains(msg.HTML, link) {
		t.Errorf("the mail lacks the link %s", link)
	}
	if !strings.Contains(msg.Text, code) {
		t.Errorf("the mail lacks the verification code %s", code)
	}
	if !strings.Contains(msg.Subject, n.ID) {
		t.Errorf("subject %q does not name the letter reference", msg.Subject)
	}
	if got := msg.messageID(); got != messageIDOf(ntfID(n)) {
		t.Errorf("Message-ID = %q, want the outbox entry id %q", got, messageIDOf(ntfID(n)))
	}
	if got := msg.Header.Get("Auto-Submitted"); got != "auto-generated" {
		t.Errorf("Auto-Submitted = %q", got)
	}
	if got := msg.Header.Get("To"); !strings.Contains(got, recipientEmail) {
		t.Errorf("To = %q", got)
	}
}
