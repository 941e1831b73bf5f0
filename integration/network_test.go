package integration_test

import (
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
)

// An MX that is down is a temporary failure like any 4xx: the attempt is
// kept with its transcript and the letter is notified once it is back.
func TestConnectionRefusedThenUp(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	w := newWorld(t, addr)
	n := w.deposit(recipientEmail)
	w.rounds(1)
	if got := w.notice(n.ID).Status; got != core.StatusDeposited {
		t.Fatalf("status with the MX down = %s, want deposited", got)
	}
	e := w.entry(n.ID, ntfID(n))
	if len(e.Attempts) != 1 || e.Done || e.InFlight || !e.NotBefore.After(start) {
		t.Fatalf("entry after a refused connection: %d attempts, done %v, in flight %v, not before %s",
			len(e.Attempts), e.Done, e.InFlight, e.NotBefore)
	}
	r := e.Attempts[0].Result
	if r.Class != core.DeliveryTemporary || r.Code != 0 || !strings.Contains(r.Text, "connection refused") || r.Ambiguous {
		t.Errorf("first attempt = %+v, want a temporary, unambiguous connection refusal", *r)
	}
	if !strings.Contains(r.Transcript, "* connect "+addr) {
		t.Errorf("transcript lacks the connection attempt:\n%s", r.Transcript)
	}

	m := startMXOn(t, addr)
	w.rounds(3)
	if got := w.notice(n.ID).Status; got != core.StatusNotified {
		t.Fatalf("status once the MX is up = %s, want notified", got)
	}
	evs := w.events(n.ID)
	if want := []core.EventType{core.EventSubmissionAcceptance, core.EventNotificationForAcceptance}; !slices.Equal(settled(evs), want) {
		t.Fatalf("events = %v, want %v", types(evs), want)
	}
	if d := evs[len(evs)-1].Details; d["attempts"] != "2" || d["ambiguous_retry"] != "" {
		t.Errorf("event attempts=%q ambiguous_retry=%q, want 2 and none", d["attempts"], d["ambiguous_retry"])
	}
	if got := len(m.received()); got != 1 {
		t.Errorf("MX accepted %d messages, want 1", got)
	}
}

// A connection lost during the transaction is retried. Only a loss after
// the end-of-data marker was written can have delivered the first copy,
// and only then does the evidence say the letter may have been notified
// twice (ambiguous_retry).
func TestConnectionLost(t *testing.T) {
	tests := []struct {
		name      string
		stage     string
		drop      error
		data      int  // DATA transactions the MX read
		ambiguous bool // the first attempt must be recorded as ambiguous
		// either: the sender cannot tell. On loopback a notification fits
		// in the socket buffers, so the marker is usually written before
		// the hang-up and the attempt rightly counts as ambiguous; only
		// the event's consistency with the attempt is checked.
		either bool
	}{
		{name: "before DATA", stage: "rcpt", drop: errDropNow, data: 1},
		{name: "mid-DATA", stage: "data", drop: errDropMidData, data: 2, either: true},
		{name: "after the end-of-data marker", stage: "data", drop: errDropAfterData, data: 2, ambiguous: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := startMX(t)
			m.script(tt.stage, tt.drop)
			w := newWorld(t, m.addr)
			n := w.deposit(recipientEmail)
			w.rounds(1)
			if got := w.notice(n.ID).Status; got != core.StatusDeposited {
				t.Fatalf("status after a lost connection = %s, want deposited", got)
			}
			w.rounds(2)

			e := w.entry(n.ID, ntfID(n))
			if len(e.Attempts) != 2 || e.Outcome != "delivered" {
				t.Fatalf("entry: %d attempts, outcome %q; want 2, delivered", len(e.Attempts), e.Outcome)
			}
			first := e.Attempts[0]
			if r := first.Result; r == nil || r.Class != core.DeliveryTemporary || r.Code != 0 {
				t.Fatalf("first attempt result = %+v, want a temporary network failure", r)
			}
			ambiguous := first.Ambiguous
			if !tt.either && ambiguous != tt.ambiguous {
				t.Errorf("first attempt ambiguous = %v, want %v; transcript:\n%s", ambiguous, tt.ambiguous, first.Result.Transcript)
			}
			if ambiguous && !strings.Contains(first.Result.Transcript, "no reply after the end of data") {
				t.Errorf("an ambiguous attempt's transcript does not say why:\n%s", first.Result.Transcript)
			}

			evs := w.events(n.ID)
			if want := []core.EventType{core.EventSubmissionAcceptance, core.EventNotificationForAcceptance}; !slices.Equal(settled(evs), want) {
				t.Fatalf("events = %v, want %v", types(evs), want)
			}
			d := evs[len(evs)-1].Details
			if _, got := d["ambiguous_retry"]; got != ambiguous || d["attempts"] != "2" {
				t.Errorf("event ambiguous_retry=%q attempts=%q; want present=%v, 2", d["ambiguous_retry"], d["attempts"], ambiguous)
			}
			if got := w.notice(n.ID).Status; got != core.StatusNotified {
				t.Errorf("status = %s, want notified", got)
			}
			_, data, accepted := m.stats()
			if len(data) != tt.data || len(accepted) != 1 || dataWith(t, accepted, messageIDOf(ntfID(n))) != 1 {
				t.Errorf("MX read %d DATA and accepted %d messages; want %d and 1 with the entry's Message-ID", len(data), len(accepted), tt.data)
			}
		})
	}
}
