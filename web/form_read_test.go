package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
)

// kv is one text part, in the order it is sent.
type kv struct{ name, value string }

// everyField fills each of the deposit's text fields with a value of its
// own, so that a field read into the wrong place shows.
var everyField = []kv{
	{"recipient_email", "bob@example.net"}, {"recipient_name", "Bob Martin"}, {"recipient_type", "professional"},
	{"subject", "Mise en demeure"}, {"body", "Madame, Monsieur,"}, {"sender_reference", "DOSSIER-7"},
	{"language", "en"}, {"knowledge_question", "Votre numéro de client ?"}, {"knowledge_answer", "C-99"},
	{"required_assurance", "substantial"}, {"recipient_birthdate", "1980-02-03"},
}

// intakeBody writes a multipart body: the CSRF token first unless "", the
// text parts, then empty nameless file parts as a browser sends them when
// no file was chosen.
func intakeBody(t *testing.T, csrf string, fields []kv, emptyFiles int) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if csrf != "" {
		w.WriteField("_csrf", csrf)
	}
	for _, f := range fields {
		w.WriteField(f.name, f.value)
	}
	for range emptyFiles {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="attachments"; filename=""`)
		h.Set("Content-Type", "application/octet-stream")
		if _, err := w.CreatePart(h); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// intake posts the same body to the API or through the compose form.
type intake struct {
	name string
	post func(t *testing.T, fields []kv, emptyFiles int) exchange
}

func intakes(t *testing.T) (*site, []intake) {
	s := appSite(t)
	_, key := s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	b := s.browser(t)
	b.login("alice@acme.example")
	api := func(t *testing.T, fields []kv, emptyFiles int) exchange {
		body, ctype := intakeBody(t, "", fields, emptyFiles)
		req, _ := http.NewRequest(http.MethodPost, s.url+"/api/v1/notices", bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Authorization", "Bearer "+key)
		return do(t, b.c, req)
	}
	form := func(t *testing.T, fields []kv, emptyFiles int) exchange {
		want(t, "compose form", b.get("/app/letters/new"), http.StatusOK)
		body, ctype := intakeBody(t, b.csrf, fields, emptyFiles)
		req, _ := http.NewRequest(http.MethodPost, b.abs("/app/letters/preview"), bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Accept-Language", "fr-FR")
		x := do(t, b.c, req)
		if x.status != http.StatusSeeOther {
			return x
		}
		x = want(t, "draft", b.get(x.header.Get("Location")), http.StatusOK)
		return want(t, "send", b.post("/app/letters", url.Values{"draft": {draftOf(t, x)}, "send_anyway": {"1"}}), http.StatusSeeOther)
	}
	return s, []intake{{"api", api}, {"form", form}}
}

// The API and the compose form read the deposit with one field table:
// every field lands in its own place in the letter, whichever way it came.
func TestBothIntakesReadEveryField(t *testing.T) {
	s, ways := intakes(t)
	for _, w := range ways {
		t.Run(w.name, func(t *testing.T) {
			x := w.post(t, everyField, 1)
			id := strings.TrimPrefix(x.header.Get("Location"), "/api/v1/notices/")
			id = strings.TrimPrefix(id, "/app/letters/")
			n, err := s.db.Notice(context.Background(), id)
			if err != nil {
				t.Fatalf("%s: %v\n%s", id, err, x)
			}
			got := []kv{
				{"recipient_email", n.Recipient.Email}, {"recipient_name", n.Recipient.Name}, {"recipient_type", n.RecipientType},
				{"subject", n.Subject}, {"body", fmt.Sprint(n.Body.Size)}, {"sender_reference", n.SenderReference},
				{"language", n.Language}, {"knowledge_question", knowledgeQuestion(n)}, {"knowledge_answer", "C-99"},
				{"required_assurance", n.RequiredAssurance}, {"recipient_birthdate", n.RecipientBirthdate},
			}
			for i, f := range everyField {
				want := f.value
				if f.name == "body" {
					want = fmt.Sprint(len(f.value))
				}
				if got[i].value != want {
					t.Errorf("%s: the letter has %q, want %q", f.name, got[i].value, want)
				}
			}
			if n.Knowledge == nil || len(n.Knowledge.AnswerHash) == 0 {
				t.Error("the knowledge answer was not kept")
			}
		})
	}
}

func knowledgeQuestion(n core.Notice) string {
	if n.Knowledge == nil {
		return ""
	}
	return n.Knowledge.Question
}

// Both intakes refuse the same malformed forms with the same code and
// field: the API in JSON, the form in French.
func TestBothIntakesRefuseTheSameForms(t *testing.T) {
	long := strings.Repeat("s", 4097)
	cases := []struct {
		name       string
		fields     []kv
		emptyFiles int
		code       string
		field      string
		french     string
	}{
		{"unknown field", append(append([]kv{}, everyField...), kv{"cc", "eve@example.org"}), 0, core.EINVALID, "cc", "Champ inconnu"},
		{"repeated field", append(append([]kv{}, everyField...), kv{"subject", "Autre"}), 0, core.EINVALID, "subject", "est donné plusieurs fois"},
		{"oversized field", []kv{{"recipient_email", "bob@example.net"}, {"subject", long}}, 0, core.ETOOLARGE, "subject", "dépasse 4 ko"},
		{"too many parts", everyField, 40, core.EINVALID, "", "Le formulaire a trop de champs"},
	}
	s, ways := intakes(t)
	for _, c := range cases {
		for _, w := range ways {
			t.Run(c.name+"/"+w.name, func(t *testing.T) {
				x := w.post(t, c.fields, c.emptyFiles)
				if want := map[string]int{core.EINVALID: 422, core.ETOOLARGE: 413}[c.code]; x.status != want {
					t.Fatalf("%s, want HTTP %d", x, want)
				}
				if w.name == "form" {
					if !strings.Contains(x.body, c.french) {
						t.Fatalf("the form does not say %q:\n%s", c.french, x.body)
					}
					return
				}
				var e struct{ Error struct{ Code, Field string } }
				if err := json.Unmarshal([]byte(x.body), &e); err != nil || e.Error.Code != c.code || e.Error.Field != c.field {
					t.Fatalf("API error %s (%v), want code %s field %q", x.body, err, c.code, c.field)
				}
			})
		}
	}
	if p, err := s.db.ListNotices(context.Background(), core.NoticeScope{Organisation: "ACME"}, core.NoticeQuery{Limit: 10}); err != nil || len(p.Notices) != 0 {
		t.Fatalf("refused forms stored %d letters (%v)", len(p.Notices), err)
	}
}
