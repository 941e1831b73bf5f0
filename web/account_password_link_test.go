package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
)

// TestAPIPasswordLink: an admin gives a user of their organisation a new
// set-password link; it works once, and nobody else can ask for one.
func TestAPIPasswordLink(t *testing.T) {
	s := appSite(t)
	_, admin := s.account(t, "root@acme.example", "ACME", core.RoleAdmin)
	alice, sender := s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	_, foreign := s.account(t, "boss@other.example", "Other", core.RoleAdmin)
	_, lone := s.account(t, "lone@nowhere.example", "", core.RoleAdmin)
	path := "/api/v1/users/" + alice.ID + "/password-link"

	for _, c := range []struct {
		who, key string
		status   int
	}{
		{"sender", sender, http.StatusForbidden},
		{"admin without organisation", lone, http.StatusForbidden},
		{"another organisation's admin", foreign, http.StatusNotFound},
	} {
		t.Run(c.who, func(t *testing.T) {
			want(t, c.who, s.api(t, c.key, http.MethodPost, path, nil), c.status)
		})
	}
	want(t, "unknown user", s.api(t, admin, http.MethodPost, "/api/v1/users/nobody/password-link", nil), http.StatusNotFound)

	var issued struct {
		URL     string `json:"set_password_url"`
		Expires string `json:"set_password_expires_at"`
	}
	decode(t, want(t, "issue", s.api(t, admin, http.MethodPost, path, nil), http.StatusCreated), &issued)
	expires, err := time.Parse(time.RFC3339, issued.Expires)
	if err != nil || !strings.HasPrefix(issued.URL, s.url+"/account/password/") || expires.Sub(s.clock.Now()) != 72*time.Hour {
		t.Fatalf("issued %+v (%v)", issued, err)
	}
	link := strings.TrimPrefix(issued.URL, s.url)
	b := s.browser(t)
	if x := want(t, "form", b.get(link), http.StatusOK); !strings.Contains(x.body, "alice@acme.example") {
		t.Errorf("the page does not name the account: %s", x.body)
	}
	const newPassword = "une autre phrase de passe, neuve"
	want(t, "set", b.post(link, url.Values{"password": {newPassword}, "password_confirm": {newPassword}}), http.StatusOK)
	want(t, "link used", b.get(link), http.StatusNotFound)
	want(t, "link used again", b.post(link, url.Values{"password": {password}, "password_confirm": {password}}), http.StatusNotFound)
	if x := s.browser(t).tryLogin("alice@acme.example", password); x.status == http.StatusSeeOther {
		t.Errorf("the old password still logs in: %s", x)
	}
	if x := s.browser(t).tryLogin("alice@acme.example", newPassword); x.status != http.StatusSeeOther {
		t.Errorf("the new password does not log in: %s", x)
	}

	decode(t, want(t, "issue again", s.api(t, admin, http.MethodPost, path, nil), http.StatusCreated), &issued)
	s.clock.Add(72*time.Hour + time.Second)
	want(t, "expired link", s.browser(t).get(strings.TrimPrefix(issued.URL, s.url)), http.StatusNotFound)
}
