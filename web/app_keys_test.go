package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
)

var newSecretRE = regexp.MustCompile(`<code id="new-secret">([^<]+)</code>`)

// shownSecret returns the secret a page shows once, or "".
func shownSecret(body string) string {
	if m := newSecretRE.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

// TestAPIKeysPage creates a key from the page, sees its secret once after
// the redirect, uses it, and revokes it after a confirmation.
func TestAPIKeysPage(t *testing.T) {
	s := appSite(t)
	_, first := s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	b := s.browser(t)
	b.login("alice@acme.example")

	x := want(t, "keys page", b.get("/app/keys"), http.StatusOK)
	checkPage(t, x.body)
	if !hasID(x.body, "nav-keys") || !hasID(x.body, "key-form") || shownSecret(x.body) != "" {
		t.Fatalf("keys page: %s", x)
	}
	if strings.Contains(x.body, first) {
		t.Error("the list shows a key")
	}

	x = want(t, "create", b.post("/app/keys", url.Values{"label": {"Serveur de facturation"}}), http.StatusSeeOther)
	if x.header.Get("Location") != "/app/keys" {
		t.Fatalf("create redirects to %q", x.header.Get("Location"))
	}
	ck := b.cookie("lre_flash_" + "key")
	if ck == nil {
		t.Fatal("no flash cookie")
	}
	x = want(t, "shown", b.get("/app/keys"), http.StatusOK)
	checkPage(t, x.body)
	secret := shownSecret(x.body)
	if !strings.HasPrefix(secret, "lre_") || !strings.Contains(x.body, "Votre nouvelle clé « Serveur de facturation »") {
		t.Fatalf("the new key is not shown: %s", x)
	}
	if strings.Contains(x.body, `value="Serveur de facturation"`) {
		t.Error("the form still holds the created key's name")
	}
	if strings.Contains(ck.Value, secret) {
		t.Error("the flash cookie holds the key in clear")
	}
	if cc := x.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("page with the secret: Cache-Control %q", cc)
	}
	want(t, "the key works", s.api(t, secret, http.MethodGet, "/api/v1/keys", nil), http.StatusOK)

	if x := b.get("/app/keys"); shownSecret(x.body) != "" || strings.Contains(x.body, secret) || !strings.Contains(x.body, secret[:12]+"…") {
		t.Fatalf("the secret is shown a second time, or the list does not show its prefix: %s", x)
	}
	// The same cookie replayed (a copy of the browser's) shows nothing.
	replay, _ := http.NewRequest(http.MethodGet, s.url+"/app/keys", nil)
	replay.AddCookie(ck)
	replay.AddCookie(b.cookie("lre_session"))
	if x := do(t, s.srv.Client(), replay); x.status != http.StatusOK || strings.Contains(x.body, secret) {
		t.Fatalf("replayed flash: %s", x)
	}

	if n := strings.Count(x.body, `class="key"`); n != 2 {
		t.Fatalf("%d keys listed, want 2: %s", n, x)
	}
	id := regexp.MustCompile(`id="key-(key_[0-9a-f]{16})">\n<td>Serveur de facturation<`).FindStringSubmatch(x.body)
	if id == nil {
		t.Fatalf("no row for the new key: %s", x)
	}
	last := id[1]
	x = want(t, "confirm", b.get("/app/keys/"+last+"/revoke"), http.StatusOK)
	checkPage(t, x.body)
	if !hasID(x.body, "revoke-confirm") || !strings.Contains(x.body, "Serveur de facturation") {
		t.Fatalf("confirmation page: %s", x)
	}
	want(t, "the confirmation page changes nothing", s.api(t, secret, http.MethodGet, "/api/v1/keys", nil), http.StatusOK)
	want(t, "revoke without CSRF", b.post("/app/keys/"+last+"/revoke", url.Values{"_csrf": {""}}), http.StatusForbidden)
	x = want(t, "revoke", b.post("/app/keys/"+last+"/revoke", nil), http.StatusSeeOther)
	want(t, "revoked key", s.api(t, secret, http.MethodGet, "/api/v1/keys", nil), http.StatusUnauthorized)
	x = want(t, "after revoking", b.get(x.header.Get("Location")), http.StatusOK)
	if !hasID(x.body, "key-revoked") || strings.Contains(x.body, last) {
		t.Fatalf("after revoking: %s", x)
	}
	want(t, "revoke again", b.get("/app/keys/"+last+"/revoke"), http.StatusNotFound)
}

// TestAPIKeysPageRefusesABadName shows the refusal on the form, in
// French, with the name kept.
func TestAPIKeysPageRefusesABadName(t *testing.T) {
	s := appSite(t)
	s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	b := s.browser(t)
	b.login("alice@acme.example")
	want(t, "keys", b.get("/app/keys"), http.StatusOK)
	x := want(t, "bad label", b.post("/app/keys", url.Values{"label": {strings.Repeat("é", 300)}}), http.StatusUnprocessableEntity)
	checkPage(t, x.body)
	if !hasID(x.body, "form-error") || !strings.Contains(x.body, `aria-invalid="true"`) || !strings.Contains(text(x.body), "Le nom de la clé compte 300 caractères") {
		t.Fatalf("refused label: %s", text(x.body))
	}
	if b.cookie("lre_flash_key") != nil {
		t.Error("a refused key left a flash")
	}
}
