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

// TestSendingPolicyMetrics: notification outcomes are counted by outcome,
// a late bounce included, and the suspended senders are one gauge.
func TestSendingPolicyMetrics(t *testing.T) {
	s := newOpsSite(t, withService(services.WithLetters(core.WithSendingPolicy(core.SendingPolicy{Window: 100, MinSample: 1, MaxHardRate: 0.08}))))
	key := s.user(t, "Cabinet Dupont", core.RoleSender)
	s.deposit(t, key, letterFields())
	s.outbox(t)
	scrape := func(what string, series ...string) {
		t.Helper()
		x := want(t, what, s.api(t, "GET", "/metrics", "", ""), http.StatusOK)
		for _, line := range series {
			if !strings.Contains(x.body, line+"\n") {
				t.Errorf("%s: metrics lack %s", what, line)
			}
		}
	}
	scrape("after delivery", `lre_notifications_total{outcome="delivered"} 1`, `lre_senders_suspended 0`)

	err := s.svc.Letters.HandleBounce(context.Background(), lretest.ReportFor(s.mail.Last(t, core.MailNotification, "bob@example.net"), "failed", "5.1.1", core.ReasonBadMailbox, true))
	if err != nil {
		t.Fatal(err)
	}
	scrape("after a late bounce", `lre_notifications_total{outcome="delivered"} 1`, `lre_notifications_total{outcome="hard_bounce"} 1`, `lre_senders_suspended 1`)
}
