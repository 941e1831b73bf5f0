package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/internal/oidctest"
)

// TestRecipientSignsInWithProvider runs the whole flow through a real
// provider on loopback for a letter that requires "substantial": the email
// code is not offered (and refused if asked for), the provider's identity
// matches, the recipient accepts and downloads, and every event they cause
// records the method, issuer, subject, level and name match.
func TestRecipientSignsInWithProvider(t *testing.T) {
	p := oidctest.Start(t, oidctest.ES256, bobMartin)
	s := newSiteWith(t, []services.Option{withReceipts(t)}, withProvider(p))
	key := s.sender(t, "Cabinet Dupont Avocats", "")
	f := letterFields()
	f["required_assurance"] = "substantial"
	f["recipient_birthdate"] = "1981-06-14"
	pdf := append([]byte("%PDF-1.7\n"), make([]byte, 500)...)
	id, m := s.notified(t, key, f, upload{"piece.pdf", "application/pdf", pdf})
	b := s.browser(t)
	token := tokenOf(s, m.Link)

	landing := want(t, "landing", b.get(m.Link), http.StatusOK)
	checkPage(t, landing.body)
	if !hasID(landing.body, "oidc-login") || hasID(landing.body, "request-code") || !hasID(landing.body, "required-level") {
		t.Fatalf("landing of a substantial letter must offer #oidc-login, say the level and not offer the code:\n%s", landing.body)
	}
	if csp := landing.header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' "+p.Issuer) {
		t.Errorf("CSP does not let the sign-in form reach the provider: %s", csp)
	}
	code := want(t, "ask for a code anyway", b.post("/r/"+token+"/code", nil), http.StatusForbidden)
	if s.mail.Count(core.MailOTP) != 0 || !strings.Contains(text(code.body), "substantiel") {
		t.Errorf("a code was sent, or the refusal does not name the level:\n%s", code.body)
	}

	back := b.signIn(token, "bob")
	x := want(t, "callback", b.get(back), http.StatusSeeOther)
	if loc := x.header.Get("Location"); loc != "/r/"+token+"/choice" {
		t.Fatalf("callback redirects to %q", loc)
	}
	if st := s.status(t, id); st != core.StatusNotified {
		t.Fatalf("the callback changed the letter: %s", st)
	}
	want(t, "accept", b.decide(token, "accept"), http.StatusSeeOther)
	letter := want(t, "letter", b.get("/r/"+token+"/letter"), http.StatusOK)
	if !strings.Contains(text(letter.body), f["subject"]) || !hasID(letter.body, "receipt") {
		t.Errorf("letter page lacks the subject or the receipt link:\n%s", letter.body)
	}
	dl := want(t, "download", b.get("/r/"+token+"/documents/doc-01"), http.StatusOK)
	if sha256Of([]byte(dl.body)) != sha256Of(pdf) {
		t.Errorf("downloaded document differs")
	}
	rc := want(t, "receipt", b.get("/r/"+token+"/receipt.pdf"), http.StatusOK)
	if !strings.HasPrefix(rc.body, "%PDF-") || rc.header.Get("Content-Type") != "application/pdf" {
		t.Errorf("receipt is not a PDF: %q", rc.header.Get("Content-Type"))
	}

	evs := s.events(t, key, id)
	wantID := map[string]string{
		"identification_method": "oidc", "assurance_level": "substantial", "identification_issuer": p.Issuer,
		"identification_subject": "pairwise-7f3a", "name_match": "match",
	}
	acc := eventsOf(evs, core.EventConsignmentAcceptance)
	handed := eventsOf(evs, core.EventContentHandover)
	if len(acc) != 1 || len(handed) < 2 {
		t.Fatalf("acceptance %v, handovers %v", acc, handed)
	}
	for _, e := range append(acc, handed...) {
		for k, v := range wantID {
			if e.Details[k] != v {
				t.Errorf("%s details[%s] = %q, want %q", e.Type, k, e.Details[k], v)
			}
		}
	}
	if n := len(eventsOf(evs, core.EventIdentificationFailure)); n != 0 {
		t.Errorf("%d IdentificationFailure events after a good sign-in", n)
	}
	checkETSIRecipient(t, s, id, "http://eidas.europa.eu/LoA/substantial", "urn:lre:authn:oidc")
}

// checkETSIRecipient builds the ETSI EN 319 522 evidence of the letter's
// acceptance from the stored log and checks the recipient's
// AssuranceLevelsDetails.
func checkETSIRecipient(t *testing.T, s *site, id, level, method string) {
	t.Helper()
	ctx := context.Background()
	n, err := s.db.Notice(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := s.db.NoticeEvents(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	manifest, _, err := core.Manifest(n)
	if err != nil {
		t.Fatal(err)
	}
	l, err := evidence.ETSILetterFromManifest(manifest)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range evs {
		if e.Type != core.EventConsignmentAcceptance {
			continue
		}
		ev, err := evidence.BuildETSIEvidence(l, evidence.ETSIIssuerOf(core.Provider{Name: "Poste Test"}), evs[:i+1])
		if err != nil {
			t.Fatal(err)
		}
		a := ev.RecipientDetails[0].AssuranceLevels
		if a == nil || a.GlobalAssuranceLevel.AssuranceLevel != level || a.AuthenticationDetails.AuthenticationMethod != method {
			t.Errorf("ETSI recipient assurance %+v, want %s by %s", a, level, method)
		}
		return
	}
	t.Fatal("no ConsignmentAcceptance")
}

// TestRecipientProviderRefusals: each faulty answer of the provider, and
// each person the letter's rules refuse, gets a page in the letter's
// language that says what failed and what to do, no session, no decision,
// and an IdentificationFailure event naming the reason (never the
// untrusted identity).
func TestRecipientProviderRefusals(t *testing.T) {
	mutate := func(f func(map[string]any)) oidctest.Knobs { return oidctest.Knobs{Mutate: f} }
	low := bobMartin
	low.Login, low.ACR = "bob-low", "eidas1"
	noACR := bobMartin
	noACR.Login, noACR.ACR = "bob-noacr", ""
	other := bobMartin
	other.Login, other.GivenName, other.FamilyName, other.Subject = "robert", "Robert", "Martinez", "pairwise-other"
	born := bobMartin
	born.Login, born.Birthdate = "bob-born", "1981-06-15"
	cases := []struct {
		name       string
		login      string
		knobs      oidctest.Knobs
		status     int
		reason     string
		fr, en     string
		mismatched string
	}{
		{"wrong signature", "bob", oidctest.Knobs{ForeignKey: true}, 401, core.ReasonTokenSignature, "n’est pas signée", "is not signed", ""},
		{"wrong issuer", "bob", mutate(func(c map[string]any) { c["iss"] = "https://idp.evil.example" }), 401, core.ReasonTokenIssuer, "un autre fournisseur", "another identity provider", ""},
		{"wrong audience", "bob", mutate(func(c map[string]any) { c["aud"] = "another-client" }), 401, core.ReasonTokenAudience, "destinée à un autre service", "meant for another service", ""},
		{"wrong nonce", "bob", mutate(func(c map[string]any) { c["nonce"] = "replayed-nonce" }), 401, core.ReasonTokenNonce, "ne correspond pas à cette connexion", "does not belong to this sign-in", ""},
		{"expired", "bob", mutate(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() }), 401, core.ReasonTokenExpired, "a expiré", "has expired", ""},
		{"missing acr", "bob-noacr", oidctest.Knobs{}, 403, core.ReasonACRMissing, "pas indiqué le niveau", "did not say which assurance level", ""},
		{"lower acr than required", "bob-low", oidctest.Knobs{}, 403, core.ReasonAssuranceTooLow, "exige le niveau « substantiel »", "requires the level “substantial”", ""},
		{"name mismatch", "robert", oidctest.Knobs{}, 403, core.ReasonNameMismatch, "le nom de famille", "the family name", "mismatch:family_name+given_name"},
		{"birth date mismatch", "bob-born", oidctest.Knobs{}, 403, core.ReasonNameMismatch, "la date de naissance", "the date of birth", "mismatch:birthdate"},
	}
	p := oidctest.Start(t, oidctest.RS256, bobMartin, low, noACR, other, born)
	s := newSite(t, withProvider(p))
	key := s.sender(t, "Cabinet Dupont Avocats", "")
	for _, lang := range []string{"fr", "en"} {
		for _, tt := range cases {
			t.Run(lang+"/"+tt.name, func(t *testing.T) {
				p.Set(tt.knobs)
				defer p.Set(oidctest.Knobs{})
				f := letterFields()
				f["language"], f["required_assurance"], f["recipient_birthdate"] = lang, "substantial", "1981-06-14"
				id, m := s.notified(t, key, f)
				b := s.browser(t)
				token := tokenOf(s, m.Link)
				want(t, "landing", b.get(m.Link), http.StatusOK)
				x := want(t, "callback", b.get(b.signIn(token, tt.login)), tt.status)
				page := text(x.body)
				msg := tt.fr
				if lang == "en" {
					msg = tt.en
				}
				if !strings.Contains(page, msg) || !hasID(x.body, "what-now") || !hasID(x.body, "oidc-login") {
					t.Errorf("refusal page lacks %q, #what-now or a way to try again:\n%s", msg, page)
				}
				checkPage(t, x.body)
				if x.header.Get("Content-Language") != lang {
					t.Errorf("page language %q, want %s", x.header.Get("Content-Language"), lang)
				}
				want(t, "choice without identification", b.get("/r/"+token+"/choice"), http.StatusUnauthorized)
				evs := s.events(t, key, id)
				fails := eventsOf(evs, core.EventIdentificationFailure)
				if len(fails) != 1 || fails[0].Details["reason"] != tt.reason || fails[0].Details["identification_issuer"] != p.Issuer {
					t.Fatalf("IdentificationFailure events %+v, want one with reason %s", fails, tt.reason)
				}
				if got := fails[0].Details["name_match"]; got != tt.mismatched {
					t.Errorf("name_match = %q, want %q", got, tt.mismatched)
				}
				for _, v := range fails[0].Details {
					if strings.Contains(v, "Robert") || strings.Contains(v, "1981-06-15") {
						t.Errorf("the evidence keeps another person's identity: %v", fails[0].Details)
					}
				}
				if n := len(eventsOf(evs, core.EventConsignmentAcceptance)) + len(eventsOf(evs, core.EventContentHandover)); n != 0 {
					t.Errorf("%d acceptance or handover events after a refusal", n)
				}
			})
		}
	}
}

// TestRecipientProviderReplay: a callback replayed with its sign-in cookie
// (a code already redeemed) is refused by the provider and recorded; one
// without the cookie, or with another state, is refused without a trace,
// since nothing shows whose it is.
func TestRecipientProviderReplay(t *testing.T) {
	p := oidctest.Start(t, oidctest.ES256, bobMartin)
	s := newSite(t, withProvider(p))
	key := s.sender(t, "Cabinet Dupont Avocats", "")
	id, m := s.notified(t, key, letterFields())
	b := s.browser(t)
	token := tokenOf(s, m.Link)
	want(t, "landing", b.get(m.Link), http.StatusOK)
	back := b.signIn(token, "bob")
	cookie := b.signInCookie()
	if cookie == nil {
		t.Fatal("no sign-in cookie after starting a sign-in")
	}
	want(t, "callback", b.get(back), http.StatusSeeOther)
	if b.signInCookie() != nil {
		t.Error("the sign-in cookie outlives its callback")
	}
	lost := want(t, "replay without the cookie", s.browser(t).get(back), http.StatusBadRequest)
	checkPage(t, lost.body)
	if !hasID(lost.body, "signin-lost") {
		t.Errorf("lost sign-in page:\n%s", lost.body)
	}
	u, _ := url.Parse(s.url)
	thief := s.browser(t)
	thief.c.Jar.SetCookies(u, []*http.Cookie{{Name: cookie.Name, Value: cookie.Value, Path: "/"}})
	forged := strings.Replace(back, "state=", "state=x", 1)
	want(t, "callback with another state", thief.get(forged), http.StatusBadRequest)
	if n := len(eventsOf(s.events(t, key, id), core.EventIdentificationFailure)); n != 0 {
		t.Fatalf("%d IdentificationFailure events for callbacks nobody can be tied to", n)
	}
	replayer := s.browser(t)
	replayer.c.Jar.SetCookies(u, []*http.Cookie{{Name: cookie.Name, Value: cookie.Value, Path: "/"}})
	x := want(t, "replayed code", replayer.get(back), http.StatusUnauthorized)
	if !strings.Contains(text(x.body), "refusé de confirmer") {
		t.Errorf("replay page:\n%s", x.body)
	}
	fails := eventsOf(s.events(t, key, id), core.EventIdentificationFailure)
	if len(fails) != 1 || fails[0].Details["reason"] != core.ReasonCodeRefused {
		t.Errorf("IdentificationFailure after a replay: %+v", fails)
	}
	want(t, "replayer's choice", replayer.get("/r/"+token+"/choice"), http.StatusUnauthorized)
	if issued, _ := p.Counts(); issued != 1 {
		t.Errorf("provider issued %d ID tokens, want 1", issued)
	}
}

// TestRecipientComesBack: after the session of an acceptance ended, the
// link offers identification again (it used to loop back to the same
// page), by code or by the provider, and the letter and receipt are
// handed over again.
func TestRecipientComesBack(t *testing.T) {
	p := oidctest.Start(t, oidctest.ES256, bobMartin)
	s := newSiteWith(t, []services.Option{withReceipts(t)}, withProvider(p))
	key := s.sender(t, "Cabinet Dupont Avocats", "")
	_, m := s.notified(t, key, letterFields())
	b := s.browser(t)
	token := b.identify(m.Link, "")
	want(t, "accept", b.decide(token, "accept"), http.StatusSeeOther)
	s.clock.Add(40 * 24 * time.Hour)

	later := s.browser(t)
	st := want(t, "letter after the session ended", later.get("/r/"+token+"/letter"), http.StatusConflict)
	checkPage(t, st.body)
	if !hasID(st.body, "request-code") || !hasID(st.body, "oidc-login") {
		t.Fatalf("an accepted letter's page must offer identification again:\n%s", st.body)
	}
	landing := want(t, "link after acceptance", later.get(m.Link), http.StatusOK)
	if !hasID(landing.body, "request-code") || !hasID(landing.body, "oidc-login") {
		t.Fatalf("the link of an accepted letter must offer identification:\n%s", landing.body)
	}
	x := want(t, "come back with the provider", later.get(later.signIn(token, "bob")), http.StatusSeeOther)
	x = want(t, "choice", later.get(x.header.Get("Location")), http.StatusSeeOther)
	if loc := x.header.Get("Location"); loc != "/r/"+token+"/letter" {
		t.Fatalf("an identified recipient of an accepted letter goes to %q", loc)
	}
	letter := want(t, "letter", later.get("/r/"+token+"/letter"), http.StatusOK)
	if !strings.Contains(text(letter.body), letterFields()["subject"]) {
		t.Errorf("letter page after coming back:\n%s", letter.body)
	}
	rc := want(t, "receipt", later.get("/r/"+token+"/receipt.pdf"), http.StatusOK)
	if !strings.HasPrefix(rc.body, "%PDF-") {
		t.Error("receipt is not a PDF")
	}

	byCode := s.browser(t)
	want(t, "ask a code again", byCode.post("/r/"+token+"/code", url.Values{"_csrf": {csrfOf(landing.body)}}), http.StatusForbidden)
}

// TestRecipientProviderWithQuestion: the sender's question is asked on
// the provider's way too, and a wrong answer opens nothing, however good
// the identity.
func TestRecipientProviderWithQuestion(t *testing.T) {
	p := oidctest.Start(t, oidctest.ES256, bobMartin)
	s := newSite(t, withProvider(p))
	key := s.sender(t, "Cabinet Dupont Avocats", "")
	f := letterFields()
	f["knowledge_question"], f["knowledge_answer"] = "Votre numéro de client ?", "C-4242"
	id, m := s.notified(t, key, f)
	b := s.browser(t)
	token := tokenOf(s, m.Link)
	landing := want(t, "landing", b.get(m.Link), http.StatusOK)
	checkPage(t, landing.body)
	if !hasID(landing.body, "oidc-knowledge") {
		t.Fatalf("the provider's form does not ask the sender's question:\n%s", landing.body)
	}
	x := want(t, "wrong answer", b.get(b.signInWith(token, "bob", url.Values{"knowledge_answer": {"C-0000"}})), http.StatusUnprocessableEntity)
	if !strings.Contains(text(x.body), "ne correspond pas") || !hasID(x.body, "oidc-knowledge") {
		t.Errorf("wrong answer page:\n%s", x.body)
	}
	want(t, "choice after a wrong answer", b.get("/r/"+token+"/choice"), http.StatusUnauthorized)
	x = want(t, "right answer", b.get(b.signInWith(token, "bob", url.Values{"knowledge_answer": {" c-4242 "}})), http.StatusSeeOther)
	want(t, "accept", b.decide(token, "accept"), http.StatusSeeOther)
	acc := eventsOf(s.events(t, key, id), core.EventConsignmentAcceptance)
	if len(acc) != 1 || acc[0].Details["identification_method"] != "oidc+knowledge_check" {
		t.Errorf("acceptance %+v", acc)
	}
}

// TestRecipientProviderCancelled: a person who cancels at the provider
// comes back to a page that lets them start again, and nothing is
// recorded: a cancel is no failed identification.
func TestRecipientProviderCancelled(t *testing.T) {
	p := oidctest.Start(t, oidctest.ES256, bobMartin)
	s := newSite(t, withProvider(p))
	key := s.sender(t, "Cabinet Dupont Avocats", "")
	id, m := s.notified(t, key, letterFields())
	b := s.browser(t)
	token := tokenOf(s, m.Link)
	want(t, "landing", b.get(m.Link), http.StatusOK)
	x := want(t, "start sign-in", b.post("/r/"+token+"/oidc", nil), http.StatusSeeOther)
	auth, err := url.Parse(x.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	back := s.url + "/oidc/callback?" + url.Values{"error": {"access_denied"}, "state": {auth.Query().Get("state")}}.Encode()
	page := want(t, "cancelled", b.get(back), http.StatusUnauthorized)
	if !strings.Contains(text(page.body), "annulée") || !hasID(page.body, "oidc-login") {
		t.Errorf("cancel page:\n%s", page.body)
	}
	if n := len(eventsOf(s.events(t, key, id), core.EventIdentificationFailure)); n != 0 {
		t.Errorf("%d IdentificationFailure events for a cancel", n)
	}
}

// TestRecipientProviderDown: when the provider cannot be reached at the
// callback, the page says so (503, try again or use another means) and
// the letter's evidence records nothing: an outage is nobody's failure.
func TestRecipientProviderDown(t *testing.T) {
	p := oidctest.Start(t, oidctest.ES256, bobMartin)
	s := newSite(t, withProvider(p))
	key := s.sender(t, "Cabinet Dupont Avocats", "")
	id, m := s.notified(t, key, letterFields())
	b := s.browser(t)
	token := tokenOf(s, m.Link)
	want(t, "landing", b.get(m.Link), http.StatusOK)
	back := b.signIn(token, "bob")
	p.Close()
	x := want(t, "callback while the provider is down", b.get(back), http.StatusServiceUnavailable)
	if !strings.Contains(text(x.body), "n’a pas répondu correctement") || !hasID(x.body, "request-code") || x.header.Get("Retry-After") == "" {
		t.Errorf("outage page:\n%s", x.body)
	}
	if n := len(eventsOf(s.events(t, key, id), core.EventIdentificationFailure)); n != 0 {
		t.Errorf("%d IdentificationFailure events for an outage", n)
	}
}
