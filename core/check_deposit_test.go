package core_test

import (
	"context"
	"errors"
	"testing"

	"github.com/lre-project/lre/core"
)

// CheckDeposit answers what Deposit answers for the same request (same
// code, field and message), and stores nothing: a confirmation page never
// shows a letter the deposit would refuse, nor refuses one it would take.
func TestCheckDepositAgreesWithDeposit(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	base := func() core.DepositRequest {
		return core.DepositRequest{Sender: h.sender, RecipientEmail: "bob@example.com", RecipientName: "Bob Durand", Subject: "Objet", Body: "Texte"}
	}
	auditor := h.sender
	auditor.Role = core.RoleAuditor
	cases := map[string]func(*core.DepositRequest){
		"valid":                func(*core.DepositRequest) {},
		"auditor":              func(r *core.DepositRequest) { r.Sender = auditor },
		"bad key":              func(r *core.DepositRequest) { r.IdempotencyKey = "a b" },
		"bad email":            func(r *core.DepositRequest) { r.RecipientEmail = "bob" },
		"no subject":           func(r *core.DepositRequest) { r.Subject = "" },
		"unknown language":     func(r *core.DepositRequest) { r.Language = "de" },
		"question, no answer":  func(r *core.DepositRequest) { r.KnowledgeQuestion = "Votre numéro de client ?" },
		"consumer, no consent": func(r *core.DepositRequest) { r.RecipientType = core.RecipientConsumer },
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			req := base()
			change(&req)
			before := count(t, h)
			checkErr := h.svc.Letters.CheckDeposit(ctx, req)
			if after := count(t, h); after != before {
				t.Fatalf("CheckDeposit stored %d letters", after-before)
			}
			_, _, depErr := h.svc.Letters.Deposit(ctx, req)
			if (checkErr == nil) != (name == "valid") {
				t.Fatalf("CheckDeposit: %v", checkErr)
			}
			if got, want := describe(checkErr), describe(depErr); got != want {
				t.Fatalf("CheckDeposit says %s, Deposit %s", got, want)
			}
		})
	}
}

func describe(err error) string {
	var e *core.Error
	if err == nil || !errors.As(err, &e) {
		return "<nil>"
	}
	return e.Code + " " + e.Field + ": " + e.Message
}

func count(t *testing.T, h *harness) int {
	t.Helper()
	p, err := h.DB.ListNotices(context.Background(), core.NoticeScope{SenderUserID: h.sender.ID}, core.NoticeQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return len(p.Notices)
}
