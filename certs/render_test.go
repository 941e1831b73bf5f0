package certs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/core"
)

// Texts every certificate shows, whatever its kind, per language.
var common = map[string][]string{
	"fr": {
		"Service non qualifié", "Lettre recommandée électronique", "Recommandé Numérique SAS",
		"12 rue de l’Épée, 75005 Paris", "Maître Hélène Dupré", "Cabinet Dupré & Associés",
		"François Lefèvre <f.lefevre@example.org>", "« dernier rappel »", "1 250 €",
		"Bail signé – été 2024.pdf", "1 234 567 octets", "Horodatage du dépôt (RFC 3161)",
		"LRE Test TSA", "Vérifier ce document", "openssl ts -verify -in timestamp.tsr -data manifest.json",
	},
	"en": {
		"non-qualified service", "Electronic registered letter", "Recommandé Numérique SAS",
		"Maître Hélène Dupré", "Cabinet Dupré & Associés", "François Lefèvre <f.lefevre@example.org>",
		"1,234,567 bytes", "Deposit timestamp (RFC 3161)", "LRE Test TSA", "Verifying this document",
		"openssl ts -verify -in timestamp.tsr -data manifest.json",
	},
}

// Texts specific to one kind of certificate.
var specific = map[core.CertificateKind]map[string][]string{
	core.CertDeposit: {
		"fr": {"Preuve de dépôt", "SubmissionAcceptance", "l’expéditeur ci-dessous a déposé"},
		"en": {"Proof of deposit", "SubmissionAcceptance"},
	},
	core.CertNotification: {
		"fr": {"Preuve de notification", "http://uri.etsi.org/19522/Event/NotificationForAcceptance", "Date limite d’acceptation", "27 mars 2025 à 23:59:59 (heure de Paris, UTC+01:00)",
			"mx1.example.org", "250 2.0.0 Ok: queued as 4F2A1B3C", "12 mars 2025 à 14:06:41 UTC", "12 mars 2025 à 15:06:41 (heure de Paris, UTC+01:00)"},
		"en": {"Proof of notification", "mx1.example.org", "250 2.0.0 Ok: queued as 4F2A1B3C", "12 March 2025 at 14:06:41 UTC"},
	},
	core.CertReceipt: {
		"fr": {"Preuve de réception", "ConsignmentAcceptance", "Identification du destinataire", "Point de contrôle signé", "— lre.example/log 8Kq2AqVvMEUCIQDk1m5Yp3hQe7w9sX0gJ2bN4cF6tR8uV1a",
			"code à usage unique envoyé par courriel", "email_otp+knowledge_check", "faible (eIDAS)", "20 mars 2025 à 09:30:00 (heure de Paris, UTC+01:00)"},
		"en": {"Proof of receipt", "ConsignmentAcceptance", "one-time code sent by email", "low (eIDAS)"},
	},
	core.CertRefusal: {
		"fr": {"Preuve de refus", "ConsignmentRejection", "email_otp+knowledge_check", "refusée par le destinataire", "lettre refusée par le destinataire (ConsignmentRejection)"},
		"en": {"Proof of refusal", "ConsignmentRejection", "email_otp+knowledge_check", "refused by the recipient"},
	},
	core.CertNonClaim: {
		"fr": {"Preuve de non-réclamation", "AcceptanceRejectionExpiry", "Date limite d’acceptation", "27 mars 2025 à 23:59:59 (heure de Paris, UTC+01:00)"},
		"en": {"Proof of non-claim", "AcceptanceRejectionExpiry", "Acceptance deadline", "27 March 2025 at 22:59:59 UTC"},
	},
}

func TestRender(t *testing.T) {
	r := certs.NewRenderer(testSeal(t), nil)
	for _, kind := range kinds {
		for _, lang := range []string{"fr", "en"} {
			t.Run(string(kind)+"/"+lang, func(t *testing.T) {
				t.Parallel()
				c := certificate(t, kind, lang)
				pdf, err := r.Render(context.Background(), c)
				if err != nil {
					t.Fatal(err)
				}
				path := writeTemp(t, pdf)
				checkText(t, pdf, c, append(common[lang], specific[kind][lang]...))
				checkInfo(t, path, specific[kind][lang][0])
				checkAttachments(t, path, c)
				checkSignature(t, path)
			})
		}
	}
}

func checkText(t *testing.T, pdf []byte, c core.Certificate, want []string) {
	t.Helper()
	text := pdfText(t, pdf)
	want = append(want, c.Notice.ID, c.Notice.Digest, c.Notice.Body.SHA256, c.Notice.Token.Serial,
		fmt.Sprintf("%x", c.Event.Hash), strconv.FormatUint(c.Event.Seq, 10), c.VerifyURL)
	for _, d := range c.Notice.Documents {
		want = append(want, d.SHA256)
	}
	for _, w := range want {
		if !strings.Contains(text, collapse(w)) {
			t.Errorf("pdftotext misses %q", w)
		}
	}
	if t.Failed() {
		t.Logf("pdftotext:\n%s", text)
	}
}

func checkInfo(t *testing.T, path, title string) {
	t.Helper()
	info := run(t, "pdfinfo", path)
	pages := regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`).FindStringSubmatch(info)
	if pages == nil || pages[1] == "0" {
		t.Errorf("pdfinfo: no pages\n%s", info)
	}
	for _, w := range []string{"Title:", title, "LRE-ABCD-EFGH-IJKL-MNOP", "Producer:", "lre certs"} {
		if !strings.Contains(info, w) {
			t.Errorf("pdfinfo misses %q\n%s", w, info)
		}
	}
}

// checkAttachments extracts the attachments with pdfdetach and checks them
// the way the certificate tells an auditor to: openssl verifies the token
// over the manifest, whose SHA-256 is the printed deposit digest.
func checkAttachments(t *testing.T, path string, c core.Certificate) {
	t.Helper()
	list := run(t, "pdfdetach", "-list", path)
	names := []string{"timestamp.tsr", "manifest.json", "events.json"}
	if len(c.Checkpoint) > 0 {
		names = append(names, "checkpoint.txt")
	}
	for _, name := range names {
		if !strings.Contains(list, name) {
			t.Errorf("pdfdetach -list misses %s:\n%s", name, list)
		}
	}
	dir := t.TempDir()
	run(t, "pdfdetach", "-saveall", "-o", dir, path)
	out := run(t, "openssl", "ts", "-verify", "-in", filepath.Join(dir, "timestamp.tsr"),
		"-data", filepath.Join(dir, "manifest.json"), "-CAfile", filepath.Join(fixtures, "tsa-root.pem"))
	if !strings.Contains(out, "Verification: OK") {
		t.Errorf("openssl ts -verify:\n%s", out)
	}
	manifest, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil || digest(string(manifest)) != c.Notice.Digest {
		t.Errorf("manifest.json does not hash to the deposit digest (%v)", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "events.json"))
	if err != nil {
		t.Fatal(err)
	}
	checkEvents(t, b, c)
}

func checkEvents(t *testing.T, b []byte, c core.Certificate) {
	t.Helper()
	var f struct {
		MessageIdentifier string
		AttestedEvidence  string
		Evidences         []struct {
			EvidenceIdentifier string
			EventURI           string
			EventTime          string
			RecipientDetails   struct{ AssuranceLevel string }
			LogRecord          struct {
				Seq            uint64
				PrevHash, Hash string
				CanonicalEvent string
			}
		}
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("events.json: %v", err)
	}
	if f.MessageIdentifier != c.Notice.ID || len(f.Evidences) != len(c.Events) {
		t.Fatalf("events.json: letter %s with %d evidences", f.MessageIdentifier, len(f.Evidences))
	}
	last := f.Evidences[len(f.Evidences)-1]
	if last.EventURI != c.Event.Type.URI() || last.EvidenceIdentifier != f.AttestedEvidence || last.EvidenceIdentifier != c.Notice.ID+"/"+strconv.FormatUint(c.Event.Seq, 10) {
		t.Errorf("events.json: attested evidence %+v", last)
	}
	for i, e := range f.Evidences {
		prev := c.Events[i].PrevHash
		if got := fmt.Sprintf("%x", core.ChainHash(e.LogRecord.Seq, prev, []byte(e.LogRecord.CanonicalEvent))); got != e.LogRecord.Hash {
			t.Errorf("events.json: evidence %d: recomputed hash %s, recorded %s", i, got, e.LogRecord.Hash)
		}
	}
}

// checkSignature runs pdfsig with the seal's root trusted, then again after
// one byte inside the signed range was changed (the creation date: a
// back-dating attempt).
func checkSignature(t *testing.T, path string) {
	t.Helper()
	nss := nssDB(t)
	out := run(t, "pdfsig", "-nssdir", nss, path)
	for _, w := range []string{"Signature is Valid.", "Certificate is Trusted.", "ETSI.CAdES.detached"} {
		if !strings.Contains(out, w) {
			t.Errorf("pdfsig misses %q:\n%s", w, out)
		}
	}
	if last := lastSignature(out); !strings.Contains(last, "- Total document signed") {
		t.Errorf("pdfsig: the newest signature does not cover the whole file:\n%s", out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(b), "/CreationDate")
	if i < 0 {
		t.Fatal("no /CreationDate")
	}
	j := i + strings.Index(string(b[i:]), "D:2") + 2
	b[j] = '1' // 2026 becomes 1026
	tampered := writeTemp(t, b)
	out = run(t, "pdfsig", "-nssdir", nss, tampered)
	if strings.Contains(out, "Signature is Valid.") || !strings.Contains(out, "Digest Mismatch") {
		t.Errorf("pdfsig accepts a tampered file:\n%s", out)
	}
}

// lastSignature returns pdfsig's paragraph about the newest signature (the
// document time-stamp, or the seal when there is none): the one that must
// cover the whole file.
func lastSignature(pdfsig string) string {
	i := strings.LastIndex(pdfsig, "Signature #")
	if i < 0 {
		return ""
	}
	return pdfsig[i:]
}
