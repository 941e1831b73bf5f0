package returned_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lre-project/lre/smtp/returned"
)

// fixtureDir holds the repository's own DSN fixtures (testdata/dsn).
const fixtureDir = "../../testdata/dsn"

// TestFixtures reads the repository's DSN fixtures (reports addressed to
// lre's VERP paths) with what each must yield.
func TestFixtures(t *testing.T) {
	type rcpt struct {
		address, action, status string
		reason                  returned.Reason
		hard                    bool
	}
	tests := []struct {
		file, mta, messageID string
		kind                 returned.Kind
		rcpts                []rcpt
	}{
		{"postfix-5.1.1-user-unknown.eml", "relay.lre.example", "LRE-ABCD-EFGH-IJKL-MNOP-N1@lre.example", returned.KindBounce,
			[]rcpt{{"jean.dupont@destinataire.example", "failed", "5.1.1", returned.ReasonUserUnknown, true}}},
		{"exim-5.0.0-user-unknown.eml", "smtp.hebergeur.example", "LRE-QRST-UVWX-YZ23-4567-N1@lre.example", returned.KindBounce,
			[]rcpt{{"m.martin@ancien-domaine.example", "failed", "5.1.1", returned.ReasonUserUnknown, true}}},
		{"exchange-5.1.1-recipient-not-found.eml", "DB9PR07MB1234.eurprd07.prod.outlook.com", "LRE-MNPQ-RSTU-VWXY-Z234-N1@lre.example", returned.KindBounce,
			[]rcpt{{"p.bernard@cabinet-client.example", "failed", "5.1.1", returned.ReasonUserUnknown, true}}},
		{"gmail-5.2.2-mailbox-full.eml", "googlemail.com", "LRE-GHJK-LMNP-QRST-UVWX-N2@lre.example", returned.KindBounce,
			[]rcpt{{"sophie.petit@boite-pleine.example", "failed", "5.2.2", returned.ReasonMailboxFull, false}}},
		{"postfix-4.4.7-delayed.eml", "relay.lre.example", "LRE-WXYZ-2345-6ABC-DEFG-N1@lre.example", returned.KindBounce,
			[]rcpt{{"contact@serveur-lent.example", "delayed", "4.4.7", returned.ReasonNetwork, false}}}, // "connect to ...: Connection timed out"
		{"postfix-5.7.1-policy-block.eml", "relay.lre.example", "LRE-HJKM-NPQR-STUV-WXYZ-N1@lre.example", returned.KindBounce,
			[]rcpt{{"direction@entreprise-filtree.example", "failed", "5.7.1", returned.ReasonBlocked, false}}},
		{"postfix-5.4.4-bad-domain.eml", "relay.lre.example", "LRE-JKMN-PQRS-TUVW-XYZ2-N1@lre.example", returned.KindBounce,
			[]rcpt{{"contact@domaine-inexistant.example", "failed", "5.4.4", returned.ReasonHostUnknown, true}}},
		{"sendmail-multi-recipient.eml", "mail.partenaire.example", "LRE-2345-6789-ABCD-EFGH-N1@lre.example", returned.KindBounce,
			[]rcpt{
				{"a.durand@partenaire.example", "failed", "5.1.1", returned.ReasonUserUnknown, true},
				{"b.leroy@partenaire.example", "delayed", "4.4.1", returned.ReasonNetwork, false},
				{"c.moreau@partenaire.example", "relayed", "2.0.0", returned.ReasonOther, false},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(fixtureDir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			r := returned.Parse(raw)
			if r.Kind != tt.kind || r.ReportingMTA != tt.mta || r.MessageID != tt.messageID {
				t.Errorf("kind %q, reporting MTA %q, message id %q; want %q, %q, %q", r.Kind, r.ReportingMTA, r.MessageID, tt.kind, tt.mta, tt.messageID)
			}
			if len(r.Recipients) != len(tt.rcpts) {
				t.Fatalf("recipients %+v, want %d", r.Recipients, len(tt.rcpts))
			}
			for i, want := range tt.rcpts {
				g := r.Recipients[i]
				if got := (rcpt{g.Address, g.Action, g.Status, g.Reason, g.Hard}); got != want {
					t.Errorf("recipient %d = %+v, want %+v", i, got, want)
				}
			}
		})
	}
}

// TestFixturesBroken: a truncated report and one whose status part is
// garbage are read for what they hold and never panic; a plain-text
// qmail bounce is a bounce.
func TestFixturesBroken(t *testing.T) {
	for file, kind := range map[string]returned.Kind{
		"qmail-plain-bounce.eml":       returned.KindBounce,
		"malformed-truncated.eml":      returned.KindBounce,
		"malformed-garbage-status.eml": returned.KindBounce,
	} {
		raw, err := os.ReadFile(filepath.Join(fixtureDir, file))
		if err != nil {
			t.Fatal(err)
		}
		if r := returned.Parse(raw); r.Kind != kind {
			t.Errorf("%s: kind %q, want %q", file, r.Kind, kind)
		}
	}
}
