package integration_test

import (
	"context"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
)

const unknownRecipient = "nobody@destinataire.example"

// Hard bounces seen at the MX count against the sender that caused them:
// above the rate, and with enough notifications to judge, the sender's
// next deposit is refused with a message that names the rate, while other
// senders go on.
func TestSendingPolicySuspendsOnHardBounces(t *testing.T) {
	tests := []struct {
		name      string
		good      int // notifications the MX accepts
		bad       int // refused with 550 5.1.1
		want      core.SenderRates
		refusedAs string // part of the refusal message; "" when the deposit passes
	}{
		{
			name: "1 hard bounce in 4 is below the minimum sample", good: 3, bad: 1,
			want: core.SenderRates{Notifications: 4, Delivered: 3, HardBounces: 1, HardRate: 0.25, MailsToday: 4},
		},
		{
			name: "1 hard bounce in 5 suspends", good: 4, bad: 1,
			want:      core.SenderRates{Notifications: 5, Delivered: 4, HardBounces: 1, HardRate: 0.2, MailsToday: 5, Suspended: true, SuspendedFor: "bounces"},
			refusedAs: "20.0% of your last 5 notifications bounced (limit 8%)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := startMX(t)
			m.refuseRcpt(unknownRecipient, smtpReply(550, "5.1.1", "User unknown"))
			w := newWorld(t, m.addr, services.WithLetters(core.WithSendingPolicy(core.SendingPolicy{Window: 100, MinSample: 5, MaxHardRate: 0.08})))
			for range tt.good {
				w.deposit(recipientEmail)
			}
			for range tt.bad {
				w.deposit(unknownRecipient)
			}
			w.rounds(2)

			rates, err := w.svc.Letters.SenderRates(context.Background(), w.alice.ID)
			if err != nil {
				t.Fatal(err)
			}
			if rates != tt.want {
				t.Errorf("SenderRates = %+v, want %+v", rates, tt.want)
			}
			_, err = w.tryDeposit(recipientEmail)
			switch {
			case tt.refusedAs == "" && err != nil:
				t.Fatalf("deposit refused: %v", err)
			case tt.refusedAs != "" && core.ErrorCode(err) != core.EREFUSED:
				t.Fatalf("deposit error = %v, want code %s", err, core.EREFUSED)
			case tt.refusedAs != "" && !strings.Contains(core.ErrorMessage(err), tt.refusedAs):
				t.Errorf("refusal message %q does not say %q", core.ErrorMessage(err), tt.refusedAs)
			}

			other, _, err := w.svc.Accounts.AddUser(context.Background(), "carol@autre-cabinet.example", "Carol", "Autre cabinet", core.RoleSender)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := w.svc.Letters.Deposit(context.Background(), core.DepositRequest{Sender: other, RecipientEmail: recipientEmail,
				RecipientName: "Bob Durand", Subject: "Convocation", Body: "Madame, Monsieur,"}); err != nil {
				t.Errorf("another sender's deposit: %v", err)
			}
		})
	}
}

// A DSN after the MX accepted the notification turns that notification
// into a hard bounce; it is still one notification. With 1 late bounce in
// 12 notifications the rate is 8.3%, above the 8% limit.
func TestSendingPolicyCountsLateDSNOnce(t *testing.T) {
	m := startMX(t)
	w := newWorld(t, m.addr, services.WithLetters(core.WithSendingPolicy(core.SendingPolicy{Window: 100, MinSample: 5, MaxHardRate: 0.08})))
	for range 12 {
		w.deposit(recipientEmail)
	}
	w.rounds(1)
	b := startBounceServer(t, w)
	sent := m.received()[0]
	if err := sendDSN(t, b.addr, sent.From, postfixDSN(t, sent)); err != nil {
		t.Fatalf("DSN refused: %v", err)
	}
	rates, err := w.svc.Letters.SenderRates(context.Background(), w.alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rates.HardBounces != 1 {
		t.Fatalf("SenderRates = %+v, want 1 hard bounce", rates)
	}
	if rates.Notifications != 12 || rates.Delivered != 11 || !rates.Suspended {
		t.Fatalf("a DSN after a 250 adds a hard_bounce outcome without withdrawing the delivered one "+
			"(core.Service.HandleBounce records a new SenderOutcome): for 12 notifications of which 1 bounced late, SenderRates "+
			"reports %d notifications, %d delivered, rate %.4f, suspended %v (want 12, 11, 0.0833 > 0.08, suspended)",
			rates.Notifications, rates.Delivered, rates.HardRate, rates.Suspended)
	}
	if _, err := w.tryDeposit(recipientEmail); core.ErrorCode(err) != core.EREFUSED {
		t.Errorf("deposit after the suspension: %v, want %s", err, core.EREFUSED)
	}
}
