package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
)

// TestAccountPagesInBothLanguages renders every account and organisation
// page in French and in English with the pages' checks: the language
// asked for, a title from the catalogue, no missing text, the menu.
func TestAccountPagesInBothLanguages(t *testing.T) {
	titles := map[string][2]string{ // French, English
		"/app/keys":         {"Clés d’API", "API keys"},
		"/app/users":        {"Utilisateurs de l’organisation", "Users of the organisation"},
		"/app/webhooks":     {"Webhooks", "Webhooks"},
		"/app/consents":     {"Consentements des particuliers", "Consumers’ consents"},
		"/app/consents/new": {"Demander un consentement", "Ask for consent"},
		"/app/settings":     {"Réglages", "Settings"},
	}
	for i, lang := range []string{"fr", "en"} {
		s := appSite(t)
		s.account(t, "alice@acme.example", "ACME", core.RoleAdmin)
		b := s.browser(t)
		want(t, "language", b.get("/login?lang="+lang), http.StatusOK)
		b.login("alice@acme.example")
		for path, title := range titles {
			t.Run(lang+path, func(t *testing.T) {
				x := want(t, path, b.get(path), http.StatusOK)
				checkPage(t, x.body)
				if got := x.header.Get("Content-Language"); got != lang {
					t.Errorf("Content-Language %q", got)
				}
				if !strings.Contains(x.body, "<h1>"+title[i]+"</h1>") {
					t.Errorf("no title %q", title[i])
				}
				for _, id := range []string{"nav-keys", "nav-users", "nav-webhooks", "nav-consents", "nav-settings"} {
					if !hasID(x.body, id) {
						t.Errorf("no #%s in the menu", id)
					}
				}
			})
		}
	}
}
