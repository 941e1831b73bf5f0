package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestVerifyPage(t *testing.T) {
	s := newSite(t)
	key := s.sender(t, "Cabinet Dupont Avocats", "Dupont & Associés")
	f := letterFields()
	id, m := s.notified(t, key, f)
	b := s.browser(t)
	form := want(t, "form", b.get("/verify"), http.StatusOK)
	for _, id := range []string{"notice-id", "verification-code", "verify"} {
		if !hasID(form.body, id) {
			t.Errorf("form lacks #%s", id)
		}
	}
	const no = "Non : aucune lettre ne correspond à ce numéro et à ce code de vérification."
	for _, tt := range []struct {
		name, id, code string
		answer         string
	}{
		{"right id and code", id, m.Code, "Oui : la lettre " + id + " est authentique et attend son destinataire jusqu’au " + frenchDate(m.Deadline.In(paris(t)))},
		{"lower case, spaces, no dash", " " + strings.ToLower(id) + " ", strings.ToLower(strings.ReplaceAll(m.Code, "-", "")), "est authentique"},
		{"wrong code", id, "AAAA-AAAA", no},
		{"wrong id", "LRE-AAAA-AAAA-AAAA-AAAA", m.Code, no},
		{"garbage", "<script>", "'; drop", no},
		{"empty", "", "", no},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := want(t, "check", b.post("/verify", url.Values{"notice_id": {tt.id}, "code": {tt.code}}), http.StatusOK)
			page := text(x.body)
			if !strings.Contains(page, tt.answer) {
				t.Errorf("answer lacks %q:\n%s", tt.answer, page)
			}
			for _, secret := range []string{f["subject"], "Cabinet Dupont", "Dupont & Associés", "@acme.example", "bob@example.net", "Bob Martin"} {
				if strings.Contains(page, secret) {
					t.Errorf("verification page shows %q", secret)
				}
			}
		})
	}
	en := s.browser(t)
	req, _ := http.NewRequest(http.MethodGet, s.url+"/verify", nil)
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9,fr;q=0.5")
	if x := do(t, en.c, req); !strings.Contains(x.body, `lang="en"`) || !strings.Contains(text(x.body), "Check a registered letter notification") {
		t.Errorf("English verification page:\n%s", x.body)
	}
}
