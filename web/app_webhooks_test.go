package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
)

// TestWebhooksPage plays an admin adding a webhook (its secret shown
// once), reading its deliveries and replaying one; the receiver checks
// every signature with the secret the page showed.
func TestWebhooksPage(t *testing.T) {
	s := newOpsSite(t, withPrivateHooks())
	s.account(t, "alice@acme.example", "ACME", core.RoleAdmin)
	s.account(t, "bob@acme.example", "ACME", core.RoleSender)
	sender := s.user(t, "ACME", core.RoleSender)
	r := newHookReceiver(t)
	b := s.browser(t)
	b.login("alice@acme.example")

	x := want(t, "webhooks", b.get("/app/webhooks"), http.StatusOK)
	checkPage(t, x.body)
	if !hasID(x.body, "nav-webhooks") || !hasID(x.body, "no-webhooks") {
		t.Fatalf("webhooks page: %s", x)
	}
	x = want(t, "bad url", b.post("/app/webhooks", url.Values{"url": {"ftp://example.org/hook"}}), http.StatusUnprocessableEntity)
	checkPage(t, x.body)
	if !strings.Contains(text(x.body), "L’adresse doit être une URL complète en http ou https") || !strings.Contains(x.body, `value="ftp://example.org/hook"`) {
		t.Fatalf("refused url: %s", text(x.body))
	}

	x = want(t, "add", b.post("/app/webhooks", url.Values{"url": {r.srv.URL + "/lre"}}), http.StatusSeeOther)
	x = want(t, "added", b.get(x.header.Get("Location")), http.StatusOK)
	checkPage(t, x.body)
	secret := shownSecret(x.body)
	if !strings.HasPrefix(secret, "whsec_") || x.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("secret not shown once: %s", x)
	}
	r.setSecret(secret)
	x = want(t, "again", b.get("/app/webhooks"), http.StatusOK)
	if strings.Contains(x.body, secret) {
		t.Fatal("the secret is shown twice")
	}
	m := regexp.MustCompile(`href="/app/webhooks/(whk_[^"]+)"`).FindStringSubmatch(x.body)
	if m == nil {
		t.Fatalf("no link to the webhook: %s", x)
	}
	hook := "/app/webhooks/" + m[1]

	x = want(t, "unknown event", b.post("/app/webhooks", url.Values{"url": {r.srv.URL + "/x"}, "events": {"Everything"}}), http.StatusUnprocessableEntity)
	if !strings.Contains(text(x.body), "Type d’événement inconnu") {
		t.Fatalf("unknown event: %s", text(x.body))
	}
	only := newHookReceiver(t)
	x = want(t, "add for refusals", b.post("/app/webhooks", url.Values{"url": {only.srv.URL + "/refusals"}, "events": {"ConsignmentRejection"}}), http.StatusSeeOther)
	x = want(t, "added for refusals", b.get(x.header.Get("Location")), http.StatusOK)
	only.setSecret(shownSecret(x.body))
	if !strings.Contains(x.body, "<li>Lettre refusée") {
		t.Errorf("the list does not name the chosen event: %s", x)
	}

	id := s.deposit(t, sender, letterFields())
	s.deliverHooks(t)
	if n := len(only.received()); n != 0 {
		t.Errorf("the refusals webhook got %d deliveries of a deposit", n)
	}
	x = want(t, "deliveries", b.get(hook), http.StatusOK)
	checkPage(t, x.body)
	d := regexp.MustCompile(`action="` + hook + `/deliveries/([^/"]+)/replay"`).FindStringSubmatch(x.body)
	if d == nil || !strings.Contains(x.body, id) || !strings.Contains(x.body, "livrée") || !strings.Contains(x.body, "HTTP 200") {
		t.Fatalf("deliveries page: %s", x)
	}
	if len(r.received()) != 1 {
		t.Fatalf("receiver got %d deliveries", len(r.received()))
	}

	x = want(t, "replay", b.post(hook+"/deliveries/"+d[1]+"/replay", nil), http.StatusSeeOther)
	x = want(t, "replayed", b.get(x.header.Get("Location")), http.StatusOK)
	if !hasID(x.body, "replayed") || !strings.Contains(x.body, "en attente") {
		t.Fatalf("after replay: %s", x)
	}
	s.deliverHooks(t)
	got := r.received()
	if len(got) != 2 || got[0]["seq"] != got[1]["seq"] {
		t.Fatalf("receiver got %v, want the same event twice", got)
	}
	s.outbox(t)
	nm := s.mail.Last(t, core.MailNotification, "bob@example.net")
	recipient := s.browser(t)
	if x := recipient.decide(recipient.identify(nm.Link, ""), "refuse"); x.status >= 400 {
		t.Fatalf("refuse: %s", x)
	}
	s.deliverHooks(t)
	if got := only.received(); len(got) != 1 || got[0]["type"] != "ConsignmentRejection" {
		t.Errorf("the refusals webhook got %v, want the one refusal", got)
	}
	want(t, "replay without CSRF", b.post(hook+"/deliveries/"+d[1]+"/replay", url.Values{"_csrf": {""}}), http.StatusForbidden)

	bob := s.browser(t)
	bob.login("bob@acme.example")
	x = want(t, "sender refused", bob.get("/app/webhooks"), http.StatusForbidden)
	if !strings.Contains(text(x.body), "Seuls les administrateurs gèrent les webhooks") || hasID(x.body, "nav-webhooks") {
		t.Fatalf("refusal: %s", text(x.body))
	}
	want(t, "sender may not replay", bob.post(hook+"/deliveries/"+d[1]+"/replay", nil), http.StatusForbidden)
	want(t, "sender may not read deliveries", bob.get(hook), http.StatusForbidden)
}
