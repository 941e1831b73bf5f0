package pkcs11key_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lre-project/lre/internal/keyfile"
	"github.com/lre-project/lre/internal/pkcs11key"
	"github.com/lre-project/lre/internal/pkcs11key/pkcs11test"
)

func TestTokenKeySignsAndReopens(t *testing.T) {
	cfg := pkcs11test.NewToken(t)
	tok, err := pkcs11key.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "seal-key.pem")
	key, err := tok.Generate(path, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ref), keyfile.RefBlock) || strings.Contains(string(ref), "PRIVATE KEY") {
		t.Fatalf("key file holds more than a reference:\n%s", ref)
	}
	if _, err := (keyfile.Files{}).Open(path); err == nil || !strings.Contains(err.Error(), "--pkcs11-module") {
		t.Errorf("opening a token reference without a token: %v, want an error naming --pkcs11-module", err)
	}
	tok.Close()

	again, err := pkcs11key.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	reopened, err := again.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	pub := key.Public().(*ecdsa.PublicKey)
	if !pub.Equal(reopened.Public()) {
		t.Fatal("the reference opened another key")
	}
	sum := sha256.Sum256([]byte("checkpoint"))
	sig, err := reopened.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if !ecdsa.VerifyASN1(pub, sum[:], sig) {
		t.Error("the token's signature does not verify under its public key")
	}
}

func TestTokenOpensFileKeys(t *testing.T) {
	cfg := pkcs11test.NewToken(t)
	tok, err := pkcs11key.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tok.Close()
	path := filepath.Join(t.TempDir(), "tsa.key")
	key, err := (keyfile.Files{}).Generate(path, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tok.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if !key.Public().(*ecdsa.PublicKey).Equal(got.Public()) {
		t.Error("a key file made before the token was configured did not open")
	}
}

func TestOpenRefuses(t *testing.T) {
	cfg := pkcs11test.NewToken(t)
	tests := []struct {
		name string
		cfg  pkcs11key.Config
		want string
	}{
		{"no PIN", pkcs11key.Config{Module: cfg.Module, TokenLabel: cfg.TokenLabel}, "LRE_PKCS11_PIN"},
		{"no label", pkcs11key.Config{Module: cfg.Module, PIN: cfg.PIN}, "go together"},
		{"wrong PIN", pkcs11key.Config{Module: cfg.Module, TokenLabel: cfg.TokenLabel, PIN: "0000"}, "open token"},
		{"unknown token", pkcs11key.Config{Module: cfg.Module, TokenLabel: "nope", PIN: cfg.PIN}, "open token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := pkcs11key.Open(tt.cfg)
			if err == nil {
				tok.Close()
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open: %v, want an error saying %q", err, tt.want)
			}
		})
	}
}
