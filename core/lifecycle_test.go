package core_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/lretest"
)

var allStatuses = []core.Status{
	core.StatusPendingTimestamp, core.StatusDeposited, core.StatusNotified, core.StatusNotificationFail,
	core.StatusAccepted, core.StatusRefused, core.StatusNotClaimed,
}

var allEvents = []core.EventType{
	core.EventSubmissionAcceptance, core.EventSubmissionRejection, core.EventNotificationForAcceptance,
	core.EventNotificationFailure, core.EventNotificationDeferred, core.EventConsignmentAcceptance,
	core.EventConsignmentRejection, core.EventAcceptanceRejectionExpiry, core.EventContentHandover,
	core.EventContentHandoverFailure, core.EventNotificationAccessTracking, core.EventReminderSent,
	core.EventConsentGiven, core.EventConsentWithdrawn, core.EventSendingPolicyLifted, core.EventIdentificationFailure,
}

// The table walked: each row is what NextStatus answers, no (from, event)
// pair is ambiguous, every status is reachable from the deposit, and a
// final status (Notice.Final) has no way out.
func TestTransitionTable(t *testing.T) {
	seen := map[[2]string]bool{}
	reached := map[core.Status]bool{core.StatusPendingTimestamp: true}
	for _, tr := range core.Transitions() {
		key := [2]string{string(tr.From), string(tr.Event)}
		if seen[key] {
			t.Errorf("%s on %s appears twice", tr.From, tr.Event)
		}
		seen[key] = true
		if got, err := core.NextStatus(tr.From, tr.Event); err != nil || got != tr.To {
			t.Errorf("NextStatus(%s, %s) = %s, %v; the table says %s", tr.From, tr.Event, got, err, tr.To)
		}
		if (core.Notice{Status: tr.From}).Final() {
			t.Errorf("final status %s has a transition on %s", tr.From, tr.Event)
		}
	}
	for changed := true; changed; {
		changed = false
		for _, tr := range core.Transitions() {
			if reached[tr.From] && !reached[tr.To] {
				reached[tr.To], changed = true, true
			}
		}
	}
	for _, s := range allStatuses {
		if !reached[s] {
			t.Errorf("status %s cannot be reached from %s", s, core.StatusPendingTimestamp)
		}
	}
}

// Every pair outside the table is refused with ECONFLICT and a message
// naming the status and the event.
func TestIllegalTransitionsAreRefused(t *testing.T) {
	allowed := map[[2]string]bool{}
	for _, tr := range core.Transitions() {
		allowed[[2]string{string(tr.From), string(tr.Event)}] = true
	}
	refused := 0
	for _, s := range allStatuses {
		for _, e := range allEvents {
			if allowed[[2]string{string(s), string(e)}] {
				continue
			}
			refused++
			got, err := core.NextStatus(s, e)
			if core.ErrorCode(err) != core.ECONFLICT || got != "" {
				t.Fatalf("NextStatus(%s, %s) = %q, %v; want ECONFLICT", s, e, got, err)
			}
			if msg := err.Error(); !strings.Contains(msg, string(s)) || !strings.Contains(msg, string(e)) {
				t.Fatalf("error %q does not name status %s and event %s", msg, s, e)
			}
		}
	}
	if refused < 90 {
		t.Fatalf("only %d illegal pairs checked", refused)
	}
}

// Each event that moves a letter says where it went, and the record check
// replays exactly those: a late soft report sends the notification again
// (notified → deposited → notified with a new deadline), and the stored
// record still matches its evidence.
func TestEventsThatMoveALetterReplayToItsRecord(t *testing.T) {
	h := newHarness(t)
	n := h.deposit()
	h.process()
	sent := notificationOf(t, h, n.ID)
	h.clock.Add(3 * 24 * time.Hour)
	if err := h.svc.Letters.HandleBounce(context.Background(), lretest.ReportFor(sent, "failed", "5.2.2", core.ReasonMailboxFull, false)); err != nil {
		t.Fatal(err)
	}
	h.clock.Add(2 * time.Minute)
	h.process()
	var path []string
	for _, e := range h.events(n.ID) {
		if st := e.Details[core.DetailLetterStatus]; st != "" {
			path = append(path, string(e.Type)+"→"+st)
		}
	}
	want := "SubmissionAcceptance→deposited NotificationForAcceptance→notified NotificationDeferred→deposited NotificationForAcceptance→notified"
	if got := strings.Join(path, " "); got != want {
		t.Fatalf("moves %s\nwant  %s", got, want)
	}
	if _, err := h.DB.VerifyRecords(context.Background(), core.CheckRecord); err != nil {
		t.Fatalf("record check after a resent notification: %v", err)
	}
}

// An event that claims a move the lifecycle forbids makes the record check
// fail, naming the event.
func TestReplayRefusesAForbiddenMove(t *testing.T) {
	h := newHarness(t)
	n := h.deposit()
	h.process()
	got := h.notice(n.ID)
	evs := h.events(n.ID)
	manifest, err := h.DB.Manifest(context.Background(), n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := core.CheckRecord(got, manifest, evs); err != nil {
		t.Fatalf("untouched record: %v", err)
	}
	forged := core.Event{Type: core.EventAcceptanceRejectionExpiry, NoticeID: n.ID, Details: map[string]string{core.DetailLetterStatus: "deposited"}}
	err = core.CheckRecord(got, manifest, append(evs, forged))
	if err == nil || !strings.Contains(err.Error(), "AcceptanceRejectionExpiry") || !strings.Contains(err.Error(), "forbids") {
		t.Fatalf("forged move: %v", err)
	}
}
