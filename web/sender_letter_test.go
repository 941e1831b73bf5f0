package web_test

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/lre-project/lre/core"
)

// textOf is the text of the element with id, white space collapsed.
func textOf(body, id string) string {
	var b strings.Builder
	walk(body, func(n *html.Node) {
		if n.Type != html.ElementNode || attr(n, "id") != id {
			return
		}
		var rec func(*html.Node)
		rec = func(n *html.Node) {
			if n.Type == html.TextNode {
				b.WriteString(n.Data + " ")
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				rec(c)
			}
		}
		rec(n)
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

// inOrder fails unless each marker appears in body after the one before.
func inOrder(t *testing.T, what, body string, markers ...string) {
	t.Helper()
	at := -1
	for _, m := range markers {
		i := strings.Index(body, m)
		if i < 0 {
			t.Errorf("%s: no %s", what, m)
			return
		}
		if i < at {
			t.Errorf("%s: %s comes before %s", what, m, markers[slices.Index(markers, m)-1])
		}
		at = i
	}
}

var (
	snakeCase = regexp.MustCompile(`\b[a-z]+(_[a-z]+)+\b`)
	camelCase = regexp.MustCompile(`\b[A-Z][a-z]+[A-Z][A-Za-z]*\b`)
)

// TestLetterPageLeadsWithWhatHappensNext follows one letter from its
// notification to the recipient's downloads: the sender's page leads with
// the status, what happens next (with the deadline, then the answer's
// time) and the proofs; then the timeline in words, naming each document
// handed over, with no event or field name of the log; then the technical
// details.
func TestLetterPageLeadsWithWhatHappensNext(t *testing.T) {
	s := appSite(t)
	_, key := s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	contract := upload{"contrat-de-bail.pdf", "application/pdf", []byte("%PDF-1.4 contrat")}
	id, m := s.notified(t, key, letterFields(), contract)
	n, err := s.db.Notice(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	sender := s.browser(t)
	sender.login("alice@acme.example")
	page := "/app/letters/" + id

	x := want(t, "letter page", sender.get(page), http.StatusOK)
	inOrder(t, "notified", x.body, `id="letter-status"`, `id="letter-next"`, `id="certificates"`, `id="timeline"`, `id="technical"`, `id="deposit-digest"`, `id="timestamp"`, `id="records"`)
	if got, wantText := textOf(x.body, "letter-next"), "jusqu’au "+frenchDate(n.Deadline.In(core.DefaultDeadlineLocation()))+", heure de Paris pour accepter ou refuser"; !strings.Contains(got, wantText) {
		t.Errorf("what happens next reads %q, want %q", got, wantText)
	}
	if got := textOf(x.body, "letter-status"); got != "avis envoyé" {
		t.Errorf("status %q", got)
	}

	recipient := s.browser(t)
	token := recipient.identify(m.Link, "")
	want(t, "accept", recipient.decide(token, "accept"), http.StatusSeeOther)
	letter := want(t, "recipient letter", recipient.get("/r/"+token+"/letter"), http.StatusOK)
	docs := 0
	for _, href := range links(letter.body) {
		if strings.Contains(href, "/documents/") {
			want(t, "download "+href, recipient.get(href), http.StatusOK)
			docs++
		}
	}
	if docs != 2 {
		t.Fatalf("the recipient's letter page links %d documents, want the text and the contract", docs)
	}
	if n, err = s.db.Notice(context.Background(), id); err != nil {
		t.Fatal(err)
	}

	for _, lang := range []string{"fr", "en"} {
		x := want(t, lang+" letter page", sender.get(page+"?lang="+lang), http.StatusOK)
		inOrder(t, lang+" accepted", x.body, `id="letter-status"`, `id="letter-next"`, `id="certificate-receipt"`, `id="timeline"`, `id="technical"`, `id="deposit-digest"`, `id="records"`)
		timeline := textOf(x.body, "timeline")
		handed := map[string][]string{
			"fr": {"Document « contrat-de-bail.pdf » remis au destinataire", "Texte de la lettre remis au destinataire", "Lettre acceptée par le destinataire"},
			"en": {"Document “contrat-de-bail.pdf” handed over to the recipient", "Text of the letter handed over to the recipient", "Letter accepted by the recipient"},
		}[lang]
		for _, w := range handed {
			if !strings.Contains(timeline, w) {
				t.Errorf("%s timeline lacks %q:\n%s", lang, w, timeline)
			}
		}
		for _, generic := range []string{"Contenu remis au destinataire", "Content handed over to the recipient"} {
			if strings.Contains(timeline, generic) {
				t.Errorf("%s timeline says %q instead of naming the document", lang, generic)
			}
		}
		if w := snakeCase.FindString(timeline + textOf(x.body, "letter-summary")); w != "" {
			t.Errorf("%s: the timeline or summary shows the field name %q", lang, w)
		}
		if w := camelCase.FindString(timeline + textOf(x.body, "letter-summary")); w != "" {
			t.Errorf("%s: the timeline or summary shows the event name %q", lang, w)
		}
		next := textOf(x.body, "letter-next")
		when := map[string]string{"fr": "le " + frenchDate(n.DecidedAt.In(core.DefaultDeadlineLocation())), "en": "Paris time"}[lang]
		if !strings.Contains(next, when) {
			t.Errorf("%s what happens next after acceptance reads %q, want %q", lang, next, when)
		}
		tech := textOf(x.body, "technical")
		for _, w := range []string{n.Digest, n.Token.Serial, string(core.EventContentHandover), n.Body.SHA256, n.Documents[0].SHA256} {
			if !strings.Contains(tech, w) {
				t.Errorf("%s technical details lack %q", lang, w)
			}
		}
	}
}

// TestLetterPagePrints: the sender's stylesheet has a print style that
// drops the navigation, the buttons and the forms and writes each link's
// address after it.
func TestLetterPagePrints(t *testing.T) {
	var hidden, expanded, printOnly bool
	for _, r := range stylesheets(t) {
		if r.media != "print" {
			continue
		}
		sels := strings.Split(r.selector, ",")
		for i := range sels {
			sels[i] = strings.TrimSpace(sels[i])
		}
		has := func(s string) bool { return slices.Contains(sels, s) }
		if r.decls["display"] == "none" && has("nav.app") && has("button") && has("form") {
			hidden = true
		}
		if strings.Contains(r.selector, "a[href]::after") && strings.Contains(r.decls["content"], "attr(href)") {
			expanded = true
		}
		if has(".print-only") && r.decls["display"] == "block" {
			printOnly = true
		}
	}
	if !hidden || !expanded || !printOnly {
		t.Errorf("print style: navigation, buttons and forms hidden %v, links expanded %v, page address shown %v", hidden, expanded, printOnly)
	}
	s := appSite(t)
	_, key := s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	id, _ := s.notified(t, key, letterFields())
	b := s.browser(t)
	b.login("alice@acme.example")
	x := want(t, "letter page", b.get("/app/letters/"+id), http.StatusOK)
	if got := textOf(x.body, "printed-from"); !strings.HasSuffix(got, s.url+"/app/letters/"+id) {
		t.Errorf("the printed page names %q, want its address", got)
	}
}
