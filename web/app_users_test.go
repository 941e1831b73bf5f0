package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
)

var passwordLinkRE = regexp.MustCompile(`<code id="password-link">([^<]+)</code>`)

// TestUsersPage plays an admin inviting a user, changing their role and
// issuing them a new password link, each secret shown once; a sender of
// the same organisation is refused with a page that says why.
func TestUsersPage(t *testing.T) {
	s := appSite(t)
	admin, _ := s.account(t, "alice@acme.example", "ACME", core.RoleAdmin)
	s.account(t, "bob@acme.example", "ACME", core.RoleSender)
	eve, _ := s.account(t, "eve@other.example", "Other", core.RoleSender)
	b := s.browser(t)
	b.login("alice@acme.example")

	x := want(t, "users", b.get("/app/users"), http.StatusOK)
	checkPage(t, x.body)
	if !hasID(x.body, "nav-users") || !strings.Contains(x.body, "bob@acme.example") || strings.Contains(x.body, "eve@other.example") || !hasID(x.body, "invite-form") {
		t.Fatalf("users page: %s", x)
	}
	if hasID(x.body, "role-"+admin.ID) {
		t.Error("the admin is offered to change their own role")
	}

	x = want(t, "invite", b.post("/app/users", url.Values{"email": {"carol@acme.example"}, "name": {"Carol Petit"}, "role": {"auditor"}}), http.StatusSeeOther)
	x = want(t, "invited", b.get(x.header.Get("Location")), http.StatusOK)
	checkPage(t, x.body)
	m := passwordLinkRE.FindStringSubmatch(x.body)
	key := shownSecret(x.body)
	if m == nil || !strings.HasPrefix(key, "lre_") || !strings.Contains(x.body, "carol@acme.example") {
		t.Fatalf("invitation not shown: %s", x)
	}
	link := strings.TrimPrefix(m[1], s.url)
	want(t, "the link opens the password form", b.get(link), http.StatusOK)
	want(t, "the first key works", s.api(t, key, http.MethodGet, "/api/v1/keys", nil), http.StatusOK)
	if x := b.get("/app/users"); strings.Contains(x.body, key) || strings.Contains(x.body, m[1]) {
		t.Fatal("the invitation is shown twice")
	}

	carol, err := s.svc.Accounts.Authenticate(context.Background(), key)
	if err != nil || carol.Role != core.RoleAuditor {
		t.Fatalf("carol: %+v %v", carol, err)
	}
	x = want(t, "role", b.post("/app/users/"+carol.ID+"/role", url.Values{"role": {"sender"}}), http.StatusSeeOther)
	if x := b.get(x.header.Get("Location")); !hasID(x.body, "role-saved") {
		t.Fatalf("no confirmation: %s", x)
	}
	if u, _ := s.svc.Accounts.Authenticate(context.Background(), key); u.Role != core.RoleSender {
		t.Fatalf("role after change: %s", u.Role)
	}
	x = want(t, "own role", b.post("/app/users/"+admin.ID+"/role", url.Values{"role": {"sender"}}), http.StatusConflict)
	if !strings.Contains(text(x.body), "Vous ne pouvez pas changer votre propre rôle") {
		t.Fatalf("own role: %s", text(x.body))
	}
	x = want(t, "bad role", b.post("/app/users/"+carol.ID+"/role", url.Values{"role": {"owner"}}), http.StatusUnprocessableEntity)
	checkPage(t, x.body)
	want(t, "another organisation's user", b.post("/app/users/"+eve.ID+"/role", url.Values{"role": {"sender"}}), http.StatusNotFound)
	want(t, "another organisation's user's link", b.post("/app/users/"+eve.ID+"/password-link", nil), http.StatusNotFound)

	x = want(t, "password link", b.post("/app/users/"+carol.ID+"/password-link", nil), http.StatusSeeOther)
	x = want(t, "link shown", b.get(x.header.Get("Location")), http.StatusOK)
	m2 := passwordLinkRE.FindStringSubmatch(x.body)
	if m2 == nil || m2[1] == m[1] || shownSecret(x.body) != "" || !strings.Contains(x.body, "carol@acme.example") {
		t.Fatalf("new link: %s", x)
	}
	want(t, "the new link works", b.get(strings.TrimPrefix(m2[1], s.url)), http.StatusOK)

	sender := s.browser(t)
	sender.login("bob@acme.example")
	x = want(t, "sender refused", sender.get("/app/users"), http.StatusForbidden)
	checkPage(t, x.body)
	if !hasID(x.body, "forbidden") || !strings.Contains(text(x.body), "Seuls les administrateurs gèrent les utilisateurs") || hasID(x.body, "nav-users") {
		t.Fatalf("refusal page: %s", text(x.body))
	}
	want(t, "sender may not invite", sender.post("/app/users", url.Values{"email": {"mallory@acme.example"}, "name": {"M"}, "role": {"admin"}}), http.StatusForbidden)
	want(t, "sender may not change roles", sender.post("/app/users/"+carol.ID+"/role", url.Values{"role": {"admin"}}), http.StatusForbidden)
	want(t, "sender may not issue links", sender.post("/app/users/"+carol.ID+"/password-link", nil), http.StatusForbidden)
}
