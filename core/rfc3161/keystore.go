package rfc3161

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// Validity periods of the embedded PKI. The root outlives the signer so that
// a signer can be renewed under the same trust anchor; backdate absorbs clock
// skew between us and whoever verifies a fresh token.
const (
	rootValidity   = 20 * 365 * 24 * time.Hour
	signerValidity = 10 * 365 * 24 * time.Hour
	backdate       = time.Hour
)

// File names inside the authority directory. The certificate is written after
// its key, so a certificate file marks a completed pair: a key without one is
// left over from an interrupted start and is replaced.
const (
	rootBase   = "root"
	signerBase = "tsa"
	keySuffix  = ".key"
	certSuffix = ".pem"
)

// timeStampingOnly is the DER of an ExtKeyUsage SEQUENCE holding the single
// OID 1.3.6.1.5.5.7.3.8. It is added by hand because x509.Certificate's
// ExtKeyUsage field is always encoded non-critical, which RFC 3161 forbids.
var timeStampingOnly = pkix.Extension{
	Id:       oidExtKeyUsage,
	Critical: true,
	Value:    []byte{0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08},
}

var errNoPair = errors.New("no certificate yet")

// loadPair reads dir/base.pem and dir/base.key; errNoPair means the
// certificate is absent and the pair should be created.
func loadPair(dir, base string) (*x509.Certificate, crypto.Signer, error) {
	certPEM, err := os.ReadFile(filepath.Join(dir, base+certSuffix))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, errNoPair
	}
	if err != nil {
		return nil, nil, err
	}
	cert, err := parsePEM(certPEM, "CERTIFICATE", x509.ParseCertificate)
	if err != nil {
		return nil, nil, fmt.Errorf("%s%s: %w", base, certSuffix, err)
	}
	key, err := loadKey(filepath.Join(dir, base+keySuffix))
	if err != nil {
		return nil, nil, err
	}
	if pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(cert.PublicKey) {
		return nil, nil, fmt.Errorf("%s%s does not hold the key of %s%s", base, keySuffix, base, certSuffix)
	}
	return cert, key, nil
}

// loadKey refuses a key file others can read, as ssh does: a leaked TSA key
// lets anyone back-date evidence.
func loadKey(path string) (crypto.Signer, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("certificate without its key: %w", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s has mode %o, want 600", path, info.Mode().Perm())
	}
	keyPEM, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := parsePEM(keyPEM, "PRIVATE KEY", x509.ParsePKCS8PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s: %T cannot sign", path, key)
	}
	return signer, nil
}

func parsePEM[T any](data []byte, blockType string, parse func([]byte) (T, error)) (T, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != blockType {
		var zero T
		return zero, fmt.Errorf("no %s PEM block", blockType)
	}
	return parse(block.Bytes)
}

// createPair generates a P-256 key and a certificate from tmpl, signed by
// parentKey, or self-signed when parent is nil. Since Go 1.26 the key comes
// from the system's secure source whatever rand says; rand still drives the
// serial number.
func createPair(dir, base string, tmpl, parent *x509.Certificate, parentKey crypto.Signer, rand io.Reader) (*x509.Certificate, crypto.Signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand)
	if err != nil {
		return nil, nil, fmt.Errorf("generate %s key: %w", base, err)
	}
	if tmpl.SerialNumber, err = randomPositive(rand); err != nil {
		return nil, nil, fmt.Errorf("%s serial: %w", base, err)
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		return nil, nil, fmt.Errorf("create %s certificate: %w", base, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("parse %s certificate: %w", base, err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("encode %s key: %w", base, err)
	}
	if err := writeFile(filepath.Join(dir, base+keySuffix), pemBlock("PRIVATE KEY", pkcs8), 0o600); err != nil {
		return nil, nil, err
	}
	if err := writeFile(filepath.Join(dir, base+certSuffix), pemBlock("CERTIFICATE", der), 0o644); err != nil {
		return nil, nil, err
	}
	return cert, key, nil
}

// archive keeps a replaced signer certificate next to the new one: tokens
// issued without embedded certificates need it to be verified.
func archive(dir string, old *x509.Certificate) error {
	from := filepath.Join(dir, signerBase+certSuffix)
	to := filepath.Join(dir, fmt.Sprintf("%s-%x%s", signerBase, old.SerialNumber, certSuffix))
	if err := os.Rename(from, to); err != nil {
		return fmt.Errorf("archive expired signer certificate: %w", err)
	}
	return nil
}

func rootTemplate(name string, now time.Time) *x509.Certificate {
	return &x509.Certificate{
		Subject:               pkix.Name{CommonName: name + " embedded TSA root (non-qualified)", Organization: []string{name}},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(rootValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
}

func signerTemplate(name string, now time.Time, root *x509.Certificate) *x509.Certificate {
	notAfter := now.Add(signerValidity)
	if notAfter.After(root.NotAfter) {
		notAfter = root.NotAfter
	}
	return &x509.Certificate{
		Subject:               pkix.Name{CommonName: name + " embedded TSA (non-qualified)", Organization: []string{name}},
		NotBefore:             now.Add(-backdate),
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		ExtraExtensions:       []pkix.Extension{timeStampingOnly},
	}
}

func pemBlock(blockType string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der})
}

// writeFile replaces path atomically so that a crash never leaves half a key.
func writeFile(path string, data []byte, perm fs.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(data)
	err = errors.Join(err, f.Chmod(perm), f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// randomPositive returns a 127-bit positive integer, used for certificate
// serials and request nonces: far beyond the 64 bits RFC 3161 advises for
// nonces, and never zero because the second-highest bit is set.
func randomPositive(rand io.Reader) (*big.Int, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(rand, b); err != nil {
		return nil, err
	}
	b[0] = b[0]&0x7f | 0x40
	return new(big.Int).SetBytes(b), nil
}
