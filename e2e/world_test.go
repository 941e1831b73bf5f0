package e2e_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/storage"
)

// TestTimestampAuthorityFaults: while the only authority times out,
// fails, or answers with a token for another request, a deposit is
// answered 202 pending_timestamp, never 201, has no token and no event;
// once the authority answers properly the letter is deposited with a
// verifying token, exactly one SubmissionAcceptance, and notified once.
func TestTimestampAuthorityFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		mode tsaMode
	}{
		{"HTTP 500", tsa500},
		{"time-out", tsaHang},
		{"token for another nonce", tsaWrongNonce},
		{"token over another digest", tsaWrongImprint},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ext := startTSA(t)
			s := newSeamSetup(t, behaviour{}, ext.flags()...)
			s.p.start()
			ext.setMode(tt.mode)
			l := newLetter(rand.New(rand.NewPCG(11, uint64(i))), "TSA"+string(rune('A'+i)), 2, 8<<10)
			r, err := s.c.deposit(context.Background(), l)
			if err != nil || r.status != http.StatusAccepted {
				t.Fatalf("deposit while the authority misbehaves: %v %v, want 202", r, err)
			}
			n, err := checkAck(l, r)
			if err != nil {
				t.Fatal(err)
			}
			hits := ext.hits.Load()
			time.Sleep(time.Second)
			if again, _ := s.c.deposit(context.Background(), l); again.status != http.StatusAccepted || !strings.Contains(string(again.body), n.ID) {
				t.Errorf("replay while pending: %s, want 202 for %s", again, n.ID)
			}
			if got := s.c.notice(t, n.ID); got.Status != "pending_timestamp" || got.Timestamp != nil {
				t.Errorf("after a second of retries: status %s, timestamp %v", got.Status, got.Timestamp)
			}
			if tsr, err := s.c.do(context.Background(), http.MethodGet, "/api/v1/notices/"+n.ID+"/timestamp.tsr", "", nil); err != nil || tsr.status != http.StatusNotFound {
				t.Errorf("timestamp.tsr while pending: %v %v, want 404", tsr, err)
			}
			if evs := s.c.events(t, n.ID); len(evs) != 0 {
				t.Errorf("pending letter has events %+v", evs)
			}
			if s.sk.count(notificationID(n.ID)) != 0 {
				t.Error("a letter without a token was notified")
			}
			if tt.mode != tsaHang && ext.hits.Load() <= hits {
				t.Errorf("the pending letter was not retried (authority hits %d then %d)", hits, ext.hits.Load())
			}
			ext.setMode(tsaOK)
			waitFor(t, 45*time.Second, "the letter deposited and notified", func() bool { return s.c.notice(t, n.ID).Status == "notified" })
			evs := s.c.events(t, n.ID)
			if len(eventsOf(evs, string(core.EventSubmissionAcceptance))) != 1 || len(eventsOf(evs, string(core.EventNotificationForAcceptance))) != 1 {
				t.Errorf("events after recovery: %+v", evs)
			}
			s.p.stop()
			if records := verifyLog(t, s.dir); records != 2 {
				t.Errorf("log holds %d records, want 2", records)
			}
			checkLetters(t, openStore(t, s.dir), s.userID, []ackedLetter{{l, n}}, bothRoots(t, s.dir, ext), s.sk)
		})
	}
}

func smtpError(code int, enhanced [3]int, msg string) *gosmtp.SMTPError {
	return &gosmtp.SMTPError{Code: code, EnhancedCode: gosmtp.EnhancedCode(enhanced), Message: msg}
}

// TestMailServerFaults drives one notification through a mail server that
// is down, slow, refuses temporarily or for good, or hangs up in the middle
// of DATA, and checks what lre keeps: the letter's status, its events with
// the reply, and the attempt with its SMTP transcript (which must not carry
// the message, its link or its code). A deposit never waits for the mail.
func TestMailServerFaults(t *testing.T) {
	t.Parallel()
	closed := freeAddr(t)
	tests := []struct {
		name     string
		sink     behaviour
		flags    []string
		final    bool   // the attempt ends the notification (an event is written)
		status   string // the letter's status at the end
		event    core.EventType
		details  map[string]string // expected event details
		class    core.DeliveryClass
		code     int
		received int // messages the sink keeps
		inScript string
		recovers bool // the sink then accepts: the scheduled retry delivers
	}{
		{name: "connection refused, retried later", flags: []string{"--smtp", closed},
			status: "deposited", class: core.DeliveryTemporary, inScript: "connect " + closed},
		{name: "connection refused, retry window over", flags: []string{"--smtp", closed, "--smtp-retry-max-age", "0s"}, final: true,
			status: "notification_failed", event: core.EventNotificationFailure, details: map[string]string{"reason": "retries_exhausted", "reply_code": "0"},
			class: core.DeliveryTemporary, inScript: "connect " + closed},
		{name: "slow server", sink: behaviour{holdData: 5 * time.Second}, final: true,
			status: "notified", event: core.EventNotificationForAcceptance, details: map[string]string{"reply_code": "250"},
			class: core.DeliveryAccepted, code: 250, received: 1, inScript: "250"},
		{name: "4xx mailbox full, retried later", sink: behaviour{rcpt: smtpError(452, [3]int{4, 2, 2}, "Mailbox full")},
			status: "deposited", class: core.DeliveryTemporary, code: 452, inScript: "452 4.2.2", recovers: true},
		{name: "4xx, retry window over", sink: behaviour{rcpt: smtpError(451, [3]int{4, 3, 0}, "Try later")}, flags: []string{"--smtp-retry-max-age", "0s"}, final: true,
			status: "notification_failed", event: core.EventNotificationFailure, details: map[string]string{"reason": "retries_exhausted", "reply_code": "451", "enhanced_code": "4.3.0"},
			class: core.DeliveryTemporary, code: 451, inScript: "451 4.3.0"},
		{name: "5xx no such user", sink: behaviour{rcpt: smtpError(550, [3]int{5, 1, 1}, "No such user")}, final: true,
			status: "notification_failed", event: core.EventNotificationFailure, details: map[string]string{"reason": "user_unknown", "reply_code": "550", "enhanced_code": "5.1.1"},
			class: core.DeliveryPermanent, code: 550, inScript: "550 5.1.1"},
		{name: "5xx spam refusal after DATA", sink: behaviour{data: smtpError(554, [3]int{5, 7, 1}, "Message rejected as spam")}, final: true,
			status: "notification_failed", event: core.EventNotificationFailure, details: map[string]string{"reason": "spam", "reply_code": "554", "enhanced_code": "5.7.1"},
			class: core.DeliveryPermanent, code: 554, inScript: "554 5.7.1"},
		{name: "5xx policy refusal after DATA, retried later (a block is soft)", sink: behaviour{data: smtpError(554, [3]int{5, 7, 1}, "Refused by policy")},
			status: "deposited", class: core.DeliveryPermanent, code: 554, inScript: "554 5.7.1"},
		{name: "connection dropped mid-DATA", sink: behaviour{dropMidData: true},
			status: "deposited", class: core.DeliveryTemporary, inScript: "DATA"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSeamSetup(t, tt.sink, tt.flags...)
			s.p.start()
			l := newLetter(rand.New(rand.NewPCG(13, uint64(i))), "MX"+string(rune('A'+i)), 1, 4<<10)
			began := time.Now()
			r, err := s.c.deposit(context.Background(), l)
			if err != nil || r.status != http.StatusCreated {
				t.Fatalf("deposit: %v %v, want 201 whatever the mail server does", r, err)
			}
			if d := time.Since(began); d > 3*time.Second {
				t.Errorf("the deposit took %s: it waited for the mail server", d)
			}
			n, err := checkAck(l, r)
			if err != nil {
				t.Fatal(err)
			}
			if tt.final {
				waitFor(t, 20*time.Second, "status "+tt.status, func() bool { return s.c.notice(t, n.ID).Status == tt.status })
			} else {
				waitFor(t, 20*time.Second, "a first attempt", func() bool { return s.sk.rcpts.Load() > 0 || tt.sink == (behaviour{}) })
				time.Sleep(time.Second)
			}
			evs := s.c.events(t, n.ID)
			if got := s.c.notice(t, n.ID).Status; got != tt.status {
				t.Errorf("status %s, want %s", got, tt.status)
			}
			if tt.final {
				got := eventsOf(evs, string(tt.event))
				if len(got) != 1 || len(evs) != 2 {
					t.Fatalf("events %+v, want SubmissionAcceptance and one %s", evs, tt.event)
				}
				for k, v := range tt.details {
					if got[0].Details[k] != v {
						t.Errorf("event detail %s = %q, want %q (all: %v)", k, got[0].Details[k], v, got[0].Details)
					}
				}
			} else if len(evs) < 2 || len(eventsOf(evs, string(core.EventNotificationDeferred))) != len(evs)-1 {
				t.Errorf("events %+v, want the SubmissionAcceptance and the soft replies (NotificationDeferred) while the notification is retried", evs)
			}
			if got := s.sk.count(notificationID(n.ID)); got != tt.received {
				t.Errorf("sink kept the notification %d times, want %d", got, tt.received)
			}
			if tt.recovers {
				s.sk.set(behaviour{})
				waitFor(t, 90*time.Second, "the scheduled retry", func() bool { return s.c.notice(t, n.ID).Status == "notified" })
				ok := eventsOf(s.c.events(t, n.ID), string(core.EventNotificationForAcceptance))
				if len(ok) != 1 || ok[0].Details["attempts"] != "2" || ok[0].Details["ambiguous_retry"] != "" {
					t.Errorf("after the retry: %+v, want one NotificationForAcceptance after 2 plain attempts", ok)
				}
				if got := s.sk.count(notificationID(n.ID)); got != 1 {
					t.Errorf("sink kept the notification %d times, want 1", got)
				}
			}
			s.p.stop()
			verifyLog(t, s.dir)
			db := openStore(t, s.dir)
			checkAttempt(t, db, n.ID, tt.final || tt.recovers, tt.class, tt.code, tt.inScript)
		})
	}
}

// checkAttempt checks the stored outbox entry of a letter's notification:
// its first attempt's class, code and transcript, and, while unfinished, a
// retry scheduled with a back-off rather than at once.
func checkAttempt(t *testing.T, db *storage.DB, id string, final bool, class core.DeliveryClass, code int, inScript string) {
	t.Helper()
	entries, err := db.OutboxEntries(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var e *core.OutboxEntry
	for i := range entries {
		if entries[i].Mail.Kind == core.MailNotification {
			e = &entries[i]
		}
	}
	if e == nil || len(e.Attempts) == 0 || e.Attempts[0].Result == nil {
		t.Fatalf("no recorded attempt among outbox entries %+v", entries)
	}
	a := e.Attempts[0]
	res := a.Result
	if res.Class != class || res.Code != code {
		t.Errorf("attempt recorded as %s %d, want %s %d (%s)", res.Class, res.Code, class, code, res.Text)
	}
	if !strings.Contains(res.Transcript, inScript) {
		t.Errorf("transcript lacks %q:\n%s", inScript, res.Transcript)
	}
	for _, secret := range []string{"/r/", "Message-ID", "Content-Type", e.Mail.Code} {
		if secret != "" && strings.Contains(res.Transcript, secret) {
			t.Errorf("transcript holds %q, part of the message:\n%s", secret, res.Transcript)
		}
	}
	if e.Done != final || e.InFlight {
		t.Errorf("entry done=%v in_flight=%v, want done=%v", e.Done, e.InFlight, final)
	}
	if !e.Done && e.NotBefore.Sub(res.Time) < 30*time.Second {
		t.Errorf("retry scheduled %s after the failure; want a back-off", e.NotBefore.Sub(res.Time))
	}
	t.Logf("attempt: %s %d %q ambiguous=%v, %d attempts", res.Class, res.Code, res.Text, a.Ambiguous || res.Ambiguous, len(e.Attempts))
}
