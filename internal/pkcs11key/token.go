// Package pkcs11key keeps the seal's and the embedded authority's private
// keys in a PKCS#11 token (an HSM, or SoftHSM in tests) through
// github.com/ThalesGroup/crypto11. The key never leaves the token: DATA keeps
// only a reference file naming the token object, beside the certificate.
package pkcs11key

import (
	"crypto"
	"crypto/elliptic"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/ThalesGroup/crypto11"

	"github.com/lre-project/lre/internal/keyfile"
)

// Config names the token. The PIN comes from the environment only
// (LRE_PKCS11_PIN): a flag would show it in the process list.
type Config struct {
	Module     string // path of the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so
	TokenLabel string
	PIN        string
}

// Token is an open session pool on one token. It implements keyfile.Keys:
// new keys are generated inside the token; key files written before the
// token was configured (PKCS#8 files) still open, so that a data directory
// moves to an HSM one key generation at a time.
type Token struct {
	ctx *crypto11.Context
}

var _ keyfile.Keys = (*Token)(nil)

// Open logs in to the token. It fails with a message naming what is wrong:
// a missing module, an unknown label or a wrong PIN.
func Open(cfg Config) (*Token, error) {
	switch {
	case cfg.Module == "" || cfg.TokenLabel == "":
		return nil, errors.New("pkcs11: --pkcs11-module and --pkcs11-token-label go together")
	case cfg.PIN == "":
		return nil, errors.New("pkcs11: set the token's user PIN in LRE_PKCS11_PIN")
	}
	ctx, err := crypto11.Configure(&crypto11.Config{Path: cfg.Module, TokenLabel: cfg.TokenLabel, Pin: cfg.PIN})
	if err != nil {
		return nil, fmt.Errorf("pkcs11: open token %q with %s: %w", cfg.TokenLabel, cfg.Module, err)
	}
	return &Token{ctx: ctx}, nil
}

// Close ends the sessions. Signers obtained from the token stop working.
func (t *Token) Close() error { return t.ctx.Close() }

// Generate creates a P-256 key pair in the token, labelled after the key
// file and a random suffix (a rotated key gets a new object, the old one is
// left for the operator to destroy), and writes the reference at path.
func (t *Token) Generate(path string, rand io.Reader) (crypto.Signer, error) {
	id := make([]byte, 16)
	if _, err := io.ReadFull(rand, id); err != nil {
		return nil, fmt.Errorf("pkcs11: key id: %w", err)
	}
	label := "lre-" + filepath.Base(path) + "-" + hex.EncodeToString(id[:4])
	key, err := t.ctx.GenerateECDSAKeyPairWithLabel(id, []byte(label), elliptic.P256())
	if err != nil {
		return nil, fmt.Errorf("pkcs11: generate %s: %w", label, err)
	}
	ref := pem.EncodeToMemory(&pem.Block{Type: keyfile.RefBlock, Headers: map[string]string{"Label": label, "Id": hex.EncodeToString(id)}})
	if err := keyfile.WriteAtomic(path, ref, 0o600); err != nil {
		return nil, err
	}
	return key, nil
}

// Open returns the token key a reference file names, or the key of a
// PKCS#8 file.
func (t *Token) Open(path string) (crypto.Signer, error) {
	b, err := keyfile.ReadPrivate(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != keyfile.RefBlock {
		return keyfile.Files{}.Open(path)
	}
	id, err := hex.DecodeString(block.Headers["Id"])
	label := block.Headers["Label"]
	if err != nil || len(id) == 0 || label == "" {
		return nil, fmt.Errorf("pkcs11: %s: malformed key reference", path)
	}
	key, err := t.ctx.FindKeyPair(id, []byte(label))
	switch {
	case err != nil:
		return nil, fmt.Errorf("pkcs11: find %s: %w", label, err)
	case key == nil:
		return nil, fmt.Errorf("pkcs11: the token holds no key %q (referred to by %s)", label, path)
	}
	return key, nil
}
