package core_test

import (
	"context"
	"testing"

	"github.com/lre-project/lre/core"
)

// Who may send is one rule: every entry point that sends (a deposit, its
// check before confirmation, a consent request) answers as User.MaySend.
func TestWhoMaySend(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for _, tc := range []struct {
		role core.Role
		may  bool
	}{{core.RoleSender, true}, {core.RoleAdmin, true}, {core.RoleAuditor, false}, {"", false}} {
		t.Run(string(tc.role), func(t *testing.T) {
			u := core.User{ID: "usr-" + string(tc.role), Email: "x@example.org", Name: "X", Role: tc.role}
			if u.MaySend() != tc.may {
				t.Fatalf("MaySend = %v, want %v", u.MaySend(), tc.may)
			}
			want := ""
			if !tc.may {
				want = core.EFORBIDDEN
			}
			req := core.DepositRequest{Sender: u, RecipientEmail: "bob@example.com", RecipientName: "Bob Durand", Subject: "Objet", Body: "Texte"}
			if err := core.CheckSender(u); codeOf(err) != want {
				t.Errorf("CheckSender: %v, want %q", err, want)
			}
			if err := h.svc.Letters.CheckDeposit(ctx, req); codeOf(err) != want {
				t.Errorf("CheckDeposit: %v, want %q", err, want)
			}
			if _, _, err := h.svc.Letters.Deposit(ctx, req); codeOf(err) != want {
				t.Errorf("Deposit: %v, want %q", err, want)
			}
			if _, err := h.svc.Letters.RequestConsent(ctx, u, "carol@example.com", "Carol", "fr"); codeOf(err) != want {
				t.Errorf("RequestConsent: %v, want %q", err, want)
			}
		})
	}
}

func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return core.ErrorCode(err)
}
