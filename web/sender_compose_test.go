package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
)

func TestComposePreviewSend(t *testing.T) {
	s := appSite(t)
	s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	b := s.browser(t)
	b.login("alice@acme.example")

	x := want(t, "compose form", b.get("/app/letters/new"), http.StatusOK)
	for _, id := range []string{"recipient_email", "recipient_name", "recipient_type", "subject", "body", "attachments", "knowledge_question", "knowledge_answer", "language", "preview"} {
		if !strings.Contains(x.body, `id="`+id+`"`) {
			t.Errorf("compose form has no #%s", id)
		}
	}
	if !strings.Contains(x.body, "20 fichiers au plus, 25 Mo au total") {
		t.Errorf("compose form does not show the limits:\n%s", x.body)
	}

	contract := bytes.Repeat([]byte("%PDF-1.7 contrat de bail "), 400)
	annex := []byte("Annexe: état des lieux\n")
	fields := composeFields()
	fields["knowledge_question"], fields["knowledge_answer"] = "Votre numéro de client ?", "C-1234"
	x = want(t, "preview", b.preview(fields, "", upload{"contrat.pdf", "application/pdf", contract}, upload{"annexe.txt", "text/plain", annex}), http.StatusOK)
	got := digestsOf(x.body)
	wantDigests := []string{sha256Hex([]byte(fields["body"])), sha256Hex(contract), sha256Hex(annex)}
	if strings.Join(got, " ") != strings.Join(wantDigests, " ") {
		t.Fatalf("preview shows digests %v, want body, contrat.pdf, annexe.txt: %v", got, wantDigests)
	}
	for _, s := range []string{"contrat.pdf", "annexe.txt", "Bob Martin", "bob@example.net", "Mise en demeure de payer", "Votre numéro de client ?", `id="send"`} {
		if !strings.Contains(x.body, s) {
			t.Errorf("preview does not show %q", s)
		}
	}
	if s.logRecords(t) != 0 {
		t.Fatal("a preview deposited something")
	}

	x = want(t, "send", b.post("/app/letters", url.Values{"draft": {draftOf(t, x)}}), http.StatusSeeOther)
	id := strings.TrimPrefix(x.header.Get("Location"), "/app/letters/")
	n, err := s.db.Notice(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if n.Status != core.StatusDeposited || len(n.Documents) != 2 || n.Documents[0].SHA256 != sha256Hex(contract) || n.Knowledge == nil || n.SenderReference != "DOSSIER-42" {
		t.Fatalf("deposited %+v", n)
	}

	s.outbox(t)
	page := want(t, "letter page", b.get("/app/letters/"+id), http.StatusOK)
	for _, s := range []string{id, n.Digest, n.Token.Serial, "Dépôt accepté et horodaté", "SubmissionAcceptance", "NotificationForAcceptance", `class="certificate"`, "/app/letters/" + id + "/certificates/deposit.pdf", sha256Hex(contract)} {
		if !strings.Contains(page.body, s) {
			t.Errorf("letter page does not show %q", s)
		}
	}
	tsr := want(t, "timestamp", b.get("/app/letters/"+id+"/timestamp.tsr"), http.StatusOK)
	if !bytes.Equal([]byte(tsr.body), n.Token.DER) {
		t.Error("the page's timestamp.tsr is not the token")
	}
	want(t, "manifest", b.get("/app/letters/"+id+"/manifest.json"), http.StatusOK)
	if !strings.Contains(page.body, `href="/app/letters/`+id+`/evidence.zip"`) {
		t.Error("letter page does not link the evidence bundle")
	}
	if x := b.get("/app/letters/" + id + "/evidence.zip"); x.status == http.StatusNotFound || x.status == http.StatusSeeOther {
		t.Errorf("evidence bundle with a session: %s", x.header)
	}
}

func TestCertificateDownloadWithSession(t *testing.T) {
	s := appSite(t)
	s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	b := s.browser(t)
	b.login("alice@acme.example")
	id := b.send(composeFields())
	x := b.get("/app/letters/" + id + "/certificates/deposit.pdf")
	// The test server has no certificate renderer: the session reaches the
	// same handler as the API, which says so (503), after the access check.
	if x.status != http.StatusServiceUnavailable && x.status != http.StatusOK {
		t.Fatalf("certificate with a session: %s", x)
	}
	want(t, "unknown kind", b.get("/app/letters/"+id+"/certificates/nope.pdf"), http.StatusNotFound)
	want(t, "no session", s.browser(t).get("/app/letters/"+id+"/certificates/deposit.pdf"), http.StatusSeeOther)
}

func TestDoubleSubmitSendsOneLetter(t *testing.T) {
	s := appSite(t)
	s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	b := s.browser(t)
	b.login("alice@acme.example")
	draft := draftOf(t, want(t, "preview", b.preview(composeFields(), "", upload{"a.pdf", "application/pdf", []byte("%PDF one")}), http.StatusOK))

	var wg sync.WaitGroup
	locs := make([]string, 4)
	for i := range locs {
		wg.Go(func() {
			x := do(t, b.c, formRequest(s.url+"/app/letters", url.Values{"draft": {draft}, "_csrf": {b.csrf}}))
			if x.status != http.StatusSeeOther {
				t.Errorf("click %d: %s", i, x)
			}
			locs[i] = x.header.Get("Location")
		})
	}
	wg.Wait()
	for _, l := range locs[1:] {
		if l != locs[0] {
			t.Fatalf("clicks landed on different letters: %v", locs)
		}
	}
	if n := s.logRecords(t); n != 1 {
		t.Errorf("%d events logged, want one deposit", n)
	}
	x := want(t, "letters", b.get("/app/letters"), http.StatusOK)
	if c := strings.Count(x.body, `<tr class="letter"`); c != 1 {
		t.Errorf("%d letters listed, want 1", c)
	}
}

func TestComposeRefusals(t *testing.T) {
	s := appSiteWith(t, []services.Option{services.WithLetters(core.WithLimits(core.Limits{MaxTotalBytes: 64 << 10, MaxFiles: 3, MaxNameBytes: 40}))})
	s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	b := s.browser(t)
	b.login("alice@acme.example")

	bad := composeFields()
	bad["recipient_email"] = "bob at example"
	x := want(t, "bad email", b.preview(bad, ""), http.StatusUnprocessableEntity)
	if !strings.Contains(x.body, `id="recipient_email" name="recipient_email" type="email" required maxlength="254" autocomplete="off" spellcheck="false" value="bob at example" aria-invalid="true"`) {
		t.Errorf("the refused field is not marked and kept:\n%s", x.body)
	}
	if !strings.Contains(x.body, "Mise en demeure de payer") {
		t.Error("the other fields are lost")
	}

	files := make([]upload, 4)
	for i := range files {
		files[i] = upload{"f.pdf", "application/pdf", []byte("x")}
	}
	x = want(t, "4 files", b.preview(composeFields(), "", files...), http.StatusRequestEntityTooLarge)
	if !strings.Contains(x.body, "La lettre dépasse une limite") || !strings.Contains(x.body, "la limite est de 3") || strings.Contains(x.body, "max_files") || !strings.Contains(x.body, "3 fichiers au plus, 64 ko au total") {
		t.Errorf("too many files: %s", x.body)
	}
	big := bytes.Repeat([]byte("x"), 65<<10)
	x = want(t, "too large", b.preview(composeFields(), "", upload{"big.pdf", "application/pdf", big}), http.StatusRequestEntityTooLarge)
	if !strings.Contains(x.body, "taille maximale de 64 ko") || strings.Contains(x.body, "max_total_size") {
		t.Errorf("too large, not said in French: %s", x.body)
	}
	x = want(t, "long name", b.preview(composeFields(), "", upload{strings.Repeat("n", 41) + ".pdf", "application/pdf", []byte("x")}), http.StatusRequestEntityTooLarge)
	if !strings.Contains(x.body, "la limite est de 40 octets") || strings.Contains(x.body, "max_file_name") {
		t.Errorf("long file name, not said in French: %s", x.body)
	}

	consumer := composeFields()
	consumer["recipient_type"] = "consumer"
	want(t, "consumer without consent", b.preview(consumer, ""), http.StatusUnprocessableEntity)

	want(t, "unknown draft", b.post("/app/letters", url.Values{"draft": {"00112233445566778899aabbccddeeff"}}), http.StatusGone)
	if n := s.logRecords(t); n != 0 {
		t.Errorf("refused letters logged %d events", n)
	}
}

func TestDraftsBelongToTheirSession(t *testing.T) {
	s := appSite(t)
	s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	b := s.browser(t)
	b.login("alice@acme.example")
	draft := draftOf(t, want(t, "preview", b.preview(composeFields(), ""), http.StatusOK))

	other := s.browser(t)
	other.login("alice@acme.example")
	want(t, "letters", other.get("/app/letters"), http.StatusOK)
	want(t, "another session's draft", other.post("/app/letters", url.Values{"draft": {draft}}), http.StatusGone)

	s.clock.Add(16 * time.Minute)
	want(t, "letters", b.get("/app/letters"), http.StatusOK)
	want(t, "expired draft", b.post("/app/letters", url.Values{"draft": {draft}}), http.StatusGone)
	if n := s.logRecords(t); n != 0 {
		t.Errorf("%d events logged", n)
	}
}

func TestAuditorCannotCompose(t *testing.T) {
	s := appSite(t)
	s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	s.account(t, "audit@acme.example", "ACME", core.RoleAuditor)
	sender := s.browser(t)
	sender.login("alice@acme.example")
	draft := draftOf(t, want(t, "preview", sender.preview(composeFields(), ""), http.StatusOK))

	b := s.browser(t)
	b.login("audit@acme.example")
	x := want(t, "letters", b.get("/app/letters"), http.StatusOK)
	if strings.Contains(x.body, "/app/letters/new") {
		t.Error("an auditor is offered to compose")
	}
	want(t, "compose form", b.get("/app/letters/new"), http.StatusForbidden)
	body, ctype := composeBody(t, b.csrf, composeFields())
	req, _ := http.NewRequest(http.MethodPost, s.url+"/app/letters/preview", bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	want(t, "preview", do(t, b.c, req), http.StatusForbidden)
	want(t, "send", b.post("/app/letters", url.Values{"draft": {draft}}), http.StatusForbidden)
	if n := s.logRecords(t); n != 0 {
		t.Errorf("%d events logged", n)
	}
}
