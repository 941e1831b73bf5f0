package smtp

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"
	_ "time/tzdata" // the deadline zone exists even on a container without zoneinfo

	"github.com/lre-project/lre/core"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// The wording lives in one text and one HTML file per language, parsed once
// at start-up: a broken template fails every test instead of one send.
var (
	textTemplates = map[string]*texttemplate.Template{
		"fr": parseText("fr"),
		"en": parseText("en"),
	}
	htmlTemplates = map[string]*htmltemplate.Template{
		"fr": parseHTML("fr"),
		"en": parseHTML("en"),
	}
)

func parseText(lang string) *texttemplate.Template {
	return texttemplate.Must(texttemplate.New(lang).ParseFS(templateFS, "templates/"+lang+".txt.tmpl"))
}

func parseHTML(lang string) *htmltemplate.Template {
	funcs := htmltemplate.FuncMap{"button": func(link, label string) buttonView {
		return buttonView{Link: link, Label: label}
	}}
	return htmltemplate.Must(htmltemplate.New(lang).Funcs(funcs).ParseFS(templateFS, "templates/"+lang+".html.tmpl"))
}

// view holds what the templates may show. It is built from OutgoingMail field
// by field, so nothing about the sender or the letter's content can reach a
// template by accident (R.53-3).
type view struct {
	Name            string // recipient display name, may be empty
	Provider        string
	ProviderAddress string
	Qualified       bool
	NoticeID        string
	Deadline        string // already formatted in the deadline zone
	Link            string
	VerifyURL       string // the public verification page, printed in full
	WhyURL          string // "why did I get this email?"
	Code            string
	IdentityChecked bool
	// Only in the proof mail to the sender (MailProof).
	Outcome        string // the certificate kind: receipt, refusal, non-claim
	Recipient      string
	RecipientEmail string
	Reference      string
	Attachment     string // the attached file's name
}

type buttonView struct{ Link, Label string }

func newView(m core.OutgoingMail, lang string, zone *time.Location) view {
	v := view{
		Name:            m.To.Name,
		Provider:        m.Provider.Name,
		ProviderAddress: m.Provider.Address,
		Qualified:       m.Provider.Qualified,
		NoticeID:        m.NoticeID,
		Link:            m.Link,
		Code:            m.Code,
		IdentityChecked: m.IdentityChecked,
	}
	if m.Kind == core.MailProof {
		v.Outcome, v.Recipient, v.RecipientEmail, v.Reference = string(m.Certificate), m.Recipient.Name, m.Recipient.Email, m.Reference
		v.Attachment = proofName(m)
	}
	if !m.Deadline.IsZero() {
		v.Deadline = formatDeadline(m.Deadline, lang, zone)
	}
	site := strings.TrimRight(m.Site, "/")
	if u, err := url.Parse(m.Link); site == "" && err == nil && u.Host != "" {
		site = u.Scheme + "://" + u.Host // mail queued before Site existed
	}
	if site != "" {
		v.VerifyURL, v.WhyURL = site+"/verify", site+"/why"
	}
	return v
}

// proofName is the file name of the proof a MailProof carries.
func proofName(m core.OutgoingMail) string {
	return m.NoticeID + "-" + string(m.Certificate) + ".pdf"
}

// language picks the wording: French unless English is asked for.
func language(lang string) string {
	if lang == "en" {
		return "en"
	}
	return "fr"
}

// render executes the subject, text and HTML templates of one kind.
func render(kind core.MailKind, lang string, v view) (subject, text, html string, err error) {
	tt, ht := textTemplates[lang], htmlTemplates[lang]
	name := string(kind)
	if tt.Lookup(name+".subject") == nil {
		return "", "", "", core.FieldError(core.EINVALID, "kind", "unknown mail kind %q", kind)
	}
	var s, t, h bytes.Buffer
	if err := tt.ExecuteTemplate(&s, name+".subject", v); err != nil {
		return "", "", "", fmt.Errorf("render %s subject: %w", name, err)
	}
	if err := tt.ExecuteTemplate(&t, name+".text", v); err != nil {
		return "", "", "", fmt.Errorf("render %s text: %w", name, err)
	}
	if err := ht.ExecuteTemplate(&h, name+".html", v); err != nil {
		return "", "", "", fmt.Errorf("render %s html: %w", name, err)
	}
	return s.String(), t.String(), h.String(), nil
}

var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin",
	"juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// formatDeadline writes the deadline the way a recipient reads a date, in
// the deadline zone because the days are counted there (Paris for French
// law), and names it as the pages and certificates do (core.ZoneCity).
func formatDeadline(t time.Time, lang string, zone *time.Location) string {
	if zone == nil {
		zone = core.DefaultDeadlineLocation()
	}
	p, city := t.In(zone), core.ZoneCity(zone)
	if lang == "en" {
		return fmt.Sprintf("%d %s %d at %s (%s time)", p.Day(), p.Month(), p.Year(), p.Format("15:04"), city)
	}
	day := fmt.Sprint(p.Day())
	if p.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d à %s (heure de %s)", day, frenchMonths[p.Month()-1], p.Year(), p.Format("15:04"), city)
}
