package integration_test

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"testing"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/lre-project/lre/core"
	lresmtp "github.com/lre-project/lre/smtp"
)

// What the MX received carries a DKIM signature that a receiver checks
// with the published TXT record: the signature survives the SMTP
// transfer (dot-stuffing, line endings) and covers the headers that matter.
func TestDKIMSignatureVerifiesAtTheMX(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		signer crypto.Signer
	}{
		{"RSA 2048", rsaKey},
		{"Ed25519", edKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := startMX(t)
			w := newWorld(t, m.addr)
			cfg := &lresmtp.DKIMConfig{Domain: "lre.test", Selector: "lre2026", Signer: tt.signer}
			w.sender.DKIM = cfg
			txt, err := cfg.TXTRecord()
			if err != nil {
				t.Fatal(err)
			}
			n := w.deposit(recipientEmail)
			w.rounds(1)
			if got := w.notice(n.ID).Status; got != core.StatusNotified {
				t.Fatalf("status = %s, want notified", got)
			}
			got := m.received()
			if len(got) != 1 {
				t.Fatalf("MX accepted %d messages, want 1", len(got))
			}

			var lookups []string
			vs, err := dkim.VerifyWithOptions(bytes.NewReader(got[0].Data), &dkim.VerifyOptions{
				LookupTXT: func(domain string) ([]string, error) {
					lookups = append(lookups, domain)
					return []string{txt}, nil
				},
			})
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if len(vs) != 1 {
				t.Fatalf("%d DKIM signatures, want 1", len(vs))
			}
			v := vs[0]
			if v.Err != nil {
				t.Fatalf("DKIM signature does not verify: %v", v.Err)
			}
			if v.Domain != "lre.test" || len(lookups) != 1 || lookups[0] != "lre2026._domainkey.lre.test" {
				t.Errorf("signed for %q, looked up %q", v.Domain, lookups)
			}
			for _, h := range []string{"from", "to", "subject", "date", "message-id", "auto-submitted"} {
				if !containsFold(v.HeaderKeys, h) {
					t.Errorf("signature does not cover %s (covers %q)", h, v.HeaderKeys)
				}
			}

			// A relay that rewrites the body must break the signature.
			tampered := bytes.Replace(got[0].Data, []byte("Bonjour"), []byte("Bonsoir"), 1)
			vs, err = dkim.VerifyWithOptions(bytes.NewReader(tampered), &dkim.VerifyOptions{
				LookupTXT: func(string) ([]string, error) { return []string{txt}, nil },
			})
			if err != nil || len(vs) != 1 || vs[0].Err == nil {
				t.Errorf("a tampered body still verifies (err %v)", err)
			}
		})
	}
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if bytes.EqualFold([]byte(x), []byte(s)) {
			return true
		}
	}
	return false
}
