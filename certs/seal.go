package certs

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/lre-project/lre/internal/keyfile"
)

// Seal is the provider's electronic seal: an ECDSA P-256 key and its
// certificate, issued by a root that the provider publishes so that auditors
// can trust the certificates' signatures (pdfsig, Acrobat, NSS).
type Seal struct {
	key  *ecdsa.PrivateKey
	cert *x509.Certificate
	root *x509.Certificate
}

// File names inside the seal directory. Keys are written 0600.
const (
	rootCertFile = "root.pem"
	rootKeyFile  = "root-key.pem"
	sealCertFile = "seal.pem"
	sealKeyFile  = "seal-key.pem"
)

// Validity periods. The root outlives many seal certificates; a seal
// certificate is renewed (new key, same root) once it has expired.
const (
	rootValidity = 20 * 365 * 24 * time.Hour
	sealValidity = 3 * 365 * 24 * time.Hour
)

// id-kp-documentSigning (RFC 9336): the purpose this key actually serves.
// emailProtection is also set because NSS, and so pdfsig, verifies PDF
// signers for the "email signer" usage.
var oidDocumentSigning = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 36}

// LoadOrCreateSeal loads the seal kept in dir, or creates one on first start:
// a self-signed root CA ("<name> Root CA") and a seal certificate named name,
// both ECDSA P-256, written as PEM; name is not checked on later starts. An expired seal certificate is replaced by a new one under
// the same root, so that the root published to auditors stays valid. A
// directory holding only some of the files is an error, never overwritten:
// it may hold the only copy of a key.
func LoadOrCreateSeal(dir, name string, now func() time.Time, rand io.Reader) (*Seal, error) {
	if name == "" || now == nil || rand == nil {
		return nil, errors.New("seal: empty name, nil clock or nil random source")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("seal directory: %w", err)
	}
	present := 0
	for _, f := range []string{rootCertFile, rootKeyFile, sealCertFile, sealKeyFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			present++
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("seal directory: %w", err)
		}
	}
	switch present {
	case 0:
		return createSeal(dir, name, now().UTC(), rand)
	case 4:
		return loadSeal(dir, name, now().UTC(), rand)
	}
	return nil, fmt.Errorf("seal directory %s holds %d of the 4 seal files: restore the missing ones or empty it", dir, present)
}

// ChainPEM returns the seal certificate followed by its root, PEM encoded.
func (s *Seal) ChainPEM() []byte {
	return append(keyfile.EncodePEM("CERTIFICATE", s.cert.Raw), keyfile.EncodePEM("CERTIFICATE", s.root.Raw)...)
}

// Certificate returns the seal certificate.
func (s *Seal) Certificate() *x509.Certificate { return s.cert }

// Root returns the root certificate that auditors add to their trust store.
func (s *Seal) Root() *x509.Certificate { return s.root }

func createSeal(dir, name string, now time.Time, rand io.Reader) (*Seal, error) {
	tmpl := template(name+" Root CA", now, rootValidity)
	tmpl.IsCA, tmpl.BasicConstraintsValid, tmpl.MaxPathLenZero = true, true, true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	root, rootKey, err := keyfile.NewPair(tmpl, nil, nil, rand)
	if err != nil {
		return nil, fmt.Errorf("seal root: %w", err)
	}
	if err := keyfile.WritePair(filepath.Join(dir, rootKeyFile), filepath.Join(dir, rootCertFile), rootKey, root); err != nil {
		return nil, err
	}
	return renewSeal(dir, name, root, rootKey, now, rand)
}

// renewSeal issues a new seal key and certificate under root. The files are
// written key first so that a crash leaves a readable, if expired, pair.
func renewSeal(dir, name string, root *x509.Certificate, rootKey *ecdsa.PrivateKey, now time.Time, rand io.Reader) (*Seal, error) {
	tmpl := template(name, now, sealValidity)
	tmpl.BasicConstraintsValid = true
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}
	tmpl.UnknownExtKeyUsage = []asn1.ObjectIdentifier{oidDocumentSigning}
	cert, key, err := keyfile.NewPair(tmpl, root, rootKey, rand)
	if err != nil {
		return nil, fmt.Errorf("seal certificate: %w", err)
	}
	if err := keyfile.WritePair(filepath.Join(dir, sealKeyFile), filepath.Join(dir, sealCertFile), key, cert); err != nil {
		return nil, err
	}
	return &Seal{key: key, cert: cert, root: root}, nil
}

func loadSeal(dir, name string, now time.Time, rand io.Reader) (*Seal, error) {
	rootKey, root, err := readPair(dir, rootKeyFile, rootCertFile)
	if err != nil {
		return nil, err
	}
	key, cert, err := readPair(dir, sealKeyFile, sealCertFile)
	if err != nil {
		return nil, err
	}
	if err := cert.CheckSignatureFrom(root); err != nil {
		return nil, fmt.Errorf("seal certificate not issued by the root in %s: %w", dir, err)
	}
	if !now.Before(cert.NotAfter) {
		return renewSeal(dir, name, root, rootKey, now, rand)
	}
	return &Seal{key: key, cert: cert, root: root}, nil
}

// template leaves the serial number to keyfile.NewPair.
func template(cn string, now time.Time, validity time.Duration) *x509.Certificate {
	notBefore := now.Add(-time.Hour) // tolerate clock skew on the verifier's side
	return &x509.Certificate{
		Subject:   pkix.Name{CommonName: cn},
		NotBefore: notBefore,
		NotAfter:  notBefore.Add(validity),
	}
}

// readPair does not check the key file's mode, unlike the authority's
// keystore: the seal never did, and refusing now could stop an existing data
// directory from starting.
func readPair(dir, keyFile, certFile string) (*ecdsa.PrivateKey, *x509.Certificate, error) {
	cert, k, err := keyfile.ReadPair(filepath.Join(dir, keyFile), filepath.Join(dir, certFile))
	if err != nil {
		return nil, nil, fmt.Errorf("read seal: %w", err)
	}
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, nil, fmt.Errorf("read seal: %s: not an ECDSA key", keyFile)
	}
	return key, cert, nil
}

// certHash is the ESSCertIDv2 hash of c (SHA-256 of its DER).
func certHash(c *x509.Certificate) []byte {
	h := sha256.Sum256(c.Raw)
	return h[:]
}
