package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
)

// TestConsentShortcutFromCompose plays a sender whose letter to a consumer
// is refused for want of consent: the refusal offers to ask, the request
// form comes filled in, the request leaves by mail, and the list follows
// the consumer's answer until the letter goes through.
func TestConsentShortcutFromCompose(t *testing.T) {
	s := appSite(t)
	s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	s.account(t, "audit@acme.example", "ACME", core.RoleAuditor)
	b := s.browser(t)
	b.login("alice@acme.example")

	f := composeFields()
	f["recipient_type"], f["recipient_email"], f["recipient_name"], f["language"] = "consumer", "carole@example.org", "Carole Petit", "en"
	x := want(t, "consumer without consent", b.preview(f, ""), http.StatusUnprocessableEntity)
	m := regexp.MustCompile(`<a id="ask-consent" class="button" href="([^"]+)"`).FindStringSubmatch(x.body)
	if m == nil {
		t.Fatalf("the refusal offers no consent request: %s", x)
	}
	x = want(t, "prefilled form", b.get(html.UnescapeString(m[1])), http.StatusOK)
	checkPage(t, x.body)
	for _, v := range []string{`value="carole@example.org"`, `value="Carole Petit"`, `<option value="en" selected>`} {
		if !strings.Contains(x.body, v) {
			t.Errorf("the consent form lacks %s", v)
		}
	}

	other := composeFields()
	other["subject"] = ""
	if x := b.preview(other, ""); hasID(x.body, "ask-consent") {
		t.Error("another refusal offers a consent request")
	}

	want(t, "form", b.get("/app/consents/new"), http.StatusOK)
	x = want(t, "bad address", b.post("/app/consents", url.Values{"email": {"carole"}, "name": {"Carole Petit"}, "language": {"en"}}), http.StatusUnprocessableEntity)
	checkPage(t, x.body)
	if !strings.Contains(text(x.body), "L’adresse doit être une seule adresse électronique") {
		t.Fatalf("refused address: %s", text(x.body))
	}
	x = want(t, "ask", b.post("/app/consents", url.Values{"email": {"carole@example.org"}, "name": {"Carole Petit"}, "language": {"en"}}), http.StatusSeeOther)
	x = want(t, "list", b.get(x.header.Get("Location")), http.StatusOK)
	checkPage(t, x.body)
	if !hasID(x.body, "consent-requested") || !strings.Contains(x.body, "carole@example.org") || !strings.Contains(x.body, "En attente de réponse") {
		t.Fatalf("consents page: %s", x)
	}
	s.outbox(t)
	mail := s.mail.Last(t, core.MailConsent, "carole@example.org")
	if mail.Language != "en" {
		t.Errorf("consent mail in %q", mail.Language)
	}
	token := strings.TrimPrefix(mail.Link, s.url+"/consent/")
	consumer := s.browser(t)
	want(t, "consent page", consumer.get("/consent/"+token), http.StatusOK)
	want(t, "give", consumer.post("/consent/"+token, url.Values{"action": {"give"}}), http.StatusOK)

	if x := b.get("/app/consents"); !strings.Contains(x.body, "Accepté") || strings.Contains(x.body, "En attente de réponse") {
		t.Fatalf("after consent: %s", x)
	}
	x = want(t, "ask again", b.post("/app/consents", url.Values{"email": {"carole@example.org"}, "name": {"Carole Petit"}, "language": {"en"}}), http.StatusConflict)
	if !strings.Contains(text(x.body), "a déjà donné son consentement") {
		t.Errorf("second request: %s", x)
	}
	if x := b.preview(f, ""); x.status >= 400 || hasID(x.body, "ask-consent") {
		t.Errorf("the letter is refused after consent: %s", x)
	}

	auditor := s.browser(t)
	auditor.login("audit@acme.example")
	want(t, "auditor list", auditor.get("/app/consents"), http.StatusForbidden)
	want(t, "auditor form", auditor.get("/app/consents/new"), http.StatusForbidden)
	want(t, "auditor asks", auditor.post("/app/consents", url.Values{"email": {"x@example.org"}, "language": {"fr"}}), http.StatusForbidden)
}
