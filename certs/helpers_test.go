package certs_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/rfc3161"
)

var update = flag.Bool("update", false, "rewrite testdata/certs (manifest.json, golden texts)")

const fixtures = "../testdata/certs"

// tool returns the path of an external program, skipping the test when it
// is missing, or failing it on CI where it must be installed
// (apt-get install poppler-utils libnss3-tools openssl).
func tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not installed: apt-get install poppler-utils libnss3-tools openssl", name)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(tool(t, name), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// shared holds what every test reuses: creating a seal and an NSS database
// takes longer than rendering all the certificates.
var shared struct {
	once     sync.Once
	dir      string
	seal     *certs.Seal
	err      error
	nssOnce  sync.Once
	nss      string
	tsaOnce  sync.Once
	tsa      core.Timestamper
	tsaChain string
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

func testSeal(t testing.TB) *certs.Seal {
	t.Helper()
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "certs-test")
		if shared.err == nil {
			shared.seal, shared.err = certs.LoadOrCreateSeal(filepath.Join(shared.dir, "seal"), "LRE Test Seal", time.Now, rand.Reader)
		}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.seal
}

// nssDB returns an NSS database that trusts the test seal's root, for
// pdfsig -nssdir.
func nssDB(t testing.TB) string {
	t.Helper()
	seal := testSeal(t)
	tool(t, "certutil")
	shared.nssOnce.Do(func() {
		dir := filepath.Join(shared.dir, "nss")
		root := filepath.Join(shared.dir, "seal-root.pem")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(root, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: seal.Root().Raw}), 0o644); err != nil {
			t.Fatal(err)
		}
		run(t, "certutil", "-N", "-d", "sql:"+dir, "--empty-password")
		run(t, "certutil", "-A", "-d", "sql:"+dir, "-n", "root", "-t", "C,C,", "-i", root)
		shared.nss = "sql:" + dir
	})
	if shared.nss == "" {
		t.Fatal("NSS database setup failed in an earlier test")
	}
	return shared.nss
}

// Test letter. Its manifest is core.Manifest of it; deposit.tsr is an
// openssl time-stamp over that manifest (testdata/certs/mkfixtures.sh).
var (
	submitted = time.Date(2025, 3, 12, 14, 5, 9, 123_000_000, time.UTC)
	notified  = time.Date(2025, 3, 12, 14, 6, 41, 0, time.UTC)
	decided   = time.Date(2025, 3, 20, 8, 30, 0, 0, time.UTC)
	deadline  = time.Date(2025, 3, 27, 22, 59, 59, 0, time.UTC) // end of 27 March, Paris
)

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func testNotice() core.Notice {
	return core.Notice{
		ID:           "LRE-ABCD-EFGH-IJKL-MNOP",
		SenderUserID: "usr-1",
		Sender: core.Party{
			Name: "Maître Hélène Dupré", Email: "helene.dupre@cabinet-dupre.example",
			Organisation: "Cabinet Dupré & Associés",
		},
		Recipient: core.Party{
			Name: "François Lefèvre", Email: "f.lefevre@example.org",
			Assurance: "low", Method: "email_otp",
		},
		RecipientType:   core.RecipientConsumer,
		Subject:         "Mise en demeure : loyer impayé de 1 250 € (« dernier rappel »)",
		SenderReference: "DOS-2025/042",
		Language:        "fr",
		Body:            core.Document{Name: "lettre.txt", MediaType: "text/plain; charset=utf-8", Size: 2048, SHA256: digest("body"), Key: "blob/1"},
		Documents: []core.Document{
			{Name: "Bail signé – été 2024.pdf", MediaType: "application/pdf", Size: 1_234_567, SHA256: digest("bail"), Key: "blob/2"},
			{Name: "Décompte des sommes dues.pdf", MediaType: "application/pdf", Size: 98_304, SHA256: digest("decompte"), Key: "blob/3"},
		},
		Status:      core.StatusDeposited,
		SubmittedAt: submitted,
	}
}

// letterFixture returns the manifest and verified deposit token of
// testNotice, or rewrites manifest.json under -update.
func letterFixture(t testing.TB) ([]byte, core.Token) {
	t.Helper()
	manifest, sum, err := core.Manifest(testNotice())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(fixtures, "manifest.json")
	if *update {
		if err := os.WriteFile(path, manifest, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	onDisk, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(onDisk, manifest) {
		t.Fatalf("%s is not core.Manifest of the test letter (%v): run go test -run TestFixtures -update, then sh testdata/certs/mkfixtures.sh", path, err)
	}
	der, err := os.ReadFile(filepath.Join(fixtures, "deposit.tsr"))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := hex.DecodeString(sum)
	tok, err := rfc3161.VerifyToken(der, d, tsaRoots(t), nil)
	if err != nil {
		t.Fatalf("deposit.tsr does not cover manifest.json (rerun testdata/certs/mkfixtures.sh): %v", err)
	}
	return manifest, tok
}

func tsaRoots(t testing.TB) *x509.CertPool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, "tsa-root.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		t.Fatal("tsa-root.pem holds no certificate")
	}
	return pool
}

// certificate builds what core would hand the renderer for kind, with a
// real hash chain of events.
func certificate(t testing.TB, kind core.CertificateKind, lang string) core.Certificate {
	t.Helper()
	manifest, tok := letterFixture(t)
	n := testNotice()
	n.Language = lang
	n.Digest = digest(string(manifest))
	n.DepositedAt = tok.Time
	n.Token = &tok
	events := []core.Event{{Type: core.EventSubmissionAcceptance, Time: tok.Time, Details: map[string]string{"submitted_at": submitted.Format(time.RFC3339Nano)}}}
	if kind != core.CertDeposit {
		events = append(events, core.Event{Type: core.EventNotificationForAcceptance, Time: notified, Details: map[string]string{
			"mail_kind": "notification", "message_id": "<n-1@lre.example>", "recipient": n.Recipient.Email,
			"remote_host": "mx1.example.org", "reply_code": "250", "enhanced_code": "2.0.0",
			"reply_text": "2.0.0 Ok: queued as 4F2A1B3C", "attempts": "1",
		}})
	}
	identified := map[string]string{"identification_method": "email_otp+knowledge_check", "assurance_level": "low", "recipient": n.Recipient.Email}
	switch kind {
	case core.CertReceipt:
		events = append(events, core.Event{Type: core.EventConsignmentAcceptance, Time: decided, Details: identified})
	case core.CertRefusal:
		identified["reason"] = "refused by the recipient"
		events = append(events, core.Event{Type: core.EventConsignmentRejection, Time: decided, Details: identified})
	case core.CertNonClaim:
		events = append(events, core.Event{Type: core.EventAcceptanceRejectionExpiry, Time: deadline.Add(time.Second), Details: map[string]string{"deadline": deadline.Format(time.RFC3339)}})
	}
	prev := bytes.Repeat([]byte{0x5a}, 32) // other letters' records come first
	for i := range events {
		events[i].Seq = uint64(4200 + i)
		events[i].NoticeID = n.ID
		events[i].PrevHash = prev
		body, err := core.EventBytes(events[i])
		if err != nil {
			t.Fatal(err)
		}
		events[i].Hash = core.ChainHash(events[i].Seq, prev, body)
		prev = events[i].Hash
	}
	c := core.Certificate{
		Kind:      kind,
		Language:  lang,
		Provider:  core.Provider{Name: "Recommandé Numérique SAS", Address: "12 rue de l’Épée, 75005 Paris", FromEmail: "noreply@lre.example"},
		Notice:    n,
		Event:     events[len(events)-1],
		Events:    events,
		Manifest:  manifest,
		VerifyURL: "https://lre.example/verify/LRE-ABCD-EFGH-IJKL-MNOP",
	}
	if kind != core.CertDeposit {
		c.Deadline = deadline
	}
	if kind == core.CertReceipt {
		c.Checkpoint = []byte(checkpoint)
	}
	return c
}

// checkpoint is a signed note (golang.org/x/mod/sumdb/note) as the log
// would publish it.
const checkpoint = "lre.example/log\n4203\nq1Xb9cT0mJ2PZ6e1w0f4f0pR3yQm1cE4bP1n8k3d7sU=\n\n— lre.example/log 8Kq2AqVvMEUCIQDk1m5Yp3hQe7w9sX0gJ2bN4cF6tR8uV1aZ3dL5eH7iOw==\n"

var kinds = []core.CertificateKind{core.CertDeposit, core.CertNotification, core.CertReceipt, core.CertRefusal, core.CertNonClaim}

// pdfText returns the text pdftotext extracts, whitespace collapsed so that
// wrapped values read as one line.
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	return collapse(run(t, "pdftotext", "-enc", "UTF-8", writeTemp(t, pdf), "-"))
}

var spaces = regexp.MustCompile(`[\s\x{a0}]+`)

func collapse(s string) string { return spaces.ReplaceAllString(s, " ") }

func writeTemp(t testing.TB, b []byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "certificate.pdf")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// testAuthority returns the project's embedded time-stamping authority
// (rfc3161), to time-stamp signatures, and the file holding its chain
// for openssl ts -verify -CAfile.
func testAuthority(t testing.TB) (core.Timestamper, string) {
	t.Helper()
	testSeal(t)
	shared.tsaOnce.Do(func() {
		dir := filepath.Join(shared.dir, "tsa")
		a, err := rfc3161.LoadOrCreateAuthority(dir, "LRE Test", time.Now, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		shared.tsaChain = filepath.Join(shared.dir, "tsa-chain.pem")
		if err := os.WriteFile(shared.tsaChain, a.ChainPEM(), 0o644); err != nil {
			t.Fatal(err)
		}
		shared.tsa = rfc3161.NewLocal(a)
	})
	if shared.tsa == nil {
		t.Fatal("time-stamping authority setup failed in an earlier test")
	}
	return shared.tsa, shared.tsaChain
}
