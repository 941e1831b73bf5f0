package web_test

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/internal/lretest"
	"github.com/lre-project/lre/rfc3161"
	"github.com/lre-project/lre/smtp"
	"github.com/lre-project/lre/storage"
	"github.com/lre-project/lre/web"
)

// minForeign is the shortest piece of the other language's wording the
// test looks for: shorter ones ("Organisation", "Documents") are words of
// both languages.
const minForeign = 12

// sharedWording is what both languages write alike although the catalogue
// holds it in one of them only: proper nouns, protocol names and the API's
// own parameter names, which an API answer quotes in any language.
var sharedWording = []string{
	"multipart/form-data", "Content-Type: application/json", "Authorization: Bearer",
	"email, name, type, reference, language, birthdate", "deposit, notification, receipt, refusal",
	"low, substantial or high", "sender, auditor or admin", "Idempotency-Key",
	"knowledge_question", "knowledge_answer", "max_total_size", "max_file_name", "batch_max_rows",
	"Organisation",
}

// seen is the visible text of one page, mail or certificate.
type seen struct {
	where, text string
}

// TestNoOtherLanguage walks through every page (the recipient's at every
// step, the verification, why and error pages, the sender's, the account,
// the batch and the app pages, the compose form's and the API's bad-input
// refusals), every kind of mail and every kind of certificate, in French
// and in English, and fails on any piece of the other language's wording
// (pages, error messages, field names, mails, certificates) that the
// reader's language does not share. Pages are read as a browser shows
// them: text nodes and the placeholder, title, aria-label and alt
// attributes; mails by their text and HTML parts and subject; certificates
// with pdftotext.
func TestNoOtherLanguage(t *testing.T) {
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			other := map[string]string{"fr": "en", "en": "fr"}[lang]
			foreign := foreignWording(t, lang)
			if len(foreign) < 300 {
				t.Fatalf("only %d pieces of %s wording: did the catalogues move?", len(foreign), other)
			}
			var all []seen
			for _, p := range letterPages(t, lang) {
				all = append(all, seen{p.name, pageText(t, p.x.body)})
			}
			for _, p := range otherPages(t) {
				if strings.HasPrefix(p.name, lang+"/") {
					all = append(all, seen{p.name, pageText(t, p.x.body)})
				}
			}
			all = append(all, walkApp(t, lang)...)
			for _, s := range all {
				text := identifiers.ReplaceAllString(s.text, " ")
				if strings.TrimSpace(text) == "" {
					t.Errorf("%s: no text", s.where)
				}
				for _, w := range foreign {
					if strings.Contains(text, w) {
						i := strings.Index(text, w)
						t.Errorf("%s %s shows the %s wording %q: …%s…", lang, s.where, other, w, text[max(0, i-60):min(len(text), i+len(w)+60)])
					}
				}
			}
			t.Logf("%d pages, mails, answers and certificates read in %s against %d pieces of %s wording", len(all), lang, len(foreign), other)
		})
	}
}

// walkApp plays a sender and her recipients in lang through one site and
// returns what each page, API answer, mail and certificate showed.
func walkApp(t *testing.T, lang string) []seen {
	s := appSiteOn(t, func(db *storage.DB, a *rfc3161.Authority) []services.Option {
		return []services.Option{lretest.Proofs(t, db, a), services.WithLetters(core.WithLimits(core.Limits{MaxTotalBytes: 64 << 10, MaxFiles: 3, MaxNameBytes: 40}))}
	})
	_, key := s.account(t, "alice@acme.example", "ACME", core.RoleAdmin)
	var out []seen
	page := func(name string, x exchange, status int) exchange {
		t.Helper()
		want(t, lang+" "+name, x, status)
		out = append(out, seen{name, pageText(t, x.body)})
		return x
	}
	b := s.browser(t)
	want(t, "language", b.get("/login?lang="+lang), http.StatusOK)
	page("login", b.get("/login"), 200)
	page("login failed", b.post("/login", url.Values{"email": {"alice@acme.example"}, "password": {"nope"}}), 401)
	b.login("alice@acme.example")
	page("compose", b.get("/app/letters/new"), 200)

	// The compose form's refusals.
	bad := composeFields()
	bad["recipient_email"] = "bob at example"
	page("compose bad address", b.preview(bad, ""), 422)
	bad = composeFields()
	bad["subject"] = ""
	page("compose no subject", b.preview(bad, ""), 422)
	page("compose too large", b.preview(composeFields(), "", upload{"gros.pdf", "application/pdf", make([]byte, 65<<10)}), 413)
	files := make([]upload, 4)
	for i := range files {
		files[i] = upload{"f.pdf", "application/pdf", []byte("%PDF-1.4")}
	}
	page("compose too many files", b.preview(composeFields(), "", files...), 413)
	page("compose long file name", b.preview(composeFields(), "", upload{strings.Repeat("n", 41) + ".pdf", "application/pdf", []byte("x")}), 413)

	// A letter, its pages, its mails and its certificates.
	f := composeFields()
	f["language"] = lang
	x := page("preview", b.preview(f, "", upload{"piece.pdf", "application/pdf", []byte("%PDF-1.4")}), 200)
	x = want(t, "send", b.post("/app/letters", url.Values{"draft": {draftOf(t, x)}}), http.StatusSeeOther)
	id := strings.TrimPrefix(x.header.Get("Location"), "/app/letters/")
	s.outbox(t)
	page("letter", b.get("/app/letters/"+id), 200)
	page("letters", b.get("/app/letters"), 200)
	page("letters filtered", b.get("/app/letters?status=accepted&from=2020-01-01"), 200)
	page("bad filter", b.get("/app/letters?from=yesterday"), 422)
	page("dates in the wrong order", b.get("/app/letters?from=2026-12-01&to=2026-11-01"), 422)
	page("letter not found", b.get("/app/letters/LRE-AAAA-AAAA-AAAA-AAAA"), 404)
	for _, p := range []string{"/app/keys", "/app/users", "/app/webhooks", "/app/consents", "/app/consents/new", "/app/batches/new"} {
		page(p, b.get(p), 200)
	}
	page("why", b.get("/why"), 200)

	// The batch pages.
	page("batch bad rows", b.batchPreview("email,name\nok@example.com,Ok\nnope,Nope\nx@example.com,\n"), 422)
	x = page("batch preview", b.batchPreview(coowners(3), upload{"convocation.pdf", "application/pdf", []byte("%PDF-1.4")}), 200)
	x = want(t, "batch send", b.post("/app/batches", url.Values{"draft": {draftOf(t, x)}}), http.StatusSeeOther)
	page("batch", b.get(x.header.Get("Location")), 200)

	// The recipient accepts after asking for a fresh link on /verify.
	m := s.mail.Last(t, core.MailNotification, "bob@example.net")
	v := s.browser(t)
	want(t, "verify form", v.get("/verify"), 200)
	want(t, "verify language", v.post("/lang", url.Values{"lang": {lang}, "back": {"/verify"}}), http.StatusSeeOther)
	page("verify form", v.get("/verify"), 200)
	page("verify yes", v.post("/verify", url.Values{"notice_id": {id}, "code": {m.Code}}), 200)
	page("verify fresh link", v.post("/verify/resend", url.Values{"notice_id": {id}, "code": {m.Code}}), 200)
	r := s.browser(t)
	token := r.identify(m.Link, "")
	want(t, "accept", r.decide(token, "accept"), http.StatusSeeOther)

	// A refused letter and a letter nobody claims.
	_, m2 := s.notified(t, key, letterIn(lang))
	r2 := s.browser(t)
	r2.decide(r2.identify(m2.Link, ""), "refuse")
	id3, _ := s.notified(t, key, letterIn(lang))
	s.requestConsent(t, key, "conso@example.org", lang)
	s.outbox(t)
	s.clock.Add(16 * 24 * time.Hour)
	if _, err := s.svc.Letters.ExpireDeadlines(t.Context()); err != nil {
		t.Fatal(err)
	}

	for _, kind := range []string{"deposit", "notification", "receipt"} {
		out = append(out, certificateText(t, s, key, id, kind))
	}
	out = append(out, certificateText(t, s, key, noticeOf(t, m2), "refusal"), certificateText(t, s, key, id3, "non-claim"))
	want(t, "verify form again", v.get("/verify"), 200)
	if x := page("verify upload of a certificate", uploadToVerify(t, v, "receipt.pdf", certificatePDF(t, s, key, id, "receipt")), 200); !strings.Contains(x.body, `class="answer yes" role="status" id="upload-report"`) {
		t.Errorf("the upload of a genuine certificate is not confirmed:\n%s", pageText(t, x.body))
	} else {
		for _, said := range map[string][]string{"fr": {"(jeton du dépôt : délivré le", "(cachet : scellé par"}, "en": {"(deposit token: granted", "(seal: sealed by"}}[lang] {
			if !strings.Contains(pageText(t, x.body), said) {
				t.Errorf("the report's checks are not told in %s (no %q):\n%s", lang, said, pageText(t, x.body))
			}
		}
	}
	page("verify upload of something else", uploadToVerify(t, v, "note.txt", []byte("bonjour")), 200)
	req, _ := http.NewRequest(http.MethodGet, s.url+"/api/v1/notices/"+id+"/evidence.zip", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	zip := want(t, "evidence.zip", do(t, s.srv.Client(), req), http.StatusOK)
	x = page("verify upload of a bundle", uploadToVerify(t, v, "evidence.zip", []byte(zip.body)), 200)
	if said := map[string]string{"fr": "(jeton du point de contrôle : délivré le", "en": "(checkpoint token: granted"}[lang]; !strings.Contains(pageText(t, x.body), said) {
		t.Errorf("the bundle's report is not told in %s (no %q):\n%s", lang, said, pageText(t, x.body))
	}

	// The API's refusals, asked in lang.
	for name, body := range map[string]map[string]string{
		"api no subject":  {"subject": ""},
		"api bad address": {"recipient_email": "bob at example"},
		"api bad type":    {"recipient_type": "martian"},
	} {
		fields := letterFields()
		for k, val := range body {
			fields[k] = val
		}
		x := apiDeposit(t, s, key, lang, fields)
		out = append(out, seen{name, x.body})
	}

	kinds := map[core.MailKind]bool{}
	for _, om := range s.mail.Sent() {
		if om.Language != lang {
			continue
		}
		kinds[om.Kind] = true
		out = append(out, seen{"mail " + string(om.Kind), mailText(t, om)})
	}
	for _, k := range []core.MailKind{core.MailNotification, core.MailOTP, core.MailReminder, core.MailConsent, core.MailProof} {
		if !kinds[k] {
			t.Errorf("no %s mail in %s was sent", k, lang)
		}
	}
	return out
}

// noticeOf is the letter a notification announces.
func noticeOf(t *testing.T, m core.OutgoingMail) string {
	t.Helper()
	if m.NoticeID == "" {
		t.Fatal("the mail names no letter")
	}
	return m.NoticeID
}

// apiDeposit posts a letter to the API asking for lang's messages.
func apiDeposit(t *testing.T, s *site, key, lang string, fields map[string]string) exchange {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, s.url+"/api/v1/notices", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Accept-Language", lang)
	x := do(t, s.srv.Client(), req)
	if x.status != http.StatusUnprocessableEntity {
		t.Fatalf("API deposit of %v: %s, want 422", fields, x)
	}
	return x
}

// certificateText reads a certificate of letter id with pdftotext.
func certificateText(t *testing.T, s *site, key, id, kind string) seen {
	t.Helper()
	return seen{"certificate " + kind, collapse(pdfText(t, certificatePDF(t, s, key, id, kind)))}
}

func certificatePDF(t *testing.T, s *site, key, id, kind string) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.url+"/api/v1/notices/"+id+"/certificates/"+kind+".pdf", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	x := do(t, s.srv.Client(), req)
	if x.status != http.StatusOK || !strings.HasPrefix(x.body, "%PDF") {
		t.Fatalf("%s certificate of %s: HTTP %d", kind, id, x.status)
	}
	return []byte(x.body)
}

// uploadToVerify posts a file to the verification page's upload form as a
// browser does.
func uploadToVerify(t *testing.T, b *browser, name string, data []byte) exchange {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("_csrf", b.csrf)
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(data)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.abs("/verify/upload"), &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	return do(t, b.c, req)
}

// mailText composes om as the mailer sends it and returns its subject and
// the decoded text of every part.
func mailText(t *testing.T, om core.OutgoingMail) string {
	t.Helper()
	raw, err := smtp.Compose(om, nil, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	parts := []string{subject}
	var read func(ctype, cte string, body io.Reader)
	read = func(ctype, cte string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(ctype)
		if err != nil {
			t.Fatalf("%s mail: Content-Type %q: %v", om.Kind, ctype, err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				read(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p)
			}
		}
		if strings.EqualFold(cte, "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		switch mt {
		case "text/html":
			parts = append(parts, pageText(t, string(b)))
		case "text/plain":
			parts = append(parts, collapse(string(b)))
		}
	}
	read(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	return strings.Join(parts, "\n")
}

// pageText is what a browser shows of an HTML document: its text nodes
// outside scripts and styles, and the attributes read aloud or shown on
// hover, whitespace collapsed.
func pageText(t *testing.T, body string) string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			b.WriteByte(' ')
		case html.ElementNode:
			if n.Data == "script" || n.Data == "style" {
				return
			}
			for _, a := range n.Attr {
				switch a.Key {
				case "placeholder", "title", "aria-label", "alt":
					b.WriteString(a.Val)
					b.WriteByte(' ')
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
	}
	rec(doc)
	return collapse(b.String())
}

var spaces = regexp.MustCompile(`\s+`)

// identifiers are names, not wording: a policy URN, an address, the
// embedded TSA root's name in a chain, and the embedded TSA's name where it
// is a value of a record of the evidence log (timestamp_tsa), shown as
// recorded; everywhere else pages and certificates write that authority in
// the reader's words.
var identifiers = regexp.MustCompile(`\b(urn|https?):\S+|\S+ embedded TSA root \(non-qualified\)|timestamp_tsa( =)? \S+ embedded TSA \(non-qualified\)`)

func collapse(s string) string { return strings.TrimSpace(spaces.ReplaceAllString(s, " ")) }

// verbOrAction splits a catalogue text at its formatting verbs and a
// template at its actions: what is left is what the reader sees as such.
var verbOrAction = regexp.MustCompile(`%(\[\d+\])?[-+# 0-9.]*[a-zA-Z%]|\{\{.*?\}\}|[\n\t]`)

// foreignWording is the pieces of the other language's wording, at least
// minForeign characters long, that lang's own wording does not contain:
// the pages' and errors' catalogue, the mails' templates and the
// certificates' texts.
func foreignWording(t *testing.T, lang string) []string {
	var own, foreign []string
	for _, p := range append(web.CatalogueTexts(), web.AuditTexts()...) {
		fr, en := p[0], p[1]
		if fr == en && len(fr) >= minForeign && !shared(fr) {
			t.Errorf("%q is the same in French and English: translate it, or list it in sharedWording", fr)
		}
		if lang == "en" {
			fr, en = en, fr
		}
		own, foreign = append(own, fr), append(foreign, en)
	}
	other := map[string]string{"fr": "en", "en": "fr"}[lang]
	own = append(own, mailTemplates(t, lang)...)
	foreign = append(foreign, mailTemplates(t, other)...)
	own = append(own, certs.Wording(lang)...)
	foreign = append(foreign, certs.Wording(other)...)
	mine := collapse(strings.Join(own, " \u0000 "))
	set := map[string]bool{}
	for _, f := range foreign {
		for _, piece := range verbOrAction.Split(f, -1) {
			piece = collapse(strings.Trim(collapse(piece), " ,.;:()«»“”\"'’"))
			if len(piece) < minForeign || strings.Contains(mine, piece) || shared(piece) {
				continue
			}
			set[piece] = true
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// shared reports a piece that is, or lies inside, sharedWording.
func shared(piece string) bool {
	for _, w := range sharedWording {
		if strings.Contains(w, piece) || strings.Contains(piece, w) && len(strings.TrimSpace(strings.ReplaceAll(piece, w, ""))) < minForeign {
			return true
		}
	}
	return false
}

// mailTemplates is the text of the mails' templates in lang, HTML tags
// dropped.
func mailTemplates(t *testing.T, lang string) []string {
	t.Helper()
	var out []string
	for _, ext := range []string{"txt", "html"} {
		b, err := os.ReadFile(filepath.Join("..", "smtp", "templates", lang+"."+ext+".tmpl"))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if ext == "html" {
			s = regexp.MustCompile(`<[^>]*>`).ReplaceAllString(s, "\n")
		}
		out = append(out, html.UnescapeString(s))
	}
	return out
}
