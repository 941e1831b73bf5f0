package integration_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
)

// Reminders leave on days 7 and 12 at 09:00 Paris time while the letter
// waits for an answer, and not at all once the recipient has answered. The
// answer goes through the real recipient flow: the link of the mail the MX
// received, a one-time code sent through the MX too, the decision.
func TestReminders(t *testing.T) {
	day7 := time.Date(2026, 11, 30, 9, 0, 0, 0, paris)
	day12 := time.Date(2026, 12, 5, 9, 0, 0, 0, paris)
	tests := []struct {
		name       string
		decide     func(w *world, m *mx, token string) // nil: no answer
		wantStatus core.Status
		reminders  int
	}{
		{name: "no answer", wantStatus: core.StatusNotified, reminders: 2},
		{name: "accepted on day 2", decide: answer(true), wantStatus: core.StatusAccepted},
		{name: "refused on day 2", decide: answer(false), wantStatus: core.StatusRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := startMX(t)
			w := newWorld(t, m.addr)
			n := w.deposit(recipientEmail)
			w.process()
			notification := readMessage(t, m.received()[0].Data)
			token := notification.linkToken(t)
			if tt.decide != nil {
				w.clock.Add(24 * time.Hour)
				tt.decide(w, m, token)
			}
			before := len(m.received())

			w.clock.Set(day7.Add(-time.Minute))
			if w.process(); len(m.received()) != before {
				t.Fatalf("a reminder left before day 7 09:00 Paris")
			}
			w.clock.Set(day7)
			w.process()
			w.clock.Set(day12)
			w.process()
			w.clock.Set(day12.Add(24 * time.Hour))
			w.process()

			got := m.received()[before:]
			if len(got) != tt.reminders {
				t.Fatalf("MX received %d reminders, want %d", len(got), tt.reminders)
			}
			evs := w.events(n.ID)
			sent := ofType(evs, core.EventReminderSent)
			if len(sent) != tt.reminders {
				t.Fatalf("events = %v, want %d ReminderSent", types(evs), tt.reminders)
			}
			for i, ev := range sent {
				if at := []time.Time{day7, day12}[i]; !ev.Time.Equal(at) {
					t.Errorf("reminder %d sent at %s, want %s", i+1, ev.Time, at.UTC())
				}
				checkReminder(t, n, i, ev, got[i], notification)
			}
			if got := w.notice(n.ID).Status; got != tt.wantStatus {
				t.Errorf("status = %s, want %s", got, tt.wantStatus)
			}
			for _, id := range []string{"rem1-", "rem2-"} {
				e := w.entry(n.ID, id+strings.ToLower(n.ID))
				if want := map[bool]string{true: "delivered", false: "skipped"}[tt.reminders > 0]; e.Outcome != want || e.Mail.Link != "" || e.Mail.Code != "" {
					t.Errorf("entry %s: outcome %q, link %q, code %q; want %s with the secrets scrubbed", e.ID, e.Outcome, e.Mail.Link, e.Mail.Code, want)
				}
			}
		})
	}
}

// answer identifies the recipient with a one-time code delivered through
// the MX, then accepts or refuses.
func answer(accept bool) func(w *world, m *mx, token string) {
	return func(w *world, m *mx, token string) {
		w.t.Helper()
		ctx, a := context.Background(), core.Access{IP: "192.0.2.7", UserAgent: "integration"}
		if err := w.svc.Letters.RequestCode(ctx, token, a); err != nil {
			w.t.Fatal(err)
		}
		w.process()
		all := m.received()
		otp := readMessage(w.t, all[len(all)-1].Data)
		checkNothingOfTheLetter(w.t, all[len(all)-1].Data, otp)
		sub := otpRe.FindStringSubmatch(otp.Text)
		if sub == nil {
			w.t.Fatalf("no one-time code in the mail:\n%s", otp.Text)
		}
		session, err := w.svc.Letters.VerifyCode(ctx, token, sub[1], "", a)
		if err != nil {
			w.t.Fatal(err)
		}
		if _, err := w.svc.Letters.Decide(ctx, token, session, accept, a); err != nil {
			w.t.Fatal(err)
		}
	}
}

func checkReminder(t *testing.T, n core.Notice, i int, ev core.Event, d delivery, notification message) {
	t.Helper()
	id := []string{"rem1-", "rem2-"}[i] + strings.ToLower(n.ID)
	if ev.Details["message_id"] != id || ev.Details["reply_code"] != "250" || ev.Details["remote_host"] != "mx.test" {
		t.Errorf("ReminderSent %d details = %v", i+1, ev.Details)
	}
	msg := readMessage(t, d.Data)
	if msg.messageID() != messageIDOf(id) || !strings.HasPrefix(msg.Subject, "Rappel") {
		t.Errorf("reminder %d: Message-ID %q, subject %q", i+1, msg.messageID(), msg.Subject)
	}
	checkNothingOfTheLetter(t, d.Data, msg)
	if msg.linkToken(t) != notification.linkToken(t) {
		t.Errorf("reminder %d links to another token than the notification", i+1)
	}
}
