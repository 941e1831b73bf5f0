package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/internal/lretest"
)

// TestSenderRatesPageAndAPI: after a bound hard bounce, the sender's
// letters page and GET /api/v1/senders/me/rates show the same figures and
// the suspension, in the user's language.
func TestSenderRatesPageAndAPI(t *testing.T) {
	s := appSiteWith(t, []services.Option{services.WithLetters(core.WithSendingPolicy(core.SendingPolicy{Window: 100, MinSample: 1}))})
	_, key := s.account(t, "alice@acme.example", "Acme", core.RoleSender)
	s.deposit(t, key, letterFields())
	s.outbox(t)
	sent := s.mail.Last(t, core.MailNotification, "bob@example.net")
	if err := s.svc.Letters.HandleBounce(context.Background(), lretest.ReportFor(sent, "failed", "5.1.1", core.ReasonBadMailbox, true)); err != nil {
		t.Fatal(err)
	}
	var r core.SenderRates
	decode(t, want(t, "rates", s.api(t, key, http.MethodGet, "/api/v1/senders/me/rates", nil), http.StatusOK), &r)
	if r.Notifications != 1 || r.HardBounces != 1 || !r.Suspended || r.SuspendedFor != "bounces" {
		t.Fatalf("rates %+v", r)
	}
	b := s.browser(t)
	b.login("alice@acme.example")
	page := want(t, "letters", b.get("/app/letters"), http.StatusOK).body
	for _, frag := range []string{`id="sender-rates"`, `id="rates-hard">100.0 % (1)`, `id="rates-suspended"`, "Vos envois sont suspendus"} {
		if !strings.Contains(page, frag) {
			t.Errorf("letters page lacks %q", frag)
		}
	}
}
