package smtp_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"github.com/lre-project/lre/core"
	lresmtp "github.com/lre-project/lre/smtp"
)

func proofMail(lang string, kind core.CertificateKind) core.OutgoingMail {
	pdf := []byte("%PDF-1.7\n" + strings.Repeat("proof bytes ", 40) + "\n%%EOF")
	return core.OutgoingMail{
		ID: "prf-LRE-AAAA-BBBB-CCCC-DDDD", Kind: core.MailProof, Language: lang, NoticeID: "LRE-AAAA-BBBB-CCCC-DDDD",
		To: core.Party{Name: "Alice Martin", Email: "alice@acme.example"}, Recipient: core.Party{Name: "Carole Petit", Email: "carole@example.org"},
		Reference: "DOSSIER-42", Certificate: kind, Link: "https://lre.example/app/letters/LRE-AAAA-BBBB-CCCC-DDDD",
		Provider: core.Provider{Name: "Poste Test", FromEmail: "noreply@lre.example"}, Site: "https://lre.example",
		Date:  time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC),
		Proof: pdf,
	}
}

// TestComposeProofMail: the sender's mail names the outcome, the letter
// and the recipient in its language, and carries the PDF byte for byte.
func TestComposeProofMail(t *testing.T) {
	for _, tc := range []struct {
		lang    string
		kind    core.CertificateKind
		subject string
		text    string
	}{
		{"fr", core.CertReceipt, "Lettre LRE-AAAA-BBBB-CCCC-DDDD acceptée : la preuve est jointe", "a été acceptée par Carole Petit"},
		{"fr", core.CertRefusal, "Lettre LRE-AAAA-BBBB-CCCC-DDDD refusée : la preuve est jointe", "a été refusée par Carole Petit"},
		{"fr", core.CertNonClaim, "Lettre LRE-AAAA-BBBB-CCCC-DDDD non réclamée : la preuve est jointe", "elle est non réclamée"},
		{"en", core.CertReceipt, "Letter LRE-AAAA-BBBB-CCCC-DDDD accepted: the proof is attached", "was accepted by Carole Petit"},
		{"en", core.CertNonClaim, "Letter LRE-AAAA-BBBB-CCCC-DDDD not claimed: the proof is attached", "it is not claimed"},
	} {
		t.Run(tc.lang+"/"+string(tc.kind), func(t *testing.T) {
			m := proofMail(tc.lang, tc.kind)
			raw, err := lresmtp.Compose(m, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if got := env.GetHeader("Subject"); got != tc.subject {
				t.Errorf("subject %q, want %q", got, tc.subject)
			}
			for _, part := range []string{env.Text, regexp.MustCompile(`<[^>]+>`).ReplaceAllString(env.HTML, "")} {
				for _, w := range []string{tc.text, "DOSSIER-42", "LRE-AAAA-BBBB-CCCC-DDDD-" + string(tc.kind) + ".pdf", m.Link} {
					if !strings.Contains(part, w) {
						t.Errorf("a part lacks %q:\n%s", w, part)
					}
				}
			}
			if len(env.Attachments) != 1 {
				t.Fatalf("%d attachments", len(env.Attachments))
			}
			a := env.Attachments[0]
			if a.FileName != "LRE-AAAA-BBBB-CCCC-DDDD-"+string(tc.kind)+".pdf" || a.ContentType != "application/pdf" || !bytes.Equal(a.Content, m.Proof) {
				t.Errorf("attachment %q %q, %d bytes", a.FileName, a.ContentType, len(a.Content))
			}
			again, _ := lresmtp.Compose(m, nil, nil)
			if !bytes.Equal(raw, again) {
				t.Error("composing twice gives two messages")
			}
		})
	}
	m := proofMail("fr", core.CertReceipt)
	pdf := m.Proof
	m.Proof = nil
	if _, err := lresmtp.Compose(m, nil, nil); core.ErrorCode(err) != core.EINVALID {
		t.Errorf("a proof mail without its PDF: %v", err)
	}
	// R.53-3: no mail to a recipient ever carries a file.
	n := proofMail("fr", core.CertReceipt)
	n.Kind, n.Proof, n.Code, n.Deadline = core.MailNotification, pdf, "123456", n.Date.Add(15*24*time.Hour)
	if _, err := lresmtp.Compose(n, nil, nil); core.ErrorCode(err) != core.EINVALID {
		t.Errorf("a notification with a file: %v", err)
	}
}
