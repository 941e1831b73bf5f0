package e2e_test

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/internal/lretest"
	"github.com/lre-project/lre/rfc3161"
	"github.com/lre-project/lre/smtp"
	"github.com/lre-project/lre/web"
)

// scenarioTime bounds each scenario, browser actions and mail waits included.
const scenarioTime = 60 * time.Second

// site is one running lre as people reach it: its URL, the mail server its
// notifications go to, and the accounts of one organisation.
type site struct {
	base    string
	sink    *sink
	sender  account
	auditor account
}

const cabinetOrg = "Cabinet Martin"

var (
	alice = account{"alice.martin@cabinet-martin.example", "Alice Martin", "correct horse battery staple"}
	carol = account{"carol.audit@cabinet-martin.example", "Carol Audit", "audit trail of the year 2026"}
)

// letterSpec is what a sender types in the compose form.
type letterSpec struct {
	to, toName, subject, body, lang string
	file                            string // attachment path
	assurance                       string // required_assurance; "" leaves the service's default
}

// TestBrowser drives lre's pages in headless Chromium as its users do:
// a sender composes, previews and sends a letter with an attachment; the
// recipient, from the link in the notification mail and a code received by
// mail, accepts it and downloads the attachment, or refuses it; an auditor
// downloads the proof of receipt; and, on a server whose clock is moved,
// the deadline passes without an answer. The first two run against the
// real binary and a real SMTP server on loopback.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	chromium := needTool(t, "chromium")
	needTool(t, "pdftotext")
	began := time.Now()
	b := startBrowser(t, chromium)
	s := startSite(t)
	t.Logf("binary built, server and browser started in %s", time.Since(began).Round(time.Millisecond))
	t.Run("accept", func(t *testing.T) { scenarioAccept(t, b, s) })
	t.Run("refuse", func(t *testing.T) { scenarioRefuse(t, b, s) })
	t.Run("deadline", func(t *testing.T) { scenarioDeadline(t, b) })
}

// startSite runs lre serve as a child process, with the users created by
// lre users add --password-stdin beforehand.
func startSite(t *testing.T) *site {
	t.Helper()
	sk := startSink(t, behaviour{})
	dir := t.TempDir()
	p := newProc(t, dir)
	p.reconfigure("--smtp", sk.addr, "--smtp-starttls", "off", "--base-url", p.url(""))
	addAccount(t, dir, alice, cabinetOrg, "sender")
	addAccount(t, dir, carol, cabinetOrg, "auditor")
	p.start()
	return &site{base: p.url(""), sink: sk, sender: alice, auditor: carol}
}

// newAttachment writes a file to send and returns its path and SHA-256.
func newAttachment(t *testing.T, name string) (string, string) {
	t.Helper()
	content := []byte("%PDF-1.4\n% contrat de bail signé, annexe 2\n")
	content = append(content, rand.Text()...)
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, sha256Hex(content)
}

// compose fills the compose form, previews and sends the letter; it checks
// the preview shows the attachment's SHA-256 and returns the letter's id.
func compose(t *testing.T, sender *tab, s *site, l letterSpec, fileSHA string) string {
	t.Helper()
	sender.open(s.base+"/app/letters/new", http.StatusOK)
	sender.fill("#recipient_email", l.to)
	sender.fill("#recipient_name", l.toName)
	sender.fill("#subject", l.subject)
	sender.do("write the letter",
		chromedp.SetValue(chromedp.CSS("#recipient_type"), "professional"),
		chromedp.SetValue(chromedp.CSS("#body"), l.body),
		chromedp.SetValue(chromedp.CSS("#language"), l.lang),
		chromedp.SetUploadFiles(chromedp.CSS("#attachments"), []string{l.file}),
	)
	if l.assurance != "" {
		sender.do("require an identification level", chromedp.SetValue(chromedp.CSS("#required_assurance"), l.assurance))
	}
	sender.submit("#preview", http.StatusOK)
	if got := sender.text("#preview-subject"); got != l.subject {
		t.Errorf("preview subject %q, want %q", got, l.subject)
	}
	if got := sender.text("tr.part.attachment td.name"); got != filepath.Base(l.file) {
		t.Errorf("preview lists the attachment as %q, want %q", got, filepath.Base(l.file))
	}
	if got := sender.text("tr.part.attachment code.sha256"); got != fileSHA {
		t.Errorf("preview shows SHA-256 %s for the attachment, computed %s", got, fileSHA)
	}
	sender.submit("#send", http.StatusOK)
	id := sender.text("#letter-id")
	if !strings.HasPrefix(id, "LRE-") || sender.location() != s.base+"/app/letters/"+id {
		t.Fatalf("after sending, the browser is on %s showing id %q", sender.location(), id)
	}
	return id
}

// notified waits for the letter's notification and returns its link; the
// mail must not reveal the letter.
func notified(t *testing.T, deadline time.Time, s *site, id string, secrets ...string) string {
	t.Helper()
	text := waitMail(t, deadline, s.sink, notificationID(id))
	for _, x := range secrets {
		if strings.Contains(text, x) {
			t.Errorf("the notification reveals %q", x)
		}
	}
	return recipientLink(t, text, s.base)
}

// identify opens the link, asks for a code, reads it from the mail server
// and enters it; the recipient then faces the choice. The letter's content
// shows nowhere on the way.
func identify(t *testing.T, rcpt *tab, deadline time.Time, s *site, link, id string, secrets ...string) {
	t.Helper()
	rcpt.open(link, http.StatusOK)
	if got := rcpt.text("code.notice-id"); got != id {
		t.Errorf("the link's page shows letter id %q, want %s", got, id)
	}
	rcpt.mustNotShow("the link's page", secrets...)
	rcpt.submit("#request-code", http.StatusOK)
	code := otpCode(t, waitMail(t, deadline, s.sink, otpID(id, 1)))
	rcpt.fill("#code", code)
	rcpt.submit("#verify-code", http.StatusOK)
	if loc := rcpt.location(); loc != link+"/choice" {
		t.Fatalf("after the code the recipient is on %s, want %s/choice", loc, link)
	}
	rcpt.mustNotShow("the choice page", secrets...)
}

func scenarioAccept(t *testing.T, b context.Context, s *site) {
	deadline := time.Now().Add(scenarioTime)
	shots := shotDir(t)
	file, fileSHA := newAttachment(t, "bail-signé.pdf")
	l := letterSpec{to: "bob.durand@example.com", toName: "Bob Durand", lang: "fr",
		subject: "Mise en demeure : loyer impayé (dossier Q7Z4)",
		body:    "Madame, Monsieur,\nvous trouverez ci-joint le bail signé. Référence interne K2P9.\n",
		file:    file}
	secrets := []string{"Q7Z4", "K2P9", "bail-signé", "Mise en demeure"}

	sender := openTab(t, b, "sender", deadline)
	sender.open(s.base+"/login", http.StatusOK)
	sender.shoot(shots, "landing", desktop, phone)
	sender.login(s.base, s.sender.email, s.sender.password)
	id := compose(t, sender, s, l, fileSHA)

	link := notified(t, deadline, s, id, secrets...)
	rcpt := openTab(t, b, "recipient", deadline)
	identify(t, rcpt, deadline, s, link, id, secrets...)
	rcpt.submit("#accept", http.StatusOK)
	rcpt.mustNotShow("the confirmation page", secrets...)
	rcpt.submit("#confirm", http.StatusOK)
	if got := rcpt.text("dd.subject"); got != l.subject {
		t.Errorf("accepted letter shows subject %q, want %q", got, l.subject)
	}
	if got := strings.ReplaceAll(rcpt.textContent(".letter-body"), "\r\n", "\n"); got != l.body {
		t.Errorf("accepted letter shows body %q, want %q", got, l.body)
	}
	const doc = "ul.documents li:nth-child(2) a.document"
	if got := rcpt.text(doc); got != filepath.Base(file) {
		t.Fatalf("second document is %q, want the attachment %q", got, filepath.Base(file))
	}
	if got := sha256Hex(rcpt.download(doc)); got != fileSHA {
		t.Errorf("downloaded attachment has SHA-256 %s, sent %s", got, fileSHA)
	}
	rcpt.shoot(shots, "recipient-letter", desktop, phone)

	auditor := openTab(t, b, "auditor", deadline)
	auditor.login(s.base, s.auditor.email, s.auditor.password)
	if auditor.count("tr.letter#letter-"+id) != 1 {
		t.Errorf("the auditor's list has no row for %s", id)
	}
	auditor.open(s.base+"/app/letters/"+id, http.StatusOK)
	text := pdfText(t, auditor.download("a.certificate#certificate-receipt"))
	for _, want := range []string{id, "Preuve de réception", l.to, fileSHA} {
		if !strings.Contains(text, want) {
			t.Errorf("the receipt certificate lacks %q:\n%s", want, text)
		}
	}

	sender.open(s.base+"/app/letters/"+id, http.StatusOK)
	if got := sender.attr("#letter-status", "class"); !strings.Contains(got, "status-accepted") {
		t.Errorf("sender's letter page status class %q, want status-accepted", got)
	}
	sender.shoot(shots, "sender-letter", desktop, phone)
	t.Logf("screenshots in %s", shots)
}

func scenarioRefuse(t *testing.T, b context.Context, s *site) {
	deadline := time.Now().Add(scenarioTime)
	file, fileSHA := newAttachment(t, "notice.pdf")
	l := letterSpec{to: "dan.refus@example.net", toName: "Dan Refus", lang: "en",
		subject: "Termination of contract W8M3",
		body:    "Dear Sir,\nthe contract ends. Internal reference J5R6.\n",
		file:    file}
	secrets := []string{"W8M3", "J5R6", "Termination of contract", "notice.pdf"}

	sender := openTab(t, b, "sender", deadline)
	sender.login(s.base, s.sender.email, s.sender.password)
	id := compose(t, sender, s, l, fileSHA)

	link := notified(t, deadline, s, id, secrets...)
	rcpt := openTab(t, b, "recipient", deadline)
	identify(t, rcpt, deadline, s, link, id, secrets...)
	rcpt.submit("#refuse", http.StatusOK)
	rcpt.mustNotShow("the confirmation page", secrets...)
	rcpt.submit("#confirm", http.StatusOK)
	if got := rcpt.text("code.notice-id"); got != id {
		t.Errorf("the refusal page shows letter id %q, want %s", got, id)
	}
	rcpt.mustNotShow("the refusal page", secrets...)
	// The letter's own address shows no content either. (It answers 403
	// "shown only after you accept", as if accepting were still possible,
	// where the refused state page would be clearer.)
	if got := rcpt.visit(link + "/letter"); got != http.StatusForbidden && got != http.StatusConflict {
		t.Errorf("the letter's address after a refusal answers %d, want 403 or 409", got)
	}
	rcpt.mustNotShow("the letter's address after a refusal", secrets...)
	rcpt.open(link, http.StatusOK)
	rcpt.mustNotShow("the link after a refusal", secrets...)
	if rcpt.count("#request-code") != 0 {
		t.Error("the link still offers a code after the refusal")
	}

	sender.open(s.base+"/app/letters/"+id, http.StatusOK)
	if got := sender.attr("#letter-status", "class"); !strings.Contains(got, "status-refused") {
		t.Errorf("sender's letter page status class %q, want status-refused", got)
	}
	text := pdfText(t, sender.fetch("a.certificate#certificate-refusal"))
	for _, want := range []string{id, "Proof of refusal", l.to} {
		if !strings.Contains(text, want) {
			t.Errorf("the refusal certificate lacks %q:\n%s", want, text)
		}
	}
}

// inProcess is lre wired as cmd/lre's newApp does, but in this process and
// on a fake clock, because `lre serve` takes its time from the system and
// --deadline-days is at least 1.
type inProcess struct {
	site
	svc   *services.Set
	clock *lretest.Clock // the real time, moved ahead by the test
	users map[string]core.User
}

func startInProcess(t *testing.T) *inProcess {
	t.Helper()
	clock := lretest.Following()
	tsa := lretest.NewAuthority(t)
	ts := rfc3161.NewLocal(tsa)
	seal, err := certs.LoadOrCreateSeal(filepath.Join(t.TempDir(), "seal"), "lre", time.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	sk := startSink(t, behaviour{})
	logs := newLogFile(t, filepath.Join(t.TempDir(), "server.log"))
	log := slog.New(slog.NewTextHandler(logs, nil))
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	svc := lretest.Build(t, lretest.Fixture{Authority: tsa, Clock: clock, NoSender: true},
		services.WithLogger(log),
		services.WithLetters(core.WithMailer(&smtp.Sender{Addr: sk.addr, StartTLS: smtp.TLSOff})),
		services.WithProvider(core.Provider{Name: "lre", FromEmail: "noreply@localhost"}),
		services.WithBaseURL(base),
		services.WithLetters(core.WithBounceDomain("localhost")),
		services.WithLetters(core.WithDeadlines(core.DeadlinePolicy{Days: 15, Location: paris})),
		services.WithEvidence(evidence.WithRenderer(certs.NewRenderer(seal, ts))),
	).Svc
	hs.Config.Handler = web.NewServer(svc, web.Config{BaseURL: base, TSAChainPEM: tsa.ChainPEM(), Logger: log, Now: clock.Now})
	hs.Start()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); svc.Letters.RunOutbox(ctx, 200*time.Millisecond) }()
	t.Cleanup(func() {
		cancel()
		<-done
		hs.Close()
		if t.Failed() {
			t.Logf("server log (last lines):\n%s", logs.tail(40))
		}
	})
	p := &inProcess{site: site{base: base, sink: sk, sender: alice, auditor: carol}, svc: svc, clock: clock, users: map[string]core.User{}}
	for _, a := range []struct {
		account
		role core.Role
	}{{alice, core.RoleSender}, {carol, core.RoleAuditor}} {
		u, _, err := svc.Accounts.AddUser(ctx, a.email, a.name, cabinetOrg, a.role)
		if err == nil {
			err = svc.Accounts.SetPassword(ctx, a.email, a.password)
		}
		if err != nil {
			t.Fatalf("add %s: %v", a.email, err)
		}
		p.users[a.email] = u
	}
	return p
}

func scenarioDeadline(t *testing.T, b context.Context) {
	deadline := time.Now().Add(scenarioTime)
	s := startInProcess(t)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	subject, body := "Convocation à l'assemblée V3N8", "Vous êtes convoqué. Ordre du jour H6T1."
	n, _, err := s.svc.Letters.Deposit(ctx, core.DepositRequest{Sender: s.users[alice.email], RecipientEmail: "eve.absente@example.org",
		RecipientName: "Ève Absente", RecipientType: core.RecipientProfessional, Subject: subject, Body: body, Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{"V3N8", "H6T1", "Convocation"}
	link := notified(t, deadline, &s.site, n.ID, secrets...)

	rcpt := openTab(t, b, "recipient", deadline)
	rcpt.open(link, http.StatusOK)
	if rcpt.count("#request-code") != 1 || rcpt.text("dd.deadline") == "" {
		t.Fatal("before the deadline the link offers no code or shows no deadline")
	}
	s.clock.Add(17 * 24 * time.Hour)
	if got, err := s.svc.Letters.ExpireDeadlines(ctx); err != nil || got != 1 {
		t.Fatalf("ExpireDeadlines 17 days later: %d letters, %v; want 1", got, err)
	}
	rcpt.open(link, http.StatusOK)
	if got := rcpt.text("code.notice-id"); got != n.ID {
		t.Errorf("the expired link shows letter id %q, want %s", got, n.ID)
	}
	if got := rcpt.text("h1"); got != "Le délai est dépassé" {
		t.Errorf("the expired link's title is %q", got)
	}
	if rcpt.count("#request-code") != 0 {
		t.Error("the expired link still offers a code")
	}
	rcpt.mustNotShow("the expired link", secrets...)
	rcpt.open(link+"/letter", http.StatusConflict)
	rcpt.mustNotShow("the letter's address after the deadline", secrets...)

	sender := openTab(t, b, "sender", deadline)
	sender.login(s.base, alice.email, alice.password)
	sender.open(s.base+"/app/letters/"+n.ID, http.StatusOK)
	if got := sender.attr("#letter-status", "class"); !strings.Contains(got, "status-not_claimed") {
		t.Errorf("sender's letter page status class %q, want status-not_claimed", got)
	}
	if sender.count("a.certificate#certificate-non-claim") != 1 {
		t.Error("sender's letter page has no non-claim certificate link")
	}
}
