package e2e_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/internal/oidctest"
)

// TestBrowserOIDC runs identification through an OpenID Connect provider
// in headless Chromium against the real binary: the sender logs in through
// the provider and sends a letter that requires "substantial"; the
// recipient's landing page offers only the provider; the recipient signs
// in on the provider's login page, comes back through the callback,
// accepts, downloads the attachment and the proof of receipt, which says
// how they were identified. The provider runs in the test process on
// loopback (internal/oidctest) and signs real ES256 ID tokens.
func TestBrowserOIDC(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	chromium := needTool(t, "chromium")
	needTool(t, "pdftotext")
	idp := oidctest.Start(t, oidctest.ES256,
		oidctest.User{Login: "alice", Subject: "pairwise-alice-e2e", GivenName: "Alice", FamilyName: "Martin", Email: alice.email, EmailVerified: true, ACR: "eidas2"},
		oidctest.User{Login: "bob", Subject: "pairwise-bob-e2e", GivenName: "Bob Henri", FamilyName: "Durand", Birthdate: "1979-11-03", Email: "bob.durand@example.com", EmailVerified: true, ACR: "eidas2"})
	b := startBrowser(t, chromium)
	sk := startSink(t, behaviour{})
	dir := t.TempDir()
	p := newProc(t, dir)
	p.reconfigure("--smtp", sk.addr, "--smtp-starttls", "off", "--base-url", p.url(""),
		"--oidc-issuer", idp.Issuer, "--oidc-client-id", idp.ClientID, "--oidc-name", "IdP Test+", "--oidc-acr", "eidas2")
	p.env = []string{"LRE_OIDC_CLIENT_SECRET=" + idp.ClientSecret}
	addAccount(t, dir, alice, cabinetOrg, "sender")
	p.start()
	s := &site{base: p.url(""), sink: sk, sender: alice}
	deadline := time.Now().Add(scenarioTime)

	sender := openTab(t, b, "sender", deadline)
	sender.open(s.base+"/login", http.StatusOK)
	sender.submit("#oidc-login", http.StatusOK)
	if loc := sender.location(); !strings.HasPrefix(loc, idp.Issuer+"/authorize?") {
		t.Fatalf("the sender's sign-in leads to %s, not the provider", loc)
	}
	sender.fill("#username", "alice")
	sender.submit("#login", http.StatusOK)
	if loc := sender.location(); loc != s.base+"/app/letters" {
		t.Fatalf("after the provider the sender is on %s", loc)
	}
	file, fileSHA := newAttachment(t, "convocation.pdf")
	l := letterSpec{to: "bob.durand@example.com", toName: "Bob Durand", lang: "fr", assurance: "substantial",
		subject: "Convocation à l’assemblée générale (dossier V3N8)", body: "Madame, Monsieur,\nvous êtes convoqué. Référence T6B1.\n", file: file}
	secrets := []string{"V3N8", "T6B1", "convocation.pdf", "Convocation"}
	id := compose(t, sender, s, l, fileSHA)

	link := notified(t, deadline, s, id, secrets...)
	rcpt := openTab(t, b, "recipient", deadline)
	rcpt.open(link, http.StatusOK)
	rcpt.mustNotShow("the link's page", secrets...)
	if rcpt.count("#oidc-login") != 1 || rcpt.count("#request-code") != 0 || rcpt.count("#required-level") != 1 {
		t.Fatalf("the landing of a substantial letter must offer the provider only:\n%s", rcpt.html())
	}
	shots := shotDir(t)
	rcpt.shoot(shots, "recipient-oidc-landing", desktop, phone)
	rcpt.submit("#oidc-login", http.StatusOK)
	if got := rcpt.text("#acr-values"); got != "eidas2" {
		t.Errorf("the provider was asked for acr_values %q, want eidas2", got)
	}
	rcpt.fill("#username", "bob")
	rcpt.submit("#login", http.StatusOK)
	if loc := rcpt.location(); loc != link+"/choice" {
		t.Fatalf("after the provider the recipient is on %s, want %s/choice", loc, link)
	}
	rcpt.mustNotShow("the choice page", secrets...)
	rcpt.submit("#accept", http.StatusOK)
	rcpt.submit("#confirm", http.StatusOK)
	if got := rcpt.text("dd.subject"); got != l.subject {
		t.Errorf("accepted letter shows subject %q, want %q", got, l.subject)
	}
	const doc = "ul.documents li:nth-child(2) a.document"
	if got := rcpt.text(doc); got != filepath.Base(file) {
		t.Fatalf("second document is %q, want %q", got, filepath.Base(file))
	}
	if got := sha256Hex(rcpt.download(doc)); got != fileSHA {
		t.Errorf("downloaded attachment has SHA-256 %s, sent %s", got, fileSHA)
	}
	receipt := pdfText(t, rcpt.download("#receipt"))
	for _, want := range []string{id, "Preuve de réception", "OpenID Connect", "substantiel", idp.Issuer, "pairwise-bob-e2e", "concordant"} {
		if !strings.Contains(receipt, want) {
			t.Errorf("the recipient's receipt lacks %q:\n%s", want, receipt)
		}
	}

	sender.open(s.base+"/app/letters/"+id, http.StatusOK)
	deposit := pdfText(t, sender.download("a.certificate#certificate-deposit"))
	for _, want := range []string{"Expéditeur authentifié par", "OpenID Connect", "pairwise-alice-e2e"} {
		if !strings.Contains(deposit, want) {
			t.Errorf("the deposit certificate lacks %q:\n%s", want, deposit)
		}
	}
}
