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

// notificationOf returns the last notification mail sent for letter id.
func notificationOf(t *testing.T, h *harness, id string) core.OutgoingMail {
	t.Helper()
	sent := h.mailer.Sent()
	for i := len(sent) - 1; i >= 0; i-- {
		if sent[i].Kind == core.MailNotification && sent[i].NoticeID == id {
			return sent[i]
		}
	}
	t.Fatalf("no notification sent for %s", id)
	return core.OutgoingMail{}
}

// A soft failure reported after the recipient's server accepted the
// notification means it never arrived: the letter is not notified, the
// notification goes again under a new id, and the 15 days start at its
// acceptance, not at the first one.
func TestLateSoftFailureSendsTheNotificationAgain(t *testing.T) {
	h := newHarness(t)
	n := h.deposit()
	h.process()
	first := h.notice(n.ID)
	sent := notificationOf(t, h, n.ID)
	h.clock.Add(3 * 24 * time.Hour)
	if err := h.svc.Letters.HandleBounce(context.Background(), lretest.ReportFor(sent, "failed", "5.2.2", core.ReasonMailboxFull, false)); err != nil {
		t.Fatal(err)
	}
	got := h.notice(n.ID)
	if got.Status != core.StatusDeposited || !got.Deadline.IsZero() || !got.NotifiedAt.IsZero() {
		t.Fatalf("after the soft report: status %s, notified %s, deadline %s; want deposited without either", got.Status, got.NotifiedAt, got.Deadline)
	}
	evs := h.events(n.ID)
	if last := evs[len(evs)-1]; last.Type != core.EventNotificationDeferred || last.Details["reason"] != core.ReasonMailboxFull || last.Details["retry"] == "" {
		t.Fatalf("last event %s %v", last.Type, last.Details)
	}
	h.clock.Add(2 * time.Minute)
	h.process()
	again := notificationOf(t, h, n.ID)
	if !strings.HasPrefix(again.ID, "ntf2-") || again.Link == sent.Link {
		t.Fatalf("second notification %q (link reused: %v)", again.ID, again.Link == sent.Link)
	}
	got = h.notice(n.ID)
	if got.Status != core.StatusNotified || !got.Deadline.After(first.Deadline) {
		t.Fatalf("after the second acceptance: status %s, deadline %s (first %s)", got.Status, got.Deadline, first.Deadline)
	}
	r, err := h.svc.Letters.SenderRates(context.Background(), h.sender.ID)
	if err != nil || r.HardBounces != 0 || r.Notifications != 1 {
		t.Fatalf("rates %+v, %v: a soft failure is no hard bounce, and the letter counts once", r, err)
	}
}

// A report tied to the letter but not about its notification (no
// Message-ID of ours) is refused with EINVALID and changes nothing.
func TestReportForAnotherMailIsRefused(t *testing.T) {
	h := newHarness(t)
	n := h.deposit()
	h.process()
	b := lretest.ReportFor(notificationOf(t, h, n.ID), "failed", "5.1.1", core.ReasonBadMailbox, true)
	b.MessageID = "otp1-" + strings.ToLower(n.ID) + "@localhost"
	if err := h.svc.Letters.HandleBounce(context.Background(), b); core.ErrorCode(err) != core.EINVALID {
		t.Fatalf("report about the one-time-code mail: %v, want %s", err, core.EINVALID)
	}
	if got := h.notice(n.ID).Status; got != core.StatusNotified {
		t.Fatalf("status %s", got)
	}
}

// A complaint is an event of the letter and counts for the sender today.
func TestComplaintIsRecorded(t *testing.T) {
	h := newHarness(t, services.WithLetters(core.WithSendingPolicy(core.SendingPolicy{MinSample: 100, MaxComplaintsPerDay: 1})))
	var ids []string
	for range 2 {
		n := h.deposit()
		h.process()
		ids = append(ids, n.ID)
	}
	for i, id := range ids {
		b := lretest.ReportFor(notificationOf(t, h, id), "", "", "", false)
		b.Kind, b.Recipient, b.FeedbackType, b.Status, b.Diagnosis = core.ReportComplaint, "", "abuse", "", ""
		if err := h.svc.Letters.HandleBounce(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		evs := h.events(id)
		if last := evs[len(evs)-1]; last.Type != core.EventComplaintReceived || last.Details["feedback_type"] != "abuse" {
			t.Fatalf("complaint %d: last event %s %v", i, last.Type, last.Details)
		}
		if got := h.notice(id).Status; got != core.StatusNotified {
			t.Fatalf("a complaint changed the letter's state to %s", got)
		}
	}
	r, err := h.svc.Letters.SenderRates(context.Background(), h.sender.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Complaints != 2 || r.ComplaintsToday != 2 || r.MailsToday != 2 || !r.Suspended || r.SuspendedFor != "complaints" {
		t.Fatalf("rates %+v: want 2 complaints today, suspended for complaints (more than 1 a day)", r)
	}
	if _, _, err := h.svc.Letters.Deposit(context.Background(), core.DepositRequest{Sender: h.sender, RecipientEmail: "c@example.com", RecipientName: "C", Subject: "S", Body: "B"}); core.ErrorCode(err) != core.EREFUSED {
		t.Fatalf("deposit of a suspended sender: %v", err)
	}
}

// Blocks (the sender's reputation or policy) are soft and not charged as
// bounces, but above 30 % of the window they suspend the sender.
func TestSendingPolicyBlocks(t *testing.T) {
	h := newHarness(t, services.WithLetters(core.WithSendingPolicy(core.SendingPolicy{Window: 100, MinSample: 3})))
	var ids []string
	for range 3 {
		n := h.deposit()
		h.process()
		ids = append(ids, n.ID)
	}
	b := lretest.ReportFor(notificationOf(t, h, ids[0]), "failed", "5.7.1", core.ReasonBlocked, false)
	if err := h.svc.Letters.HandleBounce(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	r, _ := h.svc.Letters.SenderRates(context.Background(), h.sender.ID)
	if r.Blocks != 1 || r.HardBounces != 0 || !r.Suspended || r.SuspendedFor != "blocks" || r.BlockRate < 0.33 {
		t.Fatalf("rates %+v: want 1 block in 3 (33 %% > 30 %%), no hard bounce, suspended for blocks", r)
	}
	evs := types(h.events(ids[0]))
	if slices.Contains(evs, core.EventNotificationFailure) {
		t.Errorf("a block ended the notification: %v", evs)
	}
}

// A temporary refusal before the acceptance is evidence too.
func TestTemporaryRepliesAreEvidence(t *testing.T) {
	h := newHarness(t)
	h.mailer.Script(core.DeliveryResult{Class: core.DeliveryTemporary, Code: 451, Enhanced: "4.7.1", Text: "greylisted", Reason: core.ReasonPolicy})
	n := h.deposit()
	h.process()
	h.clock.Add(10 * time.Minute)
	h.process()
	evs := h.events(n.ID)
	want := []core.EventType{core.EventSubmissionAcceptance, core.EventNotificationDeferred, core.EventNotificationForAcceptance}
	if !slices.Equal(types(evs), want) {
		t.Fatalf("events %v, want %v", types(evs), want)
	}
	if d := evs[1].Details; d["reply_code"] != "451" || d["enhanced_code"] != "4.7.1" || d["reply_text"] != "greylisted" {
		t.Errorf("deferred event details %v", d)
	}
}
