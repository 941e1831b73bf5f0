package web_test

import (
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jhillyerd/enmime/v2"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
	lresmtp "github.com/lre-project/lre/smtp"
)

// composed is the mail as the recipient reads it: the real composer's
// text part.
func composed(t testing.TB, m core.OutgoingMail) string {
	t.Helper()
	raw, err := lresmtp.Compose(m, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	env, err := enmime.ReadEnvelope(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return env.Text + "\n" + env.HTML
}

// TestWhyPageAndFullVerifyAddress: the notification prints the whole
// verification address and the "why did I get this email?" page, which the
// landing and home pages link to and which names the provider and its
// postal address.
func TestWhyPageAndFullVerifyAddress(t *testing.T) {
	s := newSite(t)
	key := s.sender(t, "Cabinet Dupont Avocats", "")
	id, m := s.notified(t, key, letterFields())
	mail := composed(t, m)
	for _, w := range []string{s.url + "/verify", s.url + "/why", id, "lisez bien cette boîte aux lettres"} {
		if !strings.Contains(mail, w) {
			t.Errorf("notification lacks %q:\n%s", w, mail)
		}
	}
	if strings.Contains(mail, "page /verify") || strings.Contains(mail, "vérifier d'abord votre identité") {
		t.Errorf("notification still says page /verify or promises an identity check a code does not make:\n%s", mail)
	}
	b := s.browser(t)
	for path, link := range map[string]string{m.Link: "open-why", "/": "home-why"} {
		x := want(t, path, b.get(path), http.StatusOK)
		if !hasID(x.body, link) || !contains(links(x.body), "/why") {
			t.Errorf("%s has no #%s link to /why", path, link)
		}
	}
	why := text(want(t, "why", b.get("/why"), http.StatusOK).body)
	for _, w := range []string{"Pourquoi ai-je reçu cet e-mail ?", "Poste Test", "1 rue de l'Exemple, Paris", "ne vous demande jamais de payer"} {
		if !strings.Contains(why, w) {
			t.Errorf("why page lacks %q:\n%s", w, why)
		}
	}
	b.identify(m.Link, "")
	otp := composed(t, s.mail.Last(t, core.MailOTP, "bob@example.net"))
	if !strings.Contains(otp, "lettre recommandée électronique "+id) {
		t.Errorf("the code mail does not name letter %s:\n%s", id, otp)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestChoiceSaysAcceptingIsNotAgreeing: the choice and the confirmation of
// an acceptance say plainly that accepting acknowledges receipt only.
func TestChoiceSaysAcceptingIsNotAgreeing(t *testing.T) {
	s := newSite(t)
	key := s.sender(t, "Cabinet Dupont Avocats", "")
	_, m := s.notified(t, key, letterFields())
	b := s.browser(t)
	token := b.identify(m.Link, "")
	const plain = "cela ne veut pas dire que vous êtes d’accord avec son contenu"
	choice := want(t, "choice", b.get("/r/"+token+"/choice"), http.StatusOK)
	confirm := want(t, "confirm", b.post("/r/"+token+"/decide", url.Values{"action": {"accept"}}), http.StatusOK)
	for what, x := range map[string]exchange{"choice": choice, "confirmation": confirm} {
		if !hasID(x.body, "not-agreement") || !strings.Contains(text(x.body), plain) {
			t.Errorf("%s page does not say accepting is not agreeing:\n%s", what, text(x.body))
		}
	}
}

// TestRefusalPageTimeAndProof: the refusal page shows when the refusal was
// recorded and offers the sealed proof of refusal, which only the
// recipient's session of a refused letter can download.
func TestRefusalPageTimeAndProof(t *testing.T) {
	s := newSiteWith(t, []services.Option{withReceipts(t)})
	key := s.sender(t, "Cabinet Dupont Avocats", "")
	id, m := s.notified(t, key, letterFields())
	b := s.browser(t)
	token := b.identify(m.Link, "")
	early := b.get("/r/" + token + "/refusal.pdf")
	if early.status == http.StatusOK {
		t.Fatalf("a proof of refusal was served before any refusal")
	}
	at := s.clock.Now()
	x := want(t, "refuse", b.decide(token, "refuse"), http.StatusOK)
	page := text(x.body)
	if !hasID(x.body, "refused-at") || !strings.Contains(page, "Refus enregistré le "+frenchDate(at.In(paris(t)))) {
		t.Errorf("refusal page lacks the time of refusal (%s):\n%s", frenchDate(at.In(paris(t))), page)
	}
	if !contains(links(x.body), "/r/"+token+"/refusal.pdf") {
		t.Fatalf("refusal page offers no proof: %v", links(x.body))
	}
	pdf := want(t, "proof of refusal", b.get("/r/"+token+"/refusal.pdf"), http.StatusOK)
	if ct := pdf.header.Get("Content-Type"); ct != "application/pdf" || !strings.HasPrefix(pdf.body, "%PDF-") {
		t.Fatalf("proof of refusal: Content-Type %q", ct)
	}
	if got := pdfText(t, []byte(pdf.body)); !strings.Contains(got, "Preuve de refus") || !strings.Contains(got, id) {
		t.Errorf("the PDF is not the proof of refusal of %s:\n%s", id, got)
	}
	stranger := s.browser(t)
	if x := stranger.get("/r/" + token + "/refusal.pdf"); x.status == http.StatusOK {
		t.Errorf("a browser without the recipient's session got the proof of refusal")
	}
}

// pdfText is poppler's pdftotext of pdf.
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext (poppler-utils) is required under CI")
		}
		t.Skip("pdftotext not installed")
	}
	f := filepath.Join(t.TempDir(), "c.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// TestVerifyOffersFreshLink: after a genuine answer on /verify, a POST
// mails a fresh link to the letter's address, which the page never shows;
// the link works, its delivery becomes evidence, a second ask at once is
// refused, a wrong code sends nothing, and a GET changes nothing.
func TestVerifyOffersFreshLink(t *testing.T) {
	s := newSite(t)
	key := s.sender(t, "Cabinet Dupont Avocats", "")
	id, m := s.notified(t, key, letterFields())
	b := s.browser(t)
	want(t, "verify form", b.get("/verify"), http.StatusOK)
	yes := want(t, "genuine", b.post("/verify", url.Values{"notice_id": {id}, "code": {m.Code}}), http.StatusOK)
	if !hasID(yes.body, "resend-link") {
		t.Fatalf("a genuine answer offers no fresh link:\n%s", text(yes.body))
	}
	if c := b.get("/verify/resend"); c.status == http.StatusOK || s.mail.Count(core.MailReminder) != 0 {
		t.Fatalf("GET /verify/resend answered %d and queued mail", c.status)
	}
	bad := want(t, "wrong code", b.post("/verify/resend", url.Values{"notice_id": {id}, "code": {"AAAA-AAAA"}}), http.StatusOK)
	s.outbox(t)
	if hasID(bad.body, "resend-answer") || s.mail.Count(core.MailReminder) != 0 {
		t.Fatalf("a wrong code got a fresh link")
	}
	done := want(t, "fresh link", b.post("/verify/resend", url.Values{"notice_id": {id}, "code": {m.Code}}), http.StatusOK)
	for _, x := range []exchange{yes, done} {
		if strings.Contains(x.body, "bob@example.net") || strings.Contains(x.body, "example.net") {
			t.Errorf("the verification page reveals the address")
		}
	}
	if !strings.Contains(text(done.body), "un nouveau lien part vers l’adresse à laquelle elle a été envoyée") {
		t.Errorf("fresh-link answer: %d %v\n%q", done.status, done.header, done.body)
	}
	s.outbox(t)
	fresh := s.mail.Last(t, core.MailReminder, "bob@example.net")
	if fresh.Link == m.Link || !strings.HasPrefix(fresh.Link, s.url+"/r/") || fresh.NoticeID != id {
		t.Fatalf("fresh link %q (old %q)", fresh.Link, m.Link)
	}
	want(t, "fresh link opens", s.browser(t).get(fresh.Link), http.StatusOK)
	if evs := eventsOf(s.events(t, key, id), core.EventReminderSent); len(evs) != 1 {
		t.Errorf("%d ReminderSent events after a fresh link, want 1", len(evs))
	}
	again := b.post("/verify/resend", url.Values{"notice_id": {id}, "code": {m.Code}})
	if again.status != http.StatusTooManyRequests || !strings.Contains(text(again.body), "déjà été envoyé récemment") {
		t.Errorf("second fresh link at once: %d\n%s", again.status, text(again.body))
	}
	s.outbox(t)
	if n := s.mail.Count(core.MailReminder); n != 1 {
		t.Errorf("%d fresh links sent, want 1", n)
	}
}

// TestRecipientLanguageSwitch: a French letter's pages switch to English
// through a CSRF-protected POST, the choice holds through the next steps,
// and the switch cannot send the reader to another site.
func TestRecipientLanguageSwitch(t *testing.T) {
	s := newSite(t)
	key := s.sender(t, "Cabinet Dupont Avocats", "")
	_, m := s.notified(t, key, letterFields())
	token := strings.TrimPrefix(m.Link, s.url+"/r/")
	b := s.browser(t)
	landing := want(t, "landing", b.get(m.Link), http.StatusOK)
	if !hasID(landing.body, "lang-switch") || !strings.Contains(landing.body, `<html lang="fr">`) {
		t.Fatalf("French landing page without a switch")
	}
	want(t, "switch without CSRF", b.post("/lang", url.Values{"_csrf": {""}, "lang": {"en"}, "back": {"/r/" + token}}), http.StatusForbidden)
	if x := b.get(m.Link); !strings.Contains(x.body, `<html lang="fr">`) {
		t.Fatalf("a forged switch changed the language")
	}
	x := want(t, "switch", b.post("/lang", url.Values{"lang": {"en"}, "back": {"/r/" + token}}), http.StatusSeeOther)
	if loc := x.header.Get("Location"); loc != "/r/"+token {
		t.Errorf("switch returns to %q", loc)
	}
	en := want(t, "landing in English", b.get(m.Link), http.StatusOK)
	if !strings.Contains(en.body, `<html lang="en">`) || !strings.Contains(text(en.body), "A registered electronic letter is waiting for you") {
		t.Fatalf("landing after the switch:\n%s", text(en.body))
	}
	b.identify(m.Link, "")
	choice := want(t, "choice", b.get("/r/"+token+"/choice"), http.StatusOK)
	if !strings.Contains(choice.body, `<html lang="en">`) || !strings.Contains(text(choice.body), "does not mean that you agree with its content") {
		t.Errorf("the choice page did not keep English:\n%s", text(choice.body))
	}
	for _, back := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example"} {
		x := want(t, "switch to "+back, b.post("/lang", url.Values{"lang": {"fr"}, "back": {back}}), http.StatusSeeOther)
		if loc := x.header.Get("Location"); loc != "/" {
			t.Errorf("back=%q redirects to %q", back, loc)
		}
	}
}
