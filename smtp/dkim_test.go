package smtp_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"

	lresmtp "github.com/lre-project/lre/smtp"
)

func TestLoadDKIMKey(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8RSA, _ := x509.MarshalPKCS8PrivateKey(rsaKey)
	pkcs8Ed, _ := x509.MarshalPKCS8PrivateKey(edKey)
	tests := []struct {
		name    string
		pem     string
		wantErr string
	}{
		{"PKCS#8 RSA", pemString("PRIVATE KEY", pkcs8RSA), ""},
		{"PKCS#1 RSA", pemString("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey)), ""},
		{"PKCS#8 Ed25519", pemString("PRIVATE KEY", pkcs8Ed), ""},
		{"certificate instead of key", pemString("CERTIFICATE", []byte{1, 2, 3}), "unsupported PEM type"},
		{"not PEM", "hello", "no PEM block"},
		{"corrupt key", pemString("PRIVATE KEY", []byte{1, 2, 3}), "load dkim key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "dkim.pem")
			if err := os.WriteFile(path, []byte(tt.pem), 0o600); err != nil {
				t.Fatal(err)
			}
			signer, err := lresmtp.LoadDKIMKey(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			verifySigned(t, &lresmtp.DKIMConfig{Domain: "lre.example", Selector: "s2026", Signer: signer}, nil)
		})
	}
	if _, err := lresmtp.LoadDKIMKey(filepath.Join(t.TempDir(), "missing.pem")); err == nil {
		t.Error("a missing file loaded")
	}
}

// The signature must hold on what the receiving server actually got, after
// dot-stuffing and CRLF handling on the wire.
func TestDKIMSignatureSurvivesSMTP(t *testing.T) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &lresmtp.DKIMConfig{Domain: "lre.example", Selector: "s2026", Signer: key}
	ts := startServer(t)
	s := lresmtp.Sender{Addr: ts.Addr, StartTLS: lresmtp.TLSOff, DKIM: cfg, Now: clock}
	if _, err := s.Send(context.Background(), notification()); err != nil {
		t.Fatal(err)
	}
	got := ts.received()
	if len(got) != 1 {
		t.Fatalf("server received %d messages", len(got))
	}
	verifySigned(t, cfg, got[0])
}

// verifySigned checks one valid signature by cfg's key on raw (composed
// afresh when raw is nil) and that tampering with the subject breaks it.
func verifySigned(t *testing.T, cfg *lresmtp.DKIMConfig, raw []byte) {
	t.Helper()
	if raw == nil {
		var err error
		if raw, err = lresmtp.Compose(notification(), cfg, nil); err != nil {
			t.Fatal(err)
		}
	}
	record, err := cfg.TXTRecord()
	if err != nil {
		t.Fatal(err)
	}
	opts := &dkim.VerifyOptions{LookupTXT: func(domain string) ([]string, error) {
		if domain != cfg.Selector+"._domainkey."+cfg.Domain {
			t.Errorf("looked up %s", domain)
		}
		return []string{record}, nil
	}}
	verifications, err := dkim.VerifyWithOptions(bytes.NewReader(raw), opts)
	if err != nil || len(verifications) != 1 || verifications[0].Err != nil {
		t.Fatalf("verify: %v %+v", err, verifications)
	}
	v := verifications[0]
	if v.Domain != cfg.Domain {
		t.Errorf("signed for %s", v.Domain)
	}
	for _, h := range []string{"from", "to", "subject", "date", "message-id", "mime-version", "content-type", "auto-submitted"} {
		if !containsFold(v.HeaderKeys, h) {
			t.Errorf("header %s is not signed (%v)", h, v.HeaderKeys)
		}
	}
	tampered := bytes.Replace(raw, []byte("Subject: "), []byte("Subject: Re: "), 1)
	verifications, err = dkim.VerifyWithOptions(bytes.NewReader(tampered), opts)
	if err != nil || len(verifications) != 1 || verifications[0].Err == nil {
		t.Errorf("a tampered subject still verifies: %v %+v", err, verifications)
	}
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func pemString(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

var _ crypto.Signer = ed25519.PrivateKey(nil)
