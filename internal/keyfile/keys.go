package keyfile

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Keys creates and opens the private keys whose files live in DATA. A key
// file holds either the key itself (PKCS#8, what Files writes) or, for a key
// kept in a hardware token, a reference to it (a PEM block of type
// RefBlock naming the token object): either way the file next to the
// certificate says where its key is, and a data directory moves between
// hosts with its references intact.
type Keys interface {
	// Generate creates a new ECDSA P-256 key and writes its key file at path
	// (mode 0600), replacing any earlier one.
	Generate(path string, rand io.Reader) (crypto.Signer, error)
	// Open returns the signer a key file written by Generate stands for.
	Open(path string) (crypto.Signer, error)
}

// RefBlock is the PEM block type of a key file that refers to a key held in
// a PKCS#11 token; its Label header names the token object.
const RefBlock = "PKCS11 KEY REFERENCE"

// Files keeps keys in the files themselves: the default custody.
type Files struct{}

var _ Keys = Files{}

// Generate writes a new P-256 key as PKCS#8 PEM, atomically.
func (Files) Generate(path string, rand io.Reader) (crypto.Signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand)
	if err != nil {
		return nil, fmt.Errorf("generate key %s: %w", path, err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode key %s: %w", path, err)
	}
	if err := WriteAtomic(path, EncodePEM(keyBlock, der), 0o600); err != nil {
		return nil, err
	}
	return key, nil
}

// Open reads a PKCS#8 key file; a token reference is refused with an error
// saying which option is missing.
func (Files) Open(path string) (crypto.Signer, error) {
	b, err := ReadPrivate(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	switch {
	case block == nil:
		return nil, fmt.Errorf("read %s: no %s PEM block", path, keyBlock)
	case block.Type == RefBlock:
		return nil, fmt.Errorf("read %s: the key is in the PKCS#11 token object %q: start with --pkcs11-module and --pkcs11-token-label", path, block.Headers["Label"])
	case block.Type != keyBlock:
		return nil, fmt.Errorf("read %s: no %s PEM block", path, keyBlock)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	key, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("read key %s: %T cannot sign", path, k)
	}
	return key, nil
}

// ReadPrivate reads a key file, refusing one that group or others may read,
// as ssh does: a leaked authority or seal key lets anyone back-date or forge
// evidence, and a reference tells where to find the key.
func ReadPrivate(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read key: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("key %s has mode %o, want 600", path, perm)
	}
	return os.ReadFile(path)
}

// Issue signs a certificate for pub from tmpl, by parentKey as parent, or
// self-signed by self when parent is nil. It sets tmpl.SerialNumber from rand.
func Issue(tmpl, parent *x509.Certificate, parentKey crypto.Signer, pub crypto.PublicKey, rand io.Reader) (*x509.Certificate, error) {
	cn := tmpl.Subject.CommonName
	var err error
	if tmpl.SerialNumber, err = RandomPositive(rand); err != nil {
		return nil, fmt.Errorf("serial of %q: %w", cn, err)
	}
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand, tmpl, parent, pub, parentKey)
	if err != nil {
		return nil, fmt.Errorf("issue %q: %w", cn, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse certificate %q: %w", cn, err)
	}
	return cert, nil
}

// GeneratePair creates a key with keys at keyPath, issues its certificate
// from tmpl (self-signed when parent is nil) and writes it at certPath, key
// first so that the certificate's presence marks a completed pair.
func GeneratePair(keys Keys, keyPath, certPath string, tmpl, parent *x509.Certificate, parentKey crypto.Signer, rand io.Reader) (*x509.Certificate, crypto.Signer, error) {
	key, err := keys.Generate(keyPath, rand)
	if err != nil {
		return nil, nil, err
	}
	if parent == nil {
		parentKey = key
	}
	cert, err := Issue(tmpl, parent, parentKey, key.Public(), rand)
	if err != nil {
		return nil, nil, err
	}
	if err := WriteAtomic(certPath, EncodePEM(certBlock, cert.Raw), 0o644); err != nil {
		return nil, nil, err
	}
	return cert, key, nil
}

// OpenPair reads the certificate at certPath and opens its key with keys,
// checking that the key is the certificate's.
func OpenPair(keys Keys, keyPath, certPath string) (*x509.Certificate, crypto.Signer, error) {
	cert, err := ReadCertificate(certPath)
	if err != nil {
		return nil, nil, err
	}
	key, err := keys.Open(keyPath)
	if err != nil {
		return nil, nil, err
	}
	if pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(cert.PublicKey) {
		return nil, nil, fmt.Errorf("%s does not hold the key of %s", filepath.Base(keyPath), filepath.Base(certPath))
	}
	return cert, key, nil
}

// ReadCertificate reads one PEM certificate file.
func ReadCertificate(path string) (*x509.Certificate, error) {
	return readPEM(path, certBlock, x509.ParseCertificate)
}
