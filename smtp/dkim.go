package smtp

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/emersion/go-msgauth/dkim"
)

// DKIMConfig says how outgoing mail is signed (RFC 6376). Receiving servers
// look the public key up at <Selector>._domainkey.<Domain>; Domain should be
// the From domain (or its parent) for DMARC alignment.
type DKIMConfig struct {
	Domain   string
	Selector string
	Signer   crypto.Signer // *rsa.PrivateKey or ed25519.PrivateKey
}

// minRSABits is the floor of RFC 8301: verifiers must reject smaller keys.
const minRSABits = 1024

// LoadDKIMKey reads a PEM private key: PKCS#8 ("PRIVATE KEY", RSA or
// Ed25519) or PKCS#1 ("RSA PRIVATE KEY"). It refuses RSA keys under 1024
// bits, which receivers ignore anyway.
func LoadDKIMKey(path string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load dkim key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("load dkim key %s: no PEM block", path)
	}
	var key any
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("load dkim key %s: unsupported PEM type %q", path, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("load dkim key %s: %w", path, err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if k.N.BitLen() < minRSABits {
			return nil, fmt.Errorf("load dkim key %s: RSA key of %d bits, need at least %d", path, k.N.BitLen(), minRSABits)
		}
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	}
	return nil, fmt.Errorf("load dkim key %s: unsupported key type %T", path, key)
}

// TXTRecord returns the DNS TXT record to publish at
// <Selector>._domainkey.<Domain> so receivers can check the signatures.
func (c *DKIMConfig) TXTRecord() (string, error) {
	if c.Signer == nil {
		return "", errors.New("dkim txt record: no signer")
	}
	switch pub := c.Signer.Public().(type) {
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			return "", fmt.Errorf("dkim txt record: %w", err)
		}
		return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der), nil
	case ed25519.PublicKey:
		return "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub), nil
	}
	return "", fmt.Errorf("dkim txt record: unsupported key type %T", c.Signer.Public())
}

// sign prepends a DKIM-Signature to msg. Relaxed canonicalisation survives
// the header re-folding and trailing-space changes relays are known to make.
func (c *DKIMConfig) sign(msg []byte) ([]byte, error) {
	if c.Domain == "" || c.Selector == "" || c.Signer == nil {
		return nil, errors.New("dkim sign: domain, selector and signer are required")
	}
	var out bytes.Buffer
	err := dkim.Sign(&out, bytes.NewReader(msg), &dkim.SignOptions{
		Domain:                 c.Domain,
		Selector:               c.Selector,
		Signer:                 c.Signer,
		Hash:                   crypto.SHA256,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		HeaderKeys:             signedHeaders,
	})
	if err != nil {
		return nil, fmt.Errorf("dkim sign: %w", err)
	}
	return out.Bytes(), nil
}
