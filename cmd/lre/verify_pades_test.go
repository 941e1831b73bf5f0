package main

import (
	"context"
	"strings"
	"testing"

	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/lretest"
)

// TestVerifyReportsChangeAfterSealing: a visible note added to a sealed
// certificate by an incremental update, leaving every signed byte as it was,
// fails lre verify with the object it added, both alone and in a bundle.
func TestVerifyReportsChangeAfterSealing(t *testing.T) {
	s := newStory(t)
	pdf, err := s.svc.Evidence.CertificatePDF(context.Background(), s.sender, s.notice.ID, core.CertReceipt)
	if err != nil {
		t.Fatal(err)
	}
	out, code := runVerifyCmd(t, writeTemp(t, "receipt.pdf", pdf))
	for _, want := range []string{"certification signature (DocMDP P=1", "document time-stamp 20"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("exit %d, want 0 and %q:\n%s", code, want, out)
		}
	}
	tampered, err := lretest.AppendNote(pdf, "PAID - letter withdrawn")
	if err != nil {
		t.Fatal(err)
	}
	out, code = runVerifyCmd(t, writeTemp(t, "tampered.pdf", tampered))
	if code != 5 || !strings.Contains(out, "bytes were appended after the newest signature") {
		t.Errorf("exit %d, want 5 (signature) naming the appended update:\n%s", code, out)
	}
	// The same note followed by a fresh document time-stamp, as someone with
	// access to any time-stamping authority could add: the revision check,
	// not the byte ranges, must catch it.
	restamped, err := certs.AddDocumentTimestamp(context.Background(), tampered, s.ts)
	if err != nil {
		t.Fatal(err)
	}
	out, code = runVerifyCmd(t, writeTemp(t, "restamped.pdf", restamped))
	if code != 5 || !strings.Contains(out, "modified after sealing") || !strings.Contains(out, "FreeText") {
		t.Errorf("exit %d, want 5 naming the added FreeText annotation:\n%s", code, out)
	}
}
