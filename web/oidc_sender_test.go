package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/oidctest"
)

// TestSenderSignsInWithProvider: a sender logs in through the identity
// provider (the account is found by the address the provider verified),
// and the deposit evidence records that login, its level, issuer and
// subject; a password login records a web session. A provider identity
// without a verified address, or without an account, opens nothing.
func TestSenderSignsInWithProvider(t *testing.T) {
	alice := oidctest.User{Login: "alice", Subject: "pairwise-alice", GivenName: "Alice", FamilyName: "Martin", Email: "Alice@ACME.example", EmailVerified: true, ACR: "eidas3"}
	unverified := alice
	unverified.Login, unverified.EmailVerified = "alice-unverified", false
	stranger := alice
	stranger.Login, stranger.Email = "stranger", "nobody@acme.example"
	p := oidctest.Start(t, oidctest.RS256, alice, unverified, stranger)
	s := appSite(t, withProvider(p))
	_, key := s.account(t, "alice@acme.example", "ACME", core.RoleSender)

	b := s.browser(t)
	login := want(t, "login page", b.get("/login?next=/app/letters/new"), http.StatusOK)
	checkPage(t, login.body)
	if !hasID(login.body, "oidc-login") || !strings.Contains(text(login.body), "IdP Test+") {
		t.Fatalf("login page does not offer the provider:\n%s", login.body)
	}
	x := want(t, "start", b.post("/login/oidc", url.Values{"next": {"/app/letters/new"}}), http.StatusSeeOther)
	back, err := oidctest.SignIn(b.c, x.header.Get("Location"), "alice")
	if err != nil {
		t.Fatal(err)
	}
	x = want(t, "callback", b.get(back), http.StatusSeeOther)
	if loc := x.header.Get("Location"); loc != "/app/letters/new" {
		t.Fatalf("after the provider the sender goes to %q", loc)
	}
	id := b.send(composeFields())
	sub := eventsOf(s.events(t, key, id), core.EventSubmissionAcceptance)
	wantAuth := map[string]string{"sender_authentication_method": "oidc", "sender_assurance_level": "high", "sender_authentication_issuer": p.Issuer, "sender_authentication_subject": "pairwise-alice"}
	if len(sub) != 1 {
		t.Fatalf("SubmissionAcceptance events: %+v", sub)
	}
	for k, v := range wantAuth {
		if sub[0].Details[k] != v {
			t.Errorf("SubmissionAcceptance %s = %q, want %q", k, sub[0].Details[k], v)
		}
	}

	pw := s.browser(t)
	pw.login("alice@acme.example")
	id = pw.send(composeFields())
	sub = eventsOf(s.events(t, key, id), core.EventSubmissionAcceptance)
	if len(sub) != 1 || sub[0].Details["sender_authentication_method"] != "web_session" || sub[0].Details["sender_authentication_issuer"] != "" {
		t.Errorf("a deposit after a password login records %+v", sub)
	}
	api := s.deposit(t, key, letterFields())
	if d := eventsOf(s.events(t, key, api), core.EventSubmissionAcceptance)[0].Details; d["sender_authentication_method"] != "api_key" {
		t.Errorf("an API deposit records %q", d["sender_authentication_method"])
	}

	for _, who := range []string{"alice-unverified", "stranger"} {
		o := s.browser(t)
		want(t, "login page", o.get("/login"), http.StatusOK)
		x := want(t, "start", o.post("/login/oidc", url.Values{"next": {"/app/letters"}}), http.StatusSeeOther)
		back, err := oidctest.SignIn(o.c, x.header.Get("Location"), who)
		if err != nil {
			t.Fatal(err)
		}
		page := want(t, who+" callback", o.get(back), http.StatusUnauthorized)
		if !strings.Contains(text(page.body), "La connexion par le fournisseur d’identité n’a pas abouti") {
			t.Errorf("%s: refusal page:\n%s", who, page.body)
		}
		want(t, who+" letters", o.get("/app/letters"), http.StatusSeeOther)
	}
}
