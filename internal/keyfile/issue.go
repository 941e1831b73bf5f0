package keyfile

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"fmt"
	"io"
	"math/big"
)

// NewPair generates an ECDSA P-256 key and a certificate for it from tmpl,
// signed by parentKey as parent, or self-signed when parent is nil. It sets
// tmpl.SerialNumber from rand. Since Go 1.26 the key comes from the system's
// secure source whatever rand says; rand still drives the serial number.
func NewPair(tmpl, parent *x509.Certificate, parentKey crypto.Signer, rand io.Reader) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	cn := tmpl.Subject.CommonName
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand)
	if err != nil {
		return nil, nil, fmt.Errorf("generate key of %q: %w", cn, err)
	}
	if tmpl.SerialNumber, err = RandomPositive(rand); err != nil {
		return nil, nil, fmt.Errorf("serial of %q: %w", cn, err)
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		return nil, nil, fmt.Errorf("issue %q: %w", cn, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("parse certificate %q: %w", cn, err)
	}
	return cert, key, nil
}

// RandomPositive returns a 127-bit positive integer, for certificate serials
// and request nonces: far beyond the 64 bits RFC 3161 advises for nonces,
// within the 20 octets RFC 5280 allows for serials, and never zero because
// the second-highest bit is set.
func RandomPositive(rand io.Reader) (*big.Int, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(rand, b); err != nil {
		return nil, err
	}
	b[0] = b[0]&0x7f | 0x40
	return new(big.Int).SetBytes(b), nil
}
