package web_test

import (
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
)

// TestFrenchPagesShowFrenchErrors makes the mistakes a sender makes on
// French pages (a bad address, an empty subject, a letter over the size
// limit, dates in the wrong order, a recipients file with bad rows) and
// checks each page explains it in French, field names included, and shows
// none of core's English.
func TestFrenchPagesShowFrenchErrors(t *testing.T) {
	s := appSiteWith(t, []services.Option{services.WithLetters(core.WithLimits(core.Limits{MaxTotalBytes: 4096, MaxFiles: 3, MaxNameBytes: 255}))})
	s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	b := s.browser(t)
	want(t, "French", b.get("/login?lang=fr"), http.StatusOK)
	b.login("alice@acme.example")

	badEmail := composeFields()
	badEmail["recipient_email"] = "bob at example"
	noSubject := composeFields()
	noSubject["subject"] = " "
	cases := []struct {
		name    string
		x       exchange
		french  string
		english string
	}{
		{"bad address", b.preview(badEmail, ""), "L’adresse du destinataire doit être une seule adresse électronique", "must be exactly one email address"},
		{"no subject", b.preview(noSubject, ""), "L’objet est obligatoire", "is required"},
		{"too large", b.preview(composeFields(), "", upload{"gros.pdf", "application/pdf", make([]byte, 5000)}), "La lettre dépasse la taille maximale de 4 ko", "max_total_size"},
		{"dates", b.get("/app/letters?from=2026-12-01&to=2026-11-01"), "La date de fin doit être après la date de début", "to must be after from"},
		{"bad rows", b.batchPreview("email,name\nbob at example,Bob\nok@example.com,\n"), "Le nom du destinataire est obligatoire", "is required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := html.UnescapeString(c.x.body)
			if c.x.status < 400 || !strings.Contains(body, c.french) {
				t.Errorf("HTTP %d, want a refusal saying %q:\n%s", c.x.status, c.french, c.x.body)
			}
			if strings.Contains(body, c.english) {
				t.Errorf("the French page shows core's English %q", c.english)
			}
		})
	}
}
