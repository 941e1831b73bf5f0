package core_test

import (
	"context"
	"testing"

	"github.com/lre-project/lre/core"
)

func TestRecipientAddressMustBeMailable(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		addr string
		ok   bool
	}{
		{"bob@example.com", true},
		{"bob.durand+lre@sub.example-mail.fr", true},
		{"bob@xn--bcher-kva.example", true},
		{"bob@-example.net", false},
		{"bob@example-.net", false},
		{"bob@exa_mple.net", false},
		{"bob@[127.0.0.1]", false},
		{"bob@localhost", false},
		{"bob@example..net", false},
		{"bob@.example.net", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			_, _, err := h.svc.Letters.Deposit(context.Background(), core.DepositRequest{Sender: h.sender, RecipientEmail: tt.addr, RecipientName: "Bob", Subject: "S", Body: "B"})
			if tt.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tt.ok && (core.ErrorCode(err) != core.EINVALID) {
				t.Fatalf("err = %v, want invalid recipient_email", err)
			}
		})
	}
}
