package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
)

// withoutGetForms drops the tags of the letters' filter form: a GET form
// carries no CSRF token by design, so checkPage, whose form rule is for
// POST forms, checks its fields without the form element.
func withoutGetForms(body string) string {
	start := strings.Index(body, `<form method="get"`)
	if start < 0 {
		return body
	}
	open := start + strings.Index(body[start:], ">") + 1
	end := open + strings.Index(body[open:], "</form>")
	return body[:start] + body[open:end] + body[end+len("</form>"):]
}

// TestAppPagesAreWellFormed walks through the login, account and sender
// pages in both languages with the recipient pages' checks, and the
// stable ids browser tests rely on.
func TestAppPagesAreWellFormed(t *testing.T) {
	for _, lang := range []string{"fr", "en"} {
		s := appSite(t)
		_, key := s.account(t, "alice@acme.example", "ACME", core.RoleAdmin)
		s.account(t, "audit@acme.example", "ACME", core.RoleAuditor)
		b := s.browser(t)
		want(t, "choose language", b.get("/login?lang="+lang), http.StatusOK)
		var pages []shown
		add := func(name string, x exchange, status int, ids ...string) exchange {
			t.Helper()
			want(t, lang+" "+name, x, status)
			pages = append(pages, shown{lang + "/" + name, x, ids})
			return x
		}
		add("login", b.get("/login"), 200, "login-email", "login-password", "login-submit")
		add("login failed", b.post("/login", url.Values{"email": {"alice@acme.example"}, "password": {"nope"}}), 401, "login-email", "form-error")
		b.login("alice@acme.example")
		add("compose", b.get("/app/letters/new"), 200, "recipient_email", "recipient_name", "recipient_type", "subject", "body", "attachments", "knowledge_question", "knowledge_answer", "language", "preview", "logout")
		bad := composeFields()
		bad["subject"] = ""
		add("compose refused", b.preview(bad, ""), 422, "form-error", "subject", "preview")
		consumer := composeFields()
		consumer["recipient_type"] = "consumer"
		add("compose refused select", b.preview(consumer, ""), 422, "form-error", "recipient_type")
		many := make([]upload, 21)
		for i := range many {
			many[i] = upload{fmt.Sprintf("f%d.pdf", i), "application/pdf", []byte("%PDF")}
		}
		add("compose refused files", b.preview(composeFields(), "", many...), 413, "form-error", "attachments")
		f := composeFields()
		f["knowledge_question"], f["knowledge_answer"] = "Numéro de client ?", "42"
		x := add("preview", b.preview(f, "", upload{"piece.pdf", "application/pdf", []byte("%PDF-1.4")}), 200, "send", "logout")
		x = want(t, "send", b.post("/app/letters", url.Values{"draft": {draftOf(t, x)}}), http.StatusSeeOther)
		s.outbox(t)
		id := strings.TrimPrefix(x.header.Get("Location"), "/app/letters/")
		add("letter", b.get("/app/letters/"+id), 200, "letter-id", "deposit-digest", "timeline", "a.certificate", "logout")
		add("letters", b.get("/app/letters"), 200, "filter-status", "filter-q", "letter-"+id, "logout")
		add("letters filtered", b.get("/app/letters?status=accepted&from=2020-01-01"), 200, "no-letters")
		add("bad filter", b.get("/app/letters?from=yesterday"), 422, "form-error")
		add("letter not found", b.get("/app/letters/LRE-AAAA-AAAA-AAAA-AAAA"), 404)

		var created struct {
			SetPasswordURL string `json:"set_password_url"`
		}
		decode(t, want(t, "create user", s.api(t, key, http.MethodPost, "/api/v1/users", map[string]string{"email": "carol@acme.example", "name": "Carol", "role": "sender"}), 201), &created)
		link := strings.TrimPrefix(created.SetPasswordURL, s.url)
		add("password form", b.get(link), 200, "password", "password_confirm", "password-submit")
		add("password refused", b.post(link, url.Values{"password": {"short"}, "password_confirm": {"short"}}), 422, "form-error")
		add("password mismatch", b.post(link, url.Values{"password": {password}, "password_confirm": {password + "x"}}), 422, "form-error")
		add("password set", b.post(link, url.Values{"password": {password}, "password_confirm": {password}}), 200, "password-set")

		auditor := s.browser(t)
		want(t, "language", auditor.get("/login?lang="+lang), 200)
		auditor.login("audit@acme.example")
		add("auditor letters", auditor.get("/app/letters"), 200, "letter-"+id)
		add("auditor compose", auditor.get("/app/letters/new"), 403)

		for _, p := range pages {
			t.Run(p.name, func(t *testing.T) {
				body := withoutGetForms(p.x.body)
				checkPage(t, body)
				if got := p.x.header.Get("Content-Language"); got != lang && p.x.status != 403 && p.x.status != 404 { // the shared error page follows Accept-Language
					t.Errorf("Content-Language %q, want %q", got, lang)
				}
				for _, id := range p.ids {
					if strings.HasPrefix(id, "a.") {
						if !hasClass(body, "a", id[2:]) {
							t.Errorf("no %s", id)
						}
					} else if !hasID(body, id) {
						t.Errorf("no #%s", id)
					}
				}
			})
		}
	}
}

func TestLanguageSwitch(t *testing.T) {
	s := appSite(t)
	s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	b := s.browser(t)
	b.login("alice@acme.example")
	if x := b.get("/app/letters"); !strings.Contains(x.body, "Lettres recommandées") || !strings.Contains(x.body, `href="/app/letters?lang=en"`) {
		t.Fatalf("French page with a switch to English: %s", x)
	}
	if x := b.get("/app/letters?status=accepted&lang=en"); !strings.Contains(x.body, "Registered letters") || !strings.Contains(x.body, `href="/app/letters?lang=fr&amp;status=accepted"`) {
		t.Fatalf("?lang=en: %s", x)
	}
	if x := b.get("/app/letters/new"); !strings.Contains(x.body, "New registered letter") {
		t.Error("the choice of English is not remembered")
	}
}

func TestLettersFilters(t *testing.T) {
	s := appSite(t)
	s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	_, key := s.account(t, "bob@acme.example", "ACME", core.RoleSender)
	b := s.browser(t)
	b.login("alice@acme.example")

	var ids []string
	for i := range 28 {
		f := composeFields()
		f["subject"] = fmt.Sprintf("Mise en demeure n°%02d", i)
		if i%7 == 0 {
			f["recipient_email"] = "carol@example.org"
			f["subject"] = fmt.Sprintf("Résiliation du bail n°%02d", i)
		}
		ids = append(ids, b.send(f))
		s.clock.Add(20 * time.Minute)
	}
	s.deposit(t, key, letterFields()) // Bob's: never in Alice's list

	rows := func(x exchange) []string {
		var out []string
		for _, m := range regexp.MustCompile(`<tr class="letter" id="letter-([A-Z0-9-]+)"`).FindAllStringSubmatch(x.body, -1) {
			out = append(out, m[1])
		}
		return out
	}
	first := want(t, "page 1", b.get("/app/letters"), http.StatusOK)
	if got := rows(first); len(got) != 25 || got[0] != ids[27] || got[24] != ids[3] {
		t.Fatalf("page 1: %d rows starting %v, want the 25 newest", len(got), got[:1])
	}
	next := regexp.MustCompile(`id="next-page" rel="next" href="([^"]+)"`).FindStringSubmatch(first.body)
	if next == nil {
		t.Fatal("no link to the next page")
	}
	second := want(t, "page 2", b.get(strings.ReplaceAll(next[1], "&amp;", "&")), http.StatusOK)
	if got := rows(second); len(got) != 3 || got[2] != ids[0] {
		t.Errorf("page 2: %v, want the 3 oldest", got)
	}
	if got := rows(want(t, "recipient", b.get("/app/letters?recipient=Carol@Example.org"), 200)); len(got) != 4 {
		t.Errorf("recipient filter: %d rows, want 4", len(got))
	}
	if got := rows(want(t, "search", b.get("/app/letters?q=r%C3%A9siliation"), 200)); len(got) != 4 {
		t.Errorf("search: %d rows, want 4", len(got))
	}
	if got := rows(want(t, "search id", b.get("/app/letters?q="+strings.ToLower(ids[5])), 200)); len(got) != 1 || got[0] != ids[5] {
		t.Errorf("search by id: %v", got)
	}
	if got := rows(want(t, "status", b.get("/app/letters?status=accepted"), 200)); len(got) != 0 {
		t.Errorf("status accepted: %v", got)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	oldest, err := s.db.Notice(t.Context(), ids[0])
	if err != nil {
		t.Fatal(err)
	}
	day := oldest.SubmittedAt.In(paris)
	x := want(t, "dates", b.get("/app/letters?from="+day.Format("2006-01-02")+"&to="+day.Format("2006-01-02")), 200)
	var sameDay int
	for _, id := range ids {
		n, _ := s.db.Notice(t.Context(), id)
		if n.SubmittedAt.In(paris).YearDay() == day.YearDay() {
			sameDay++
		}
	}
	if got := rows(x); len(got) != min(sameDay, 25) {
		t.Errorf("letters of %s: %d rows, want %d", day.Format("2006-01-02"), len(got), sameDay)
	}
	before := want(t, "before", b.get("/app/letters?to="+day.AddDate(0, 0, -1).Format("2006-01-02")), 200)
	if got := rows(before); len(got) != 0 {
		t.Errorf("letters before the first: %v", got)
	}
	want(t, "bad status", b.get("/app/letters?status=lost"), http.StatusUnprocessableEntity)
	want(t, "dates reversed", b.get("/app/letters?from=2026-02-01&to=2026-01-01"), http.StatusUnprocessableEntity)
}
