package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
)

type keyResp struct {
	ID         string `json:"id"`
	Label      string `json:"label"`
	Prefix     string `json:"prefix"`
	CreatedAt  string `json:"created_at"`
	LastUsedAt string `json:"last_used_at"`
	Key        string `json:"key"`
}

func TestAPIKeys(t *testing.T) {
	s := appSite(t)
	_, first := s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	_, eve := s.account(t, "eve@acme.example", "ACME", core.RoleSender)

	s.clock.Add(time.Second)
	x := want(t, "create", s.api(t, first, http.MethodPost, "/api/v1/keys", map[string]string{"label": "CRM"}), http.StatusCreated)
	var k keyResp
	decode(t, x, &k)
	if !apiKeyShape.MatchString(k.Key) || !strings.HasPrefix(k.Key, k.Prefix) || k.Label != "CRM" || x.header.Get("Location") != "/api/v1/keys/"+k.ID {
		t.Fatalf("created key %+v", k)
	}
	want(t, "new key works", s.api(t, k.Key, http.MethodGet, "/api/v1/keys", nil), http.StatusOK)

	x = want(t, "list", s.api(t, first, http.MethodGet, "/api/v1/keys", nil), http.StatusOK)
	if strings.Contains(x.body, k.Key) || strings.Contains(x.body, first) || !strings.Contains(x.body, k.ID) {
		t.Fatalf("the list shows a secret or misses the key: %s", x.body)
	}
	var list struct{ Keys []keyResp }
	decode(t, x, &list)
	if len(list.Keys) != 2 || list.Keys[1].ID != k.ID || list.Keys[1].LastUsedAt == "" {
		t.Errorf("keys %+v: want the first key, then the new one with its last use", list.Keys)
	}

	want(t, "revoke another user's key", s.api(t, eve, http.MethodDelete, "/api/v1/keys/"+k.ID, nil), http.StatusNotFound)
	want(t, "revoke", s.api(t, first, http.MethodDelete, "/api/v1/keys/"+k.ID, nil), http.StatusNoContent)
	want(t, "revoked key", s.api(t, k.Key, http.MethodGet, "/api/v1/keys", nil), http.StatusUnauthorized)
	want(t, "revoke twice", s.api(t, first, http.MethodDelete, "/api/v1/keys/"+k.ID, nil), http.StatusNotFound)
	want(t, "no key", s.api(t, "", http.MethodGet, "/api/v1/keys", nil), http.StatusUnauthorized)
	want(t, "bad label", s.api(t, first, http.MethodPost, "/api/v1/keys", map[string]string{"label": "a\nb"}), http.StatusUnprocessableEntity)
}

func TestAPIUsers(t *testing.T) {
	s := appSite(t)
	_, admin := s.account(t, "root@acme.example", "ACME", core.RoleAdmin)
	_, sender := s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	_, foreign := s.account(t, "boss@other.example", "Other", core.RoleAdmin)
	_, lone := s.account(t, "lone@nowhere.example", "", core.RoleAdmin)

	for name, key := range map[string]string{"sender": sender, "admin without organisation": lone} {
		want(t, name+" creates", s.api(t, key, http.MethodPost, "/api/v1/users", map[string]string{"email": "x@acme.example", "name": "X", "role": "sender"}), http.StatusForbidden)
		want(t, name+" lists", s.api(t, key, http.MethodGet, "/api/v1/users", nil), http.StatusForbidden)
	}
	x := want(t, "create", s.api(t, admin, http.MethodPost, "/api/v1/users", map[string]string{"email": "Carol@ACME.example", "name": "Carol", "role": "auditor", "organisation": "Other"}), http.StatusCreated)
	var created struct {
		User           struct{ ID, Email, Organisation, Role string }
		APIKey         string `json:"api_key"`
		SetPasswordURL string `json:"set_password_url"`
	}
	decode(t, x, &created)
	if created.User.Organisation != "ACME" || created.User.Role != "auditor" || created.User.Email != "carol@acme.example" || !apiKeyShape.MatchString(created.APIKey) {
		t.Fatalf("created %s", x.body)
	}
	want(t, "duplicate", s.api(t, admin, http.MethodPost, "/api/v1/users", map[string]string{"email": "carol@acme.example", "name": "Carol", "role": "sender"}), http.StatusConflict)
	want(t, "bad role", s.api(t, admin, http.MethodPost, "/api/v1/users", map[string]string{"email": "d@acme.example", "name": "D", "role": "root"}), http.StatusUnprocessableEntity)

	var users struct{ Users []struct{ Email string } }
	decode(t, want(t, "list", s.api(t, admin, http.MethodGet, "/api/v1/users", nil), http.StatusOK), &users)
	var emails []string
	for _, u := range users.Users {
		emails = append(emails, u.Email)
	}
	if strings.Join(emails, ",") != "alice@acme.example,carol@acme.example,root@acme.example" { // created at the same (fake) instant
		t.Errorf("ACME's users: %v", emails)
	}
	decode(t, want(t, "other org", s.api(t, foreign, http.MethodGet, "/api/v1/users", nil), http.StatusOK), &users)
	if len(users.Users) != 1 || users.Users[0].Email != "boss@other.example" {
		t.Errorf("another organisation's admin sees %v", users.Users)
	}

	// The link lets Carol choose a password once, then log in.
	link := strings.TrimPrefix(created.SetPasswordURL, s.url)
	b := s.browser(t)
	x = want(t, "password form", b.get(link), http.StatusOK)
	if !strings.Contains(x.body, "carol@acme.example") {
		t.Errorf("password page does not name the account: %s", x.body)
	}
	want(t, "mismatch", b.post(link, url.Values{"password": {password}, "password_confirm": {password + "!"}}), http.StatusUnprocessableEntity)
	want(t, "too short", b.post(link, url.Values{"password": {"short"}, "password_confirm": {"short"}}), http.StatusUnprocessableEntity)
	want(t, "set", b.post(link, url.Values{"password": {password}, "password_confirm": {password}}), http.StatusOK)
	want(t, "link used", b.get(link), http.StatusNotFound)
	b.login("carol@acme.example")
}

// TestAccessDecisions checks who sees which letter, by API and by page:
// senders their own, auditors and admins their organisation's, and
// everyone else 404, never 403.
func TestAccessDecisions(t *testing.T) {
	s := appSite(t)
	_, alice := s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	_, bob := s.account(t, "bob@acme.example", "ACME", core.RoleSender)
	_, auditor := s.account(t, "audit@acme.example", "ACME", core.RoleAuditor)
	_, admin := s.account(t, "root@acme.example", "ACME", core.RoleAdmin)
	_, eve := s.account(t, "eve@other.example", "Other", core.RoleSender)
	_, eveAudit := s.account(t, "audit@other.example", "Other", core.RoleAuditor)
	_, eveAdmin := s.account(t, "root@other.example", "Other", core.RoleAdmin)
	_, lone := s.account(t, "lone@nowhere.example", "", core.RoleAuditor)

	aliceLetter := s.deposit(t, alice, letterFields())
	eveLetter := s.deposit(t, eve, letterFields())
	keys := map[string]string{"alice": alice, "bob": bob, "audit": auditor, "root": admin, "eve": eve, "eve-audit": eveAudit, "eve-root": eveAdmin, "lone": lone}
	emails := map[string]string{"alice": "alice@acme.example", "bob": "bob@acme.example", "audit": "audit@acme.example", "root": "root@acme.example", "eve": "eve@other.example", "eve-audit": "audit@other.example", "eve-root": "root@other.example", "lone": "lone@nowhere.example"}
	sees := map[string]map[string]bool{
		aliceLetter: {"alice": true, "audit": true, "root": true},
		eveLetter:   {"eve": true, "eve-audit": true, "eve-root": true},
	}
	paths := []string{"", "/events", "/manifest.json", "/timestamp.tsr", "/certificates/nope.pdf", "/evidence.zip"}
	for who, key := range keys {
		b := s.browser(t)
		b.login(emails[who])
		list := want(t, "list", b.get("/app/letters"), http.StatusOK)
		for id, allowed := range sees {
			t.Run(who+"/"+id, func(t *testing.T) {
				code := http.StatusNotFound
				if allowed[who] {
					code = http.StatusOK
				}
				for _, p := range paths {
					x := s.api(t, key, http.MethodGet, "/api/v1/notices/"+id+p, nil)
					switch {
					case p == "/certificates/nope.pdf" && x.status != http.StatusNotFound:
						t.Errorf("API %s%s: %d, want 404", id, p, x.status)
					case p == "/evidence.zip" && allowed[who] && x.status == http.StatusServiceUnavailable:
						// The test site has no transparency log: past the access check.
					case p != "/certificates/nope.pdf" && x.status != code:
						t.Errorf("API %s%s: %d, want %d", id, p, x.status, code)
					}
				}
				for _, p := range []string{"", "/manifest.json", "/timestamp.tsr", "/certificates/deposit.pdf", "/evidence.zip"} {
					x := b.get("/app/letters/" + id + p)
					if allowed[who] != (x.status != http.StatusNotFound) {
						t.Errorf("page %s%s: %d (allowed %v)", id, p, x.status, allowed[who])
					}
				}
				if listed := strings.Contains(list.body, `id="letter-`+id+`"`); listed != allowed[who] {
					t.Errorf("listed %v, allowed %v", listed, allowed[who])
				}
			})
		}
	}
	// A page of another organisation's letter looks like a letter that
	// does not exist.
	b := s.browser(t)
	b.login("eve@other.example")
	foreign := want(t, "foreign", b.get("/app/letters/"+aliceLetter), http.StatusNotFound)
	missing := want(t, "missing", b.get("/app/letters/LRE-AAAA-AAAA-AAAA-AAAA"), http.StatusNotFound)
	if foreign.body != missing.body {
		t.Error("a foreign letter's 404 differs from a missing one's")
	}
}
