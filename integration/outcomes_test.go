package integration_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
)

// The MX's replies decide retry or failure: 4xx (and 552 with a 4.x.x
// enhanced code) is retried with the same message, 5xx ends the
// notification with a reason, and either way exactly one final event.
func TestNotificationOutcomes(t *testing.T) {
	tempData := smtpReply(451, "4.3.0", "Try again later")
	tests := []struct {
		name       string
		stage      string
		replies    []error
		afterFirst core.Status // status after the first round
		wantStatus core.Status
		wantEvent  core.EventType
		wantReason string
		attempts   []string // per attempt: "code enhanced class"
		sessions   int      // connections the MX saw over all rounds
		data       int      // DATA transactions it read
		accepted   int
	}{
		{
			name: "451 twice at DATA then 250", stage: "data", replies: []error{tempData, tempData},
			afterFirst: core.StatusDeposited, wantStatus: core.StatusNotified, wantEvent: core.EventNotificationForAcceptance,
			attempts: []string{"451 4.3.0 temporary", "451 4.3.0 temporary", "250 2.0.0 accepted"},
			sessions: 3, data: 3, accepted: 1,
		},
		{
			name: "550 5.1.1 at RCPT", stage: "rcpt", replies: []error{smtpReply(550, "5.1.1", "<"+recipientEmail+">: User unknown")},
			afterFirst: core.StatusNotificationFail, wantStatus: core.StatusNotificationFail, wantEvent: core.EventNotificationFailure,
			wantReason: core.ReasonBadMailbox, attempts: []string{"550 5.1.1 permanent"}, sessions: 1,
		},
		{
			name: "552 4.2.2 mailbox full at RCPT is temporary", stage: "rcpt", replies: []error{smtpReply(552, "4.2.2", "Mailbox full, try later")},
			afterFirst: core.StatusDeposited, wantStatus: core.StatusNotified, wantEvent: core.EventNotificationForAcceptance,
			attempts: []string{"552 4.2.2 temporary", "250 2.0.0 accepted"}, sessions: 2, data: 1, accepted: 1,
		},
		{
			// A full mailbox is soft (it empties): a 5xx for it is retried.
			name: "552 5.2.2 quota at DATA is retried", stage: "data", replies: []error{smtpReply(552, "5.2.2", "Quota exceeded")},
			afterFirst: core.StatusDeposited, wantStatus: core.StatusNotified, wantEvent: core.EventNotificationForAcceptance,
			attempts: []string{"552 5.2.2 permanent", "250 2.0.0 accepted"}, sessions: 2, data: 2, accepted: 1,
		},
		{
			// A block for the sender's reputation is soft too.
			name: "554 5.7.1 blocklisted at RCPT is retried", stage: "rcpt", replies: []error{smtpReply(554, "5.7.1", "Client host blocked using zen.spamhaus.org")},
			afterFirst: core.StatusDeposited, wantStatus: core.StatusNotified, wantEvent: core.EventNotificationForAcceptance,
			attempts: []string{"554 5.7.1 permanent", "250 2.0.0 accepted"}, sessions: 2, data: 1, accepted: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := startMX(t)
			m.script(tt.stage, tt.replies...)
			w := newWorld(t, m.addr)
			n := w.deposit(recipientEmail)
			w.rounds(1)
			if got := w.notice(n.ID).Status; got != tt.afterFirst {
				t.Fatalf("status after the first attempt = %s, want %s", got, tt.afterFirst)
			}
			w.rounds(len(tt.attempts) + 2) // the extra rounds must send nothing

			got := w.notice(n.ID)
			if got.Status != tt.wantStatus {
				t.Fatalf("status = %s, want %s", got.Status, tt.wantStatus)
			}
			if tt.wantStatus == core.StatusNotificationFail && !got.Deadline.IsZero() {
				t.Errorf("a failed notification set the deadline %s", got.Deadline)
			}
			// Every soft reply is evidence (NotificationDeferred), then the final event.
			evs := w.events(n.ID)
			want := []core.EventType{core.EventSubmissionAcceptance}
			for range tt.attempts[1:] {
				want = append(want, core.EventNotificationDeferred)
			}
			if want = append(want, tt.wantEvent); !slices.Equal(types(evs), want) {
				t.Fatalf("events = %v, want %v", types(evs), want)
			}
			for i, a := range tt.attempts[:len(tt.attempts)-1] {
				if d := evs[1+i].Details; d["reply_code"] != strings.Fields(a)[0] || d["next_attempt"] == "" {
					t.Errorf("deferred event %d: reply_code=%q next_attempt=%q, want %s and the retry time", i+1, d["reply_code"], d["next_attempt"], a)
				}
			}
			d := evs[len(evs)-1].Details
			if d["attempts"] != fmt.Sprint(len(tt.attempts)) || d["reason"] != tt.wantReason {
				t.Errorf("event attempts=%q reason=%q, want %d and %q", d["attempts"], d["reason"], len(tt.attempts), tt.wantReason)
			}
			last := tt.attempts[len(tt.attempts)-1]
			if code := strings.Fields(last)[0]; d["reply_code"] != code || d["remote_host"] != "mx.test" {
				t.Errorf("event reply_code=%q remote_host=%q, want %s from mx.test", d["reply_code"], d["remote_host"], code)
			}
			if tt.wantReason != "" && d["source"] != "smtp" {
				t.Errorf("failure source = %q, want smtp", d["source"])
			}
			checkAttempts(t, w.entry(n.ID, ntfID(n)), tt.attempts)

			sessions, data, accepted := m.stats()
			if sessions != tt.sessions || len(data) != tt.data || len(accepted) != tt.accepted {
				t.Errorf("MX saw %d sessions, %d DATA, %d accepted; want %d, %d, %d",
					sessions, len(data), len(accepted), tt.sessions, tt.data, tt.accepted)
			}
			for _, dd := range data {
				if id := readMessage(t, dd.Data).messageID(); id != messageIDOf(ntfID(n)) {
					t.Errorf("a retry changed the Message-ID to %q", id)
				}
			}
		})
	}
}

// checkAttempts compares the stored attempts with want ("code enhanced
// class" each) and checks every transcript shows the reply it recorded.
func checkAttempts(t *testing.T, e core.OutboxEntry, want []string) {
	t.Helper()
	var got []string
	for i, a := range e.Attempts {
		if a.Result == nil {
			t.Fatalf("attempt %d has no result", i+1)
		}
		r := a.Result
		got = append(got, fmt.Sprintf("%d %s %s", r.Code, r.Enhanced, r.Class))
		if line := fmt.Sprintf("S: %d %s", r.Code, r.Enhanced); r.Code != 0 && !strings.Contains(r.Transcript, line) {
			t.Errorf("attempt %d transcript lacks %q:\n%s", i+1, line, r.Transcript)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("attempts = %q, want %q", got, want)
	}
	if !e.Done || e.InFlight {
		t.Errorf("entry done=%v in flight=%v after its final attempt", e.Done, e.InFlight)
	}
}
