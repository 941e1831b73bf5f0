package smtp_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
	lresmtp "github.com/lre-project/lre/smtp"
)

const dsnDir = "../testdata/dsn"

func TestParseDSN(t *testing.T) {
	type rcpt struct{ recipient, action, status, reason string }
	tests := []struct {
		file      string
		mta       string
		messageID string
		rcpts     []rcpt
		err       error
	}{
		{"postfix-5.1.1-user-unknown.eml", "relay.lre.example", "LRE-ABCD-EFGH-IJKL-MNOP-N1@lre.example",
			[]rcpt{{"jean.dupont@destinataire.example", "failed", "5.1.1", core.ReasonBadMailbox}}, nil},
		// Exim reports a generic 5.0.0; the quoted reply says 5.1.1.
		{"exim-5.0.0-user-unknown.eml", "smtp.hebergeur.example", "LRE-QRST-UVWX-YZ23-4567-N1@lre.example",
			[]rcpt{{"m.martin@ancien-domaine.example", "failed", "5.1.1", core.ReasonBadMailbox}}, nil},
		{"exchange-5.1.1-recipient-not-found.eml", "DB9PR07MB1234.eurprd07.prod.outlook.com", "LRE-MNPQ-RSTU-VWXY-Z234-N1@lre.example",
			[]rcpt{{"p.bernard@cabinet-client.example", "failed", "5.1.1", core.ReasonBadMailbox}}, nil},
		// Gmail wraps its explanation in multipart/related.
		{"gmail-5.2.2-mailbox-full.eml", "googlemail.com", "LRE-GHJK-LMNP-QRST-UVWX-N2@lre.example",
			[]rcpt{{"sophie.petit@boite-pleine.example", "failed", "5.2.2", core.ReasonMailboxFull}}, nil},
		{"postfix-4.4.7-delayed.eml", "relay.lre.example", "LRE-WXYZ-2345-6ABC-DEFG-N1@lre.example",
			[]rcpt{{"contact@serveur-lent.example", "delayed", "4.4.7", core.ReasonOther}}, nil},
		{"postfix-5.7.1-policy-block.eml", "relay.lre.example", "LRE-HJKM-NPQR-STUV-WXYZ-N1@lre.example",
			[]rcpt{{"direction@entreprise-filtree.example", "failed", "5.7.1", core.ReasonPolicy}}, nil},
		{"postfix-5.4.4-bad-domain.eml", "relay.lre.example", "LRE-JKMN-PQRS-TUVW-XYZ2-N1@lre.example",
			[]rcpt{{"contact@domaine-inexistant.example", "failed", "5.4.4", core.ReasonBadDomain}}, nil},
		{"sendmail-multi-recipient.eml", "mail.partenaire.example", "LRE-2345-6789-ABCD-EFGH-N1@lre.example",
			[]rcpt{
				{"a.durand@partenaire.example", "failed", "5.1.1", core.ReasonBadMailbox},
				{"b.leroy@partenaire.example", "delayed", "4.4.1", core.ReasonOther},
				{"c.moreau@partenaire.example", "relayed", "2.0.0", ""},
			}, nil},
		{"qmail-plain-bounce.eml", "", "", nil, lresmtp.ErrNotDSN},
		{"malformed-truncated.eml", "", "", nil, lresmtp.ErrMalformedDSN},
		{"malformed-garbage-status.eml", "", "", nil, lresmtp.ErrMalformedDSN},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dsnDir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			d, err := lresmtp.ParseDSN(raw)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error = %v, want %v", err, tt.err)
			}
			if d.ReportingMTA != tt.mta || d.MessageID != tt.messageID {
				t.Errorf("reporting MTA %q, message id %q; want %q, %q", d.ReportingMTA, d.MessageID, tt.mta, tt.messageID)
			}
			if len(d.Recipients) != len(tt.rcpts) {
				t.Fatalf("recipients %+v, want %d", d.Recipients, len(tt.rcpts))
			}
			for i, want := range tt.rcpts {
				r := d.Recipients[i]
				got := rcpt{r.Recipient, r.Action, r.Status, r.Reason}
				if got != want {
					t.Errorf("recipient %d = %+v, want %+v", i, got, want)
				}
				if r.Action == "failed" && r.Class != core.DeliveryPermanent || r.Action == "delayed" && r.Class != core.DeliveryTemporary {
					t.Errorf("recipient %d: class %s for action %s", i, r.Class, r.Action)
				}
			}
		})
	}
}

func TestParseDSNDetails(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(dsnDir, "gmail-5.2.2-mailbox-full.eml"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := lresmtp.ParseDSN(raw)
	if err != nil {
		t.Fatal(err)
	}
	r := d.Recipients[0]
	if r.Code != 552 || r.RemoteMTA != "mx.boite-pleine.example" ||
		!strings.HasPrefix(r.Diagnostic, "552-5.2.2 The recipient's inbox is out of storage space. Please direct") {
		t.Errorf("recipient %+v", r)
	}
	if !strings.Contains(d.Explanation, "Message not delivered") {
		t.Errorf("explanation %q", d.Explanation)
	}
}

func TestParseDSNGarbage(t *testing.T) {
	for _, raw := range []string{"", "\x00\x01", "Content-Type: multipart/report; boundary=\"", "Subject: hi\r\n\r\nhello"} {
		if _, err := lresmtp.ParseDSN([]byte(raw)); err == nil {
			t.Errorf("ParseDSN(%q) succeeded", raw)
		}
	}
}

// FuzzParseDSN feeds mutated bounces to ParseDSN, which reads mail from
// strangers: it must never panic (a recovered panic surfaces as a "parser
// panic" error and fails here) and never accept a report without
// recipients. Run it with a bounded minimisation, or shrinking a
// multi-kilobyte MIME input looks like a hang ("execs: 0/sec"):
//
//	go test -run '^$' -fuzz FuzzParseDSN -fuzztime 5m -fuzzminimizetime 3x ./smtp/
func FuzzParseDSN(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(dsnDir, "*.eml"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds in %s: %v", dsnDir, err)
	}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		d, err := lresmtp.ParseDSN(raw)
		if err != nil {
			if strings.Contains(err.Error(), "parser panic") {
				t.Fatalf("the MIME parser panicked: %v", err)
			}
			if !errors.Is(err, lresmtp.ErrNotDSN) && !errors.Is(err, lresmtp.ErrMalformedDSN) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if len(d.Recipients) == 0 {
			t.Fatal("a DSN without recipients was accepted")
		}
		for _, r := range d.Recipients {
			if r.Recipient == "" || r.Action == "" || r.Action != strings.ToLower(r.Action) {
				t.Fatalf("bad recipient %+v", r)
			}
		}
	})
}
