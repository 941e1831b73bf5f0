package smtp_test

import (
	"bytes"
	"errors"
	"mime"
	"net/mail"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"github.com/lre-project/lre/core"
	lresmtp "github.com/lre-project/lre/smtp"
)

func TestComposeNotificationFacts(t *testing.T) {
	tests := []struct {
		lang string
		want []string // in both the text and the HTML part
	}{
		{"fr", []string{"7 décembre 2026 à 23:59 (heure de Paris)", "lettre recommandée électronique",
			"vous attend chez", "https://lre.example/verify", "https://lre.example/why", "Pourquoi ai-je reçu ce courriel ?", "lisez bien cette boîte aux lettres", "l'expéditeur en est informé"}},
		{"en", []string{"7 December 2026 at 23:59 (Paris time)", "registered electronic letter",
			"is waiting for you at", "https://lre.example/verify", "https://lre.example/why", "Why did I get this email?", "you can read this mailbox", "the sender is told"}},
		{"de", []string{"7 décembre 2026 à 23:59 (heure de Paris)"}}, // French unless English
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			m := notification()
			m.Language = tt.lang
			env := composeAndRead(t, m)
			common := []string{m.Link, m.NoticeID, m.Code, m.Provider.Name, m.To.Name}
			for _, want := range append(common, tt.want...) {
				if !strings.Contains(env.Text, want) {
					t.Errorf("text part lacks %q", want)
				}
				if !strings.Contains(env.HTML, want) {
					t.Errorf("HTML part lacks %q", want)
				}
			}
			if !strings.Contains(env.HTML, `href="`+m.Link+`"`) {
				t.Errorf("HTML part has no link to %s", m.Link)
			}
		})
	}
}

func TestComposeHeaders(t *testing.T) {
	raw, err := lresmtp.Compose(notification(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	want := map[string]string{
		"From":           `"LRE Example" <notifications@lre.example>`,
		"To":             `"Jean Dupont" <jean.dupont@destinataire.example>`,
		"Date":           "Sun, 22 Nov 2026 09:00:00 +0000",
		"Message-Id":     "<LRE-ABCD-EFGH-IJKL-MNOP-N1@lre.example>",
		"Auto-Submitted": "auto-generated",
		"Mime-Version":   "1.0",
	}
	for k, v := range want {
		if got := msg.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if subject != "Une lettre recommandée électronique vous attend (réf. LRE-ABCD-EFGH-IJKL-MNOP)" {
		t.Errorf("Subject = %q", subject)
	}
	if !strings.HasPrefix(msg.Header.Get("Content-Type"), "multipart/alternative;") {
		t.Errorf("Content-Type = %q", msg.Header.Get("Content-Type"))
	}
	checkLines(t, raw)
	again, _ := lresmtp.Compose(notification(), nil, nil)
	if !bytes.Equal(raw, again) {
		t.Error("composing the same mail twice gave different bytes")
	}
}

func TestComposeEveryKind(t *testing.T) {
	kinds := []struct {
		kind core.MailKind
		fr   []string
		en   []string
	}{
		{core.MailNotification, []string{"vous attend"}, []string{"is waiting for you"}},
		{core.MailReminder, []string{"Rappel", "vous attend toujours"}, []string{"Reminder", "still waiting"}},
		{core.MailOTP, []string{"code d'identification est :", "K7Q2-M9XP", "10 minutes", "lire les courriels de cette adresse", "lettre recommandée électronique LRE-ABCD-EFGH-IJKL-MNOP"},
			[]string{"identification code is:", "K7Q2-M9XP", "10 minutes", "read the emails of this address", "registered electronic letter LRE-ABCD-EFGH-IJKL-MNOP"}},
		{core.MailConsent, []string{"accord", "https://lre.example/r/tok3nS3cret", "confirmez sur la page"},
			[]string{"agree", "https://lre.example/r/tok3nS3cret", "confirm on the page"}},
	}
	for _, k := range kinds {
		for lang, want := range map[string][]string{"fr": k.fr, "en": k.en} {
			t.Run(string(k.kind)+"/"+lang, func(t *testing.T) {
				m := notification()
				m.Kind, m.Language = k.kind, lang
				env := composeAndRead(t, m)
				if env.GetHeader("Subject") == "" {
					t.Error("no subject")
				}
				for _, w := range want {
					if !strings.Contains(env.Text, w) || !strings.Contains(env.HTML, w) {
						t.Errorf("text or HTML lacks %q", w)
					}
				}
			})
		}
	}
}

// R.53-3: the notification must not reveal the sender, the subject or the
// content. The composer cannot leak what it is never given, so this guards
// the input type itself.
func TestOutgoingMailCarriesNothingAboutTheLetter(t *testing.T) {
	typ := reflect.TypeOf(core.OutgoingMail{})
	for i := range typ.NumField() {
		name := strings.ToLower(typ.Field(i).Name)
		for _, banned := range []string{"sender", "subject", "content", "document", "body", "attachment"} {
			if strings.Contains(name, banned) {
				t.Errorf("core.OutgoingMail has field %s: the notification must not reveal the letter", typ.Field(i).Name)
			}
		}
	}
}

func TestComposeRefusesHeaderInjection(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*core.OutgoingMail)
		field string
	}{
		{"CRLF in recipient name", func(m *core.OutgoingMail) { m.To.Name = "Eve\r\nBcc: victim@example.com" }, "to.name"},
		{"LF in recipient name", func(m *core.OutgoingMail) { m.To.Name = "Eve\nBcc: victim@example.com" }, "to.name"},
		{"CR in provider name", func(m *core.OutgoingMail) { m.Provider.Name = "LRE\rX-Evil: 1" }, "provider.name"},
		{"CRLF in recipient email", func(m *core.OutgoingMail) { m.To.Email = "a@example.com\r\nBcc: b@example.com" }, "to.email"},
		{"name in recipient email", func(m *core.OutgoingMail) { m.To.Email = "Eve <a@example.com>" }, "to.email"},
		{"CRLF in id", func(m *core.OutgoingMail) { m.ID = "X\r\nBcc: b@example.com" }, "id"},
		{"angle bracket in id", func(m *core.OutgoingMail) { m.ID = "x>y" }, "id"},
		{"CRLF in notice id", func(m *core.OutgoingMail) { m.NoticeID = "LRE\r\nX: y" }, "notice_id"},
		{"javascript link", func(m *core.OutgoingMail) { m.Link = "javascript:alert(1)" }, "link"},
		{"missing code", func(m *core.OutgoingMail) { m.Code = "" }, "code"},
		{"missing deadline", func(m *core.OutgoingMail) { m.Deadline = time.Time{} }, "deadline"},
		{"unknown kind", func(m *core.OutgoingMail) { m.Kind = "letter" }, "kind"},
		{"non-ASCII address", func(m *core.OutgoingMail) { m.To.Email = "jose@café.example" }, "to.email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := notification()
			tt.edit(&m)
			_, err := lresmtp.Compose(m, nil, nil)
			var e *core.Error
			if !errors.As(err, &e) || e.Code != core.EINVALID || e.Field != tt.field {
				t.Fatalf("error = %v, want EINVALID on %s", err, tt.field)
			}
		})
	}
}

func TestComposeEncodesNonASCIINames(t *testing.T) {
	m := notification()
	m.To.Name = `Élodie "Lou" Müller-Châteauneuf de la Très Longue Lignée des Ducs`
	m.Provider.Name = "Recommandé Électronique =?utf-8?q?x?="
	raw, err := lresmtp.Compose(m, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, raw)
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	to, err := mail.ParseAddress(msg.Header.Get("To"))
	if err != nil || to.Name != m.To.Name || to.Address != m.To.Email {
		t.Errorf("To = %q parsed as %v, %v", msg.Header.Get("To"), to, err)
	}
	if !strings.Contains(msg.Header.Get("To"), "=?utf-8?") {
		t.Errorf("To is not RFC 2047 encoded: %q", msg.Header.Get("To"))
	}
	from, err := mail.ParseAddress(msg.Header.Get("From"))
	if err != nil || from.Name != m.Provider.Name {
		t.Errorf("From = %q parsed as %v, %v", msg.Header.Get("From"), from, err)
	}
}

func TestComposeEscapesHTML(t *testing.T) {
	m := notification()
	m.To.Name = `<script>alert("x")</script>`
	env := composeAndRead(t, m)
	if strings.Contains(env.HTML, "<script>") {
		t.Error("the recipient name reached the HTML part unescaped")
	}
	if !strings.Contains(env.Text, m.To.Name) {
		t.Error("the text part should carry the name as is")
	}
}

func composeAndRead(t *testing.T, m core.OutgoingMail) *enmime.Envelope {
	t.Helper()
	raw, err := lresmtp.Compose(m, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, raw)
	env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(env.Errors) > 0 {
		t.Fatalf("MIME errors: %v", env.Errors)
	}
	return env
}

// checkLines enforces CRLF line ends and RFC 2047's 76 characters, which
// also keeps the quoted-printable body within RFC 2045's limit.
func checkLines(t *testing.T, raw []byte) {
	t.Helper()
	for i, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 76 || strings.ContainsAny(line, "\r\n") {
			t.Errorf("line %d is %d bytes or has a bare line break: %q", i+1, len(line), line)
		}
	}
}
