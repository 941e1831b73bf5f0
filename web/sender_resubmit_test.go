package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
)

// TestBackAndResubmitSendsOneLetter: the preview redirects to the draft's
// page (no form to post again on Back or reload), a sent draft leads to
// its letter, and composing the same files for the same recipient again
// within a day asks the sender to confirm before a second letter.
func TestBackAndResubmitSendsOneLetter(t *testing.T) {
	s := appSite(t)
	alice, _ := s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	b := s.browser(t)
	b.login("alice@acme.example")
	count := func() int {
		t.Helper()
		p, err := s.svc.Letters.ListNotices(context.Background(), alice, core.NoticeQuery{})
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Notices)
	}
	pdf := upload{"convocation.pdf", "application/pdf", []byte("%PDF-1.4 convocation AG 2026")}

	want(t, "compose", b.get("/app/letters/new"), http.StatusOK)
	body, ctype := composeBody(t, b.csrf, composeFields(), pdf)
	req, _ := http.NewRequest(http.MethodPost, b.abs("/app/letters/preview"), strings.NewReader(string(body)))
	req.Header.Set("Content-Type", ctype)
	x := want(t, "preview", do(t, b.c, req), http.StatusSeeOther)
	draftURL := x.header.Get("Location")
	if !strings.HasPrefix(draftURL, "/app/letters/drafts/") {
		t.Fatalf("the preview redirects to %q, want the draft's page", draftURL)
	}
	page := want(t, "draft page", b.get(draftURL), http.StatusOK)
	if hasID(page.body, "duplicate-warning") {
		t.Error("a first letter is announced as a duplicate")
	}
	draft := draftOf(t, page)
	x = want(t, "send", b.post("/app/letters", url.Values{"draft": {draft}}), http.StatusSeeOther)
	letter := x.header.Get("Location")
	x = want(t, "Back to the draft's page", b.get(draftURL), http.StatusSeeOther)
	if got := x.header.Get("Location"); got != letter {
		t.Errorf("Back after sending leads to %q, want the letter %q", got, letter)
	}
	want(t, "send again", b.post("/app/letters", url.Values{"draft": {draft}}), http.StatusSeeOther)
	if n := count(); n != 1 {
		t.Fatalf("%d letters after Back and resubmit, want 1", n)
	}

	// The form filled again with the same recipient and file.
	page = want(t, "same letter again", b.preview(composeFields(), "", pdf), http.StatusOK)
	if !hasID(page.body, "duplicate-warning") || !strings.Contains(page.body, `href="`+letter+`"`) || !hasID(page.body, "send_anyway") {
		t.Fatalf("no warning linking %s on the draft page: %s", letter, page)
	}
	checkPage(t, page.body)
	x = want(t, "send without confirming", b.post("/app/letters", url.Values{"draft": {draftOf(t, page)}}), http.StatusSeeOther)
	if !strings.HasPrefix(x.header.Get("Location"), "/app/letters/drafts/") || count() != 1 {
		t.Fatalf("an unconfirmed duplicate was sent: %s, %d letters", x, count())
	}
	x = want(t, "send anyway", b.post("/app/letters", url.Values{"draft": {draftOf(t, page)}, "send_anyway": {"1"}}), http.StatusSeeOther)
	if x.header.Get("Location") == letter || count() != 2 {
		t.Fatalf("send anyway: %s, %d letters", x, count())
	}

	other := composeFields()
	other["recipient_email"] = "carol@example.org"
	for name, p := range map[string]exchange{
		"another file":      b.preview(composeFields(), "", upload{"annexe.pdf", "application/pdf", []byte("%PDF-1.4 annexe")}),
		"another recipient": b.preview(other, "", pdf),
	} {
		if want(t, name, p, http.StatusOK); hasID(p.body, "duplicate-warning") {
			t.Errorf("%s: announced as a duplicate", name)
		}
	}
	s.clock.Add(25 * time.Hour)
	b.login("alice@acme.example") // the session ended after 12 hours
	if p := want(t, "a day later", b.preview(composeFields(), "", pdf), http.StatusOK); hasID(p.body, "duplicate-warning") {
		t.Error("a letter of yesterday is still announced as a duplicate")
	}
}
