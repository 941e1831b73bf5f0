package core_test

import (
	"context"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
)

// Secrets stored before link tokens and codes were keyed by their letter
// (under their bare hash) still open the letter and still answer the
// public check; a wrong code still answers nothing.
func TestOlderLinkTokensAndCodesStillResolve(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	n := h.deposit()
	const token, code = "olderlinktokenmadebeforelettersecretkeysforthistest1", "K7QM-4ZPA"
	verify := core.HashSecret("verify:" + n.ID + ":" + strings.ReplaceAll(code, "-", ""))
	if _, err := h.db.UpdateNotice(ctx, n.ID, func(*core.Notice) (core.Change, error) {
		return core.Change{Secrets: []core.Secret{
			{Hash: core.HashSecret(token), Purpose: core.PurposeLink, NoticeID: n.ID},
			{Hash: verify, Purpose: core.PurposeVerify, NoticeID: n.ID},
		}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	v, err := h.svc.Letters.OpenLink(ctx, token, core.Access{})
	if err != nil || v.NoticeID != n.ID {
		t.Fatalf("an older link token: %+v, %v", v, err)
	}
	c, err := h.svc.Letters.CheckNotification(ctx, strings.ToLower(n.ID), "k7qm4zpa")
	if err != nil || c.NoticeID != n.ID {
		t.Fatalf("an older verification code: %+v, %v", c, err)
	}
	if _, err := h.svc.Letters.CheckNotification(ctx, n.ID, "K7QM-4ZPB"); core.ErrorCode(err) != core.ENOTFOUND {
		t.Fatalf("a wrong code: %v, want ENOTFOUND", err)
	}
}
