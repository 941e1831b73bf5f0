package integration_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
)

// The deposit queues its notification in its own transaction, so a
// process that stops before the worker ran loses nothing: the next
// process sends it exactly once.
func TestRestartBetweenQueueingAndSending(t *testing.T) {
	m := startMX(t)
	w := newWorld(t, m.addr)
	n := w.deposit(recipientEmail)
	if e := w.entry(n.ID, ntfID(n)); e.Done || e.InFlight || len(e.Attempts) != 0 || e.Mail.Link == "" {
		t.Fatalf("queued entry: done %v, in flight %v, %d attempts, link %q", e.Done, e.InFlight, len(e.Attempts), e.Mail.Link)
	}

	w.restart()
	if got := w.process(); got != 1 {
		t.Fatalf("after restart ProcessOutbox attempted %d entries, want 1", got)
	}
	w.rounds(3)
	w.restart()
	w.rounds(2)

	sessions, _, accepted := m.stats()
	if sessions != 1 || len(accepted) != 1 || dataWith(t, accepted, messageIDOf(ntfID(n))) != 1 {
		t.Fatalf("MX saw %d sessions and accepted %d messages; want the notification once", sessions, len(accepted))
	}
	evs := w.events(n.ID)
	if want := []core.EventType{core.EventSubmissionAcceptance, core.EventNotificationForAcceptance}; !slices.Equal(settled(evs), want) {
		t.Fatalf("events = %v, want %v", types(evs), want)
	}
	if d := evs[1].Details; d["attempts"] != "1" || d["ambiguous_retry"] != "" {
		t.Errorf("event attempts=%q ambiguous_retry=%q, want 1 and none", d["attempts"], d["ambiguous_retry"])
	}
	if got := w.notice(n.ID).Status; got != core.StatusNotified {
		t.Errorf("status = %s, want notified", got)
	}
}

// When the process stops while the MX holds the whole message but has not
// answered, the message may have been delivered. It is sent again with the
// same Message-ID (so the recipient's client can tell the copies apart from
// two letters) and the evidence says so.
func TestStopDuringSendResendsSameMessage(t *testing.T) {
	tests := []struct {
		name  string
		crash bool // the store closes before the result is written, as on a kill
	}{
		{name: "graceful shutdown cancels the send"},
		{name: "crash before the result is written", crash: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := startMX(t)
			m.script("data", errHang)
			w := newWorld(t, m.addr)
			n := w.deposit(recipientEmail)

			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { _, err := w.svc.Letters.ProcessOutbox(ctx); done <- err }()
			<-m.hung
			if tt.crash {
				if err := w.db.Close(); err != nil {
					t.Fatal(err)
				}
			}
			cancel()
			if err := <-done; tt.crash && err == nil {
				t.Fatal("ProcessOutbox recorded a result in a closed store")
			}
			if tt.crash {
				w.open()
			} else {
				w.restart()
			}
			w.clock.Add(2 * time.Hour)
			w.rounds(2)

			e := w.entry(n.ID, ntfID(n))
			if len(e.Attempts) != 2 || !e.Attempts[0].Ambiguous || e.Outcome != "delivered" {
				t.Fatalf("entry: %d attempts, first ambiguous %v, outcome %q; want 2, true, delivered",
					len(e.Attempts), len(e.Attempts) > 0 && e.Attempts[0].Ambiguous, e.Outcome)
			}
			if first := e.Attempts[0].Result; tt.crash != (first == nil) {
				t.Errorf("first attempt result = %+v; a crash leaves none, a shutdown records one", first)
			}
			evs := w.events(n.ID)
			final := ofType(evs, core.EventNotificationForAcceptance)
			if types(evs)[0] != core.EventSubmissionAcceptance || len(final) != 1 || types(evs)[len(evs)-1] != core.EventNotificationForAcceptance {
				t.Fatalf("events = %v, want the deposit, the recorded replies, one acceptance", types(evs))
			}
			if d := final[0].Details; d["ambiguous_retry"] == "" || d["attempts"] != "2" {
				t.Errorf("event ambiguous_retry=%q attempts=%q; want it said, 2", d["ambiguous_retry"], d["attempts"])
			}
			if got := dataWith(t, m.received(), messageIDOf(ntfID(n))); got != 2 {
				t.Errorf("MX holds %d copies with the entry's Message-ID, want 2", got)
			}
		})
	}
}
