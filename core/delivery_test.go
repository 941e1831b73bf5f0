package core_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/internal/lretest"
)

func TestNotificationOutcomes(t *testing.T) {
	temp := core.DeliveryResult{Class: core.DeliveryTemporary, Code: 451, Enhanced: "4.3.0", Text: "try later"}
	tests := []struct {
		name       string
		script     []core.DeliveryResult
		rounds     int
		wantStatus core.Status
		wantLast   core.EventType
		wantReason string
		attempts   int
	}{
		{"accepted", nil, 1, core.StatusNotified, core.EventNotificationForAcceptance, "", 1},
		{"451 twice then 250", []core.DeliveryResult{temp, temp}, 3, core.StatusNotified, core.EventNotificationForAcceptance, "", 3},
		{"550 5.1.1", []core.DeliveryResult{{Class: core.DeliveryPermanent, Code: 550, Enhanced: "5.1.1", Text: "no such user", Reason: core.ReasonBadMailbox}}, 1, core.StatusNotificationFail, core.EventNotificationFailure, core.ReasonBadMailbox, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.mailer.Script(tt.script...)
			n := h.deposit()
			for i := 0; i < tt.rounds; i++ {
				h.process()
				h.clock.Add(3 * time.Hour)
			}
			got := h.notice(n.ID)
			if got.Status != tt.wantStatus {
				t.Fatalf("status = %s, want %s", got.Status, tt.wantStatus)
			}
			evs := h.events(n.ID)
			last := evs[len(evs)-1]
			if last.Type != tt.wantLast {
				t.Fatalf("events = %v, want last %s", types(evs), tt.wantLast)
			}
			if tt.wantReason != "" && last.Details["reason"] != tt.wantReason {
				t.Fatalf("reason = %q, want %q", last.Details["reason"], tt.wantReason)
			}
			if last.Details["attempts"] != itoa(tt.attempts) {
				t.Fatalf("attempts = %s, want %d", last.Details["attempts"], tt.attempts)
			}
			if n := countKind(h.mailer.Kinds(), core.MailNotification); n != tt.attempts {
				t.Fatalf("sent %d notifications, want %d", n, tt.attempts)
			}
		})
	}
}

func itoa(i int) string { return string(rune('0' + i)) }

func countKind(ks []core.MailKind, k core.MailKind) int {
	n := 0
	for _, x := range ks {
		if x == k {
			n++
		}
	}
	return n
}

func TestRetriesExhaustedAfterMaxAge(t *testing.T) {
	h := newHarness(t)
	temp := core.DeliveryResult{Class: core.DeliveryTemporary, Code: 421, Text: "busy"}
	h.mailer.Script(slices.Repeat([]core.DeliveryResult{temp}, 100)...)
	n := h.deposit()
	for i := 0; i < 80 && h.notice(n.ID).Status == core.StatusDeposited; i++ {
		h.process()
		h.clock.Add(2 * time.Hour)
	}
	got := h.notice(n.ID)
	if got.Status != core.StatusNotificationFail {
		t.Fatalf("status = %s after 160h of 4xx, want notification_failed", got.Status)
	}
	evs := h.events(n.ID)
	if last := evs[len(evs)-1]; last.Details["reason"] != "retries_exhausted" {
		t.Fatalf("last event %s reason %q", last.Type, last.Details["reason"])
	}
}

func TestNotificationSetsParisDeadlineAndReminders(t *testing.T) {
	h := newHarness(t)
	n := h.deposit() // 2026-11-23 10:00 UTC = 11:00 Paris
	h.process()
	got := h.notice(n.ID)
	want := time.Date(2026, 12, 8, 23, 59, 59, 0, paris)
	if !got.Deadline.Equal(want) {
		t.Fatalf("deadline = %s, want %s", got.Deadline.In(paris), want)
	}
	h.clock.Add(7 * 24 * time.Hour)
	h.process()
	if countKind(h.mailer.Kinds(), core.MailReminder) != 1 {
		t.Fatalf("kinds sent = %v, want one reminder by day 7", h.mailer.Kinds())
	}
	evs := h.events(n.ID)
	if evs[len(evs)-1].Type != core.EventReminderSent {
		t.Fatalf("events = %v, want a ReminderSent", types(evs))
	}
}

func TestDeadlinePolicyAcrossDST(t *testing.T) {
	p := core.DeadlinePolicy{Days: 15, Location: paris}
	// Notified late on 20 March 2026 Paris time; DST starts 29 March.
	at := time.Date(2026, 3, 20, 23, 30, 0, 0, paris)
	got := p.Deadline(at)
	want := time.Date(2026, 4, 4, 23, 59, 59, 0, paris)
	if !got.Equal(want) {
		t.Fatalf("deadline = %s, want %s", got.In(paris), want)
	}
	// 23:30 UTC on 20 March is already 21 March in Paris.
	if got := p.Deadline(time.Date(2026, 3, 20, 23, 30, 0, 0, time.UTC)); !got.Equal(time.Date(2026, 4, 5, 23, 59, 59, 0, paris)) {
		t.Fatalf("deadline from UTC evening = %s", got.In(paris))
	}
}

func TestCrashDuringSendIsRecordedAsAmbiguous(t *testing.T) {
	h := newHarness(t)
	n := h.deposit()
	// Simulate a crash after the attempt was made durable but before the
	// result was: mark the entry in flight by hand through the store.
	due, err := h.db.DueOutbox(context.Background(), h.clock.Now(), 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due = %v, %v", due, err)
	}
	e := due[0]
	e.InFlight = true
	e.Attempts = append(e.Attempts, core.Attempt{Started: h.clock.Now()})
	if _, err := h.db.UpdateNotice(context.Background(), n.ID, func(*core.Notice) (core.Change, error) {
		return core.Change{Outbox: []core.OutboxEntry{e}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	h.process()
	evs := h.events(n.ID)
	last := evs[len(evs)-1]
	if last.Type != core.EventNotificationForAcceptance || last.Details["ambiguous_retry"] == "" || last.Details["attempts"] != "2" {
		t.Fatalf("last event %s %v: want an acceptance flagged as ambiguous retry after 2 attempts", last.Type, last.Details)
	}
	h.process()
	if c := countKind(h.mailer.Kinds(), core.MailNotification); c != 1 {
		t.Fatalf("sent %d notifications after the crashed attempt, want exactly 1 more", c)
	}
}

func TestLateBounceAfterNotified(t *testing.T) {
	h := newHarness(t)
	n := h.deposit()
	h.process()
	sent := h.mailer.Sent()[0]
	forged := lretest.ReportFor(sent, "failed", "5.1.1", core.ReasonBadMailbox, true)
	forged.NoticeID = strings.ToLower(n.ID) // the letter id without its tag: anyone could write that
	if err := h.svc.Letters.HandleBounce(context.Background(), forged); core.ErrorCode(err) != core.ENOTFOUND {
		t.Fatalf("a report to the untagged address: %v, want %s", err, core.ENOTFOUND)
	}
	if got := h.notice(n.ID).Status; got != core.StatusNotified {
		t.Fatalf("status %s after an untagged report", got)
	}
	if err := h.svc.Letters.HandleBounce(context.Background(), lretest.ReportFor(sent, "failed", "5.1.1", core.ReasonBadMailbox, true)); err != nil {
		t.Fatal(err)
	}
	got := h.notice(n.ID)
	if got.Status != core.StatusNotificationFail || !got.Deadline.IsZero() {
		t.Fatalf("status %s deadline %s after a late bounce", got.Status, got.Deadline)
	}
	evs := h.events(n.ID)
	if last := evs[len(evs)-1]; last.Type != core.EventNotificationFailure || last.Details["source"] != "dsn" {
		t.Fatalf("last event %s %v", last.Type, last.Details)
	}
	// The letter no longer expires: it was never notified.
	h.clock.Add(30 * 24 * time.Hour)
	if k, err := h.svc.Letters.ExpireDeadlines(context.Background()); err != nil || k != 0 {
		t.Fatalf("expired %d, %v", k, err)
	}
}

func TestSendingPolicySuspendsAndLifts(t *testing.T) {
	h := newHarness(t, services.WithLetters(core.WithSendingPolicy(core.SendingPolicy{Window: 100, MinSample: 5, MaxHardRate: 0.08})))
	bad := core.DeliveryResult{Class: core.DeliveryPermanent, Code: 550, Enhanced: "5.1.1", Reason: core.ReasonBadMailbox}
	h.mailer.Script([]core.DeliveryResult{bad, {Class: core.DeliveryAccepted, Code: 250}, {Class: core.DeliveryAccepted, Code: 250}, {Class: core.DeliveryAccepted, Code: 250}, {Class: core.DeliveryAccepted, Code: 250}}...)
	for i := 0; i < 5; i++ {
		h.deposit()
		h.process()
	}
	_, _, err := h.svc.Letters.Deposit(context.Background(), core.DepositRequest{Sender: h.sender, RecipientEmail: "c@example.com", RecipientName: "C", Subject: "S", Body: "B"})
	if core.ErrorCode(err) != core.EREFUSED {
		t.Fatalf("deposit with 20%% hard bounces: err = %v, want refused", err)
	}
	r, _ := h.svc.Letters.SenderRates(context.Background(), h.sender.ID)
	if !r.Suspended || r.HardBounces != 1 || r.Notifications != 5 {
		t.Fatalf("rates = %+v", r)
	}
	if err := h.svc.Letters.LiftSuspension(context.Background(), h.sender, h.sender.ID); core.ErrorCode(err) != core.EFORBIDDEN {
		t.Fatalf("a sender lifted its own suspension: %v", err)
	}
	admin, _, _ := h.svc.Accounts.AddUser(context.Background(), "admin@example.org", "Admin", "Cabinet Martin", core.RoleAdmin)
	if err := h.svc.Letters.LiftSuspension(context.Background(), admin, h.sender.ID); err != nil {
		t.Fatal(err)
	}
	h.deposit()
}

// One-time codes travel through the same outbox but are not notifications:
// the evidence keeps exactly one NotificationForAcceptance per letter.
func TestOTPMailIsNotANotificationEvent(t *testing.T) {
	h := newHarness(t)
	n := h.deposit()
	h.process()
	link := h.mailer.Sent()[0].Link
	token := link[strings.LastIndex(link, "/r/")+3:]
	if err := h.svc.Letters.RequestCode(context.Background(), token, core.Access{IP: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	h.process()
	if k := h.mailer.Kinds(); countKind(k, core.MailOTP) != 1 {
		t.Fatalf("kinds sent = %v, want one OTP", k)
	}
	got := 0
	for _, e := range h.events(n.ID) {
		if e.Type == core.EventNotificationForAcceptance {
			got++
		}
	}
	if got != 1 {
		t.Fatalf("%d NotificationForAcceptance events, want 1: %v", got, types(h.events(n.ID)))
	}
}

// A burst is drained by one call, not 100 mails per tick, each mail once
// although the next page is read while the mails of the one before leave.
func TestProcessOutboxDrainsABurst(t *testing.T) {
	h := newHarness(t)
	const letters = 450
	var ids []string
	for i := 0; i < letters; i++ {
		ids = append(ids, h.deposit().ID)
	}
	n, err := h.svc.Letters.ProcessOutbox(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n != letters || countKind(h.mailer.Kinds(), core.MailNotification) != letters {
		t.Fatalf("one call attempted %d and sent %d notifications, want %d", n, countKind(h.mailer.Kinds(), core.MailNotification), letters)
	}
	due, _ := h.db.DueOutbox(context.Background(), h.clock.Now(), 10)
	if len(due) != 0 {
		t.Fatalf("%d entries still due", len(due))
	}
	sent := map[string]int{}
	for _, m := range h.mailer.Sent() {
		if sent[m.ID]++; sent[m.ID] > 1 {
			t.Errorf("mail %s (%s) sent %d times", m.ID, m.Kind, sent[m.ID])
		}
	}
	for _, id := range ids {
		if n := h.notice(id); n.Status != core.StatusNotified {
			t.Errorf("letter %s is %s, want notified", id, n.Status)
		}
	}
}

var paris, _ = time.LoadLocation("Europe/Paris")
