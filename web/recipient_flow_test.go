package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
)

func sha256Of(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// secretsOf are the words of a letter that no page may show before the
// recipient accepts.
func secretsOf(f map[string]string, senderName string) []string {
	return []string{f["subject"], "régler la facture 42", senderName, "@acme.example"}
}

func TestRecipientAccepts(t *testing.T) {
	s := newSite(t)
	key := s.sender(t, "Cabinet Dupont Avocats", "Dupont & Associés")
	pdf := append([]byte("%PDF-1.7\n"), make([]byte, 3000)...)
	f := letterFields()
	id, m := s.notified(t, key, f, upload{"facture-42.pdf", "application/pdf", pdf})
	b := s.browser(t)

	landing := want(t, "open link", b.get(m.Link), http.StatusOK)
	page := text(landing.body)
	deadline := m.Deadline.In(paris(t))
	for _, w := range []string{id, "jusqu’au " + frenchDate(deadline), "heure de Paris", "Poste Test"} {
		if !strings.Contains(page, w) {
			t.Errorf("landing page lacks %q:\n%s", w, page)
		}
	}
	for _, secret := range secretsOf(f, "Cabinet Dupont") {
		if strings.Contains(landing.body, secret) {
			t.Errorf("landing page shows %q before acceptance", secret)
		}
	}
	if !hasID(landing.body, "request-code") {
		t.Errorf("landing page has no #request-code")
	}

	token := b.identify(m.Link, "")
	choice := want(t, "choice", b.get("/r/"+token+"/choice"), http.StatusOK)
	if !hasID(choice.body, "accept") || !hasID(choice.body, "refuse") {
		t.Fatalf("choice page lacks #accept or #refuse:\n%s", choice.body)
	}
	confirm := want(t, "decide without confirm", b.post("/r/"+token+"/decide", url.Values{"action": {"accept"}}), http.StatusOK)
	if !hasID(confirm.body, "confirm") {
		t.Fatalf("confirmation page lacks #confirm:\n%s", confirm.body)
	}
	if st := s.status(t, id); st != core.StatusNotified {
		t.Fatalf("status after the confirmation page = %s, want notified", st)
	}
	x := want(t, "confirm accept", b.post("/r/"+token+"/decide", url.Values{"action": {"accept"}, "confirm": {"yes"}}), http.StatusSeeOther)
	if loc := x.header.Get("Location"); loc != "/r/"+token+"/letter" {
		t.Fatalf("accept redirects to %q", loc)
	}

	letter := want(t, "letter", b.get("/r/"+token+"/letter"), http.StatusOK)
	page = text(letter.body)
	for _, w := range []string{f["subject"], "régler la facture 42", "Cabinet Dupont Avocats", "Dupont & Associés", "facture-42.pdf", sha256Of(pdf), sha256Of([]byte(f["body"]))} {
		if !strings.Contains(page, w) {
			t.Errorf("letter page lacks %q", w)
		}
	}
	var doc string
	for _, l := range links(letter.body) {
		if strings.HasSuffix(l, "/documents/doc-01") {
			doc = l
		}
	}
	if doc == "" {
		t.Fatalf("no link to doc-01 in %v", links(letter.body))
	}
	dl := want(t, "download", b.get(doc), http.StatusOK)
	if got := sha256Of([]byte(dl.body)); got != sha256Of(pdf) {
		t.Errorf("downloaded sha256 %s, want %s", got, sha256Of(pdf))
	}
	if cd := dl.header.Get("Content-Disposition"); cd != `attachment; filename="facture-42.pdf"; filename*=UTF-8''facture-42.pdf` {
		t.Errorf("Content-Disposition = %q", cd)
	}
	if ct, ns := dl.header.Get("Content-Type"), dl.header.Get("X-Content-Type-Options"); ct != "application/pdf" || ns != "nosniff" {
		t.Errorf("Content-Type %q, X-Content-Type-Options %q", ct, ns)
	}

	evs := s.events(t, key, id)
	if len(eventsOf(evs, core.EventNotificationAccessTracking)) == 0 {
		t.Errorf("no NotificationAccessTracking in %+v", evs)
	}
	acc := eventsOf(evs, core.EventConsignmentAcceptance)
	if len(acc) != 1 || acc[0].Details["identification_method"] != "email_otp" || acc[0].Details["assurance_level"] != "low" {
		t.Errorf("ConsignmentAcceptance = %+v", acc)
	}
	if len(eventsOf(evs, core.EventConsignmentRejection)) != 0 {
		t.Errorf("a rejection was recorded too")
	}
	handed := map[string]bool{}
	for _, e := range eventsOf(evs, core.EventContentHandover) {
		handed[e.Details["document"]] = true
	}
	if !handed["facture-42.pdf"] || !handed["body.txt"] {
		t.Errorf("ContentHandover events cover %v, want the body and facture-42.pdf", handed)
	}
}

func TestRecipientRefuses(t *testing.T) {
	s := newSite(t)
	key := s.sender(t, "Cabinet Dupont Avocats", "")
	f := letterFields()
	id, m := s.notified(t, key, f, upload{"piece.pdf", "application/pdf", []byte("%PDF-1.4 secret")})
	b := s.browser(t)
	var seen []exchange
	token := b.identify(m.Link, "")
	x := b.decide(token, "refuse")
	want(t, "confirm refuse", x, http.StatusOK)
	if !strings.Contains(text(x.body), "Votre refus est enregistré") {
		t.Errorf("refusal page:\n%s", x.body)
	}
	seen = append(seen, x)
	letter := want(t, "letter after refusal", b.get("/r/"+token+"/letter"), http.StatusConflict)
	doc := want(t, "document after refusal", b.get("/r/"+token+"/documents/doc-01"), http.StatusConflict)
	for _, x := range []exchange{letter, doc} {
		if !strings.Contains(text(x.body), "Cette lettre a été refusée") {
			t.Errorf("after refusal the content pages must show the refused state:\n%s", x.body)
		}
	}
	again := want(t, "link after refusal", b.get(m.Link), http.StatusOK)
	second := want(t, "accept after refusal", b.post("/r/"+token+"/decide", url.Values{"action": {"accept"}, "confirm": {"yes"}}), http.StatusConflict)
	seen = append(seen, letter, doc, again, second)
	if !strings.Contains(text(second.body), "Cette lettre a été refusée") {
		t.Errorf("second decision page:\n%s", second.body)
	}
	for _, x := range seen {
		for _, secret := range append(secretsOf(f, "Cabinet Dupont"), "secret") {
			if strings.Contains(x.body, secret) {
				t.Errorf("a page shows %q after refusal:\n%s", secret, x.body)
			}
		}
	}
	if st := s.status(t, id); st != core.StatusRefused {
		t.Errorf("status %s, want refused", st)
	}
	evs := s.events(t, key, id)
	if rej := eventsOf(evs, core.EventConsignmentRejection); len(rej) != 1 || rej[0].Details["reason"] == "" {
		t.Errorf("ConsignmentRejection = %+v", rej)
	}
	if n := len(eventsOf(evs, core.EventConsignmentAcceptance)) + len(eventsOf(evs, core.EventContentHandover)); n != 0 {
		t.Errorf("%d acceptance or handover events after a refusal", n)
	}
}

func TestRecipientExpiry(t *testing.T) {
	for _, tt := range []struct {
		name  string
		after time.Duration // past the deadline when expiry first runs
	}{
		{"on time", time.Minute},
		{"detected after downtime", 10 * 24 * time.Hour},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t)
			key := s.sender(t, "Cabinet Dupont Avocats", "")
			f := letterFields()
			id, m := s.notified(t, key, f)
			b := s.browser(t)
			s.clock.Add(m.Deadline.Sub(s.clock.Now()) - 2*time.Minute)
			token := b.identify(m.Link, "")

			s.clock.Add(2*time.Minute + tt.after)
			detected := s.clock.Now()
			if n, err := s.svc.Letters.ExpireDeadlines(context.Background()); err != nil || n != 1 {
				t.Fatalf("ExpireDeadlines = %d, %v", n, err)
			}
			exp := eventsOf(s.events(t, key, id), core.EventAcceptanceRejectionExpiry)
			if len(exp) != 1 {
				t.Fatalf("AcceptanceRejectionExpiry events: %+v", exp)
			}
			if exp[0].Details["deadline"] != m.Deadline.UTC().Format(time.RFC3339) {
				t.Errorf("details.deadline = %q, want %s", exp[0].Details["deadline"], m.Deadline.UTC().Format(time.RFC3339))
			}
			if at, err := time.Parse(time.RFC3339Nano, exp[0].Time); err != nil || !at.Equal(detected) {
				t.Errorf("event time %s, want the detection time %s", exp[0].Time, detected)
			}

			page := want(t, "link after expiry", b.get(m.Link), http.StatusOK)
			if !strings.Contains(text(page.body), "la lettre n’a pas été réclamée") || !strings.Contains(text(page.body), frenchDate(m.Deadline.In(paris(t)))) {
				t.Errorf("expired page:\n%s", page.body)
			}
			x := want(t, "decide after expiry", b.post("/r/"+token+"/decide", url.Values{"action": {"accept"}, "confirm": {"yes"}}), http.StatusConflict)
			for _, p := range []exchange{page, x} {
				for _, secret := range secretsOf(f, "Cabinet Dupont") {
					if strings.Contains(p.body, secret) {
						t.Errorf("expired letter shows %q", secret)
					}
				}
			}
			if st := s.status(t, id); st != core.StatusNotClaimed {
				t.Errorf("status %s, want not_claimed", st)
			}
		})
	}
}

func paris(t testing.TB) *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

var frMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// frenchDate is how the pages write a deadline: "8 décembre 2026 à 23:59".
func frenchDate(t time.Time) string {
	day := t.Format("2")
	if day == "1" {
		day = "1er"
	}
	return day + " " + frMonths[t.Month()-1] + " " + t.Format("2006 à 15:04")
}
