package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
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
	return append(certPEM(s.cert), certPEM(s.root)...)
}

// Certificate returns the seal certificate.
func (s *Seal) Certificate() *x509.Certificate { return s.cert }

// Root returns the root certificate that auditors add to their trust store.
func (s *Seal) Root() *x509.Certificate { return s.root }

func createSeal(dir, name string, now time.Time, rand io.Reader) (*Seal, error) {
	rootKey, err := ecdsa.GenerateKey(elliptic.P256(), rand)
	if err != nil {
		return nil, fmt.Errorf("root key: %w", err)
	}
	tmpl, err := template(name+" Root CA", now, rootValidity, rand)
	if err != nil {
		return nil, err
	}
	tmpl.IsCA, tmpl.BasicConstraintsValid, tmpl.MaxPathLenZero = true, true, true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	root, err := issue(tmpl, tmpl, &rootKey.PublicKey, rootKey, rand)
	if err != nil {
		return nil, err
	}
	if err := writePEM(dir, rootKeyFile, rootKey, root); err != nil {
		return nil, err
	}
	return renewSeal(dir, name, root, rootKey, now, rand)
}

// renewSeal issues a new seal key and certificate under root. The files are
// written key first so that a crash leaves a readable, if expired, pair.
func renewSeal(dir, name string, root *x509.Certificate, rootKey *ecdsa.PrivateKey, now time.Time, rand io.Reader) (*Seal, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand)
	if err != nil {
		return nil, fmt.Errorf("seal key: %w", err)
	}
	tmpl, err := template(name, now, sealValidity, rand)
	if err != nil {
		return nil, err
	}
	tmpl.BasicConstraintsValid = true
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}
	tmpl.UnknownExtKeyUsage = []asn1.ObjectIdentifier{oidDocumentSigning}
	cert, err := issue(tmpl, root, &key.PublicKey, rootKey, rand)
	if err != nil {
		return nil, err
	}
	if err := writePEM(dir, sealKeyFile, key, cert); err != nil {
		return nil, err
	}
	return &Seal{key: key, cert: cert, root: root}, nil
}

func loadSeal(dir, name string, now time.Time, rand io.Reader) (*Seal, error) {
	rootKey, root, err := readPEM(dir, rootKeyFile, rootCertFile)
	if err != nil {
		return nil, err
	}
	key, cert, err := readPEM(dir, sealKeyFile, sealCertFile)
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

func template(cn string, now time.Time, validity time.Duration, rand io.Reader) (*x509.Certificate, error) {
	serial := make([]byte, 16)
	if _, err := io.ReadFull(rand, serial); err != nil {
		return nil, fmt.Errorf("certificate serial: %w", err)
	}
	serial[0] &= 0x7f
	notBefore := now.Add(-time.Hour) // tolerate clock skew on the verifier's side
	return &x509.Certificate{
		SerialNumber: new(big.Int).SetBytes(serial),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    notBefore,
		NotAfter:     notBefore.Add(validity),
	}, nil
}

func issue(tmpl, parent *x509.Certificate, pub *ecdsa.PublicKey, signer *ecdsa.PrivateKey, rand io.Reader) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand, tmpl, parent, pub, signer)
	if err != nil {
		return nil, fmt.Errorf("issue %s: %w", tmpl.Subject.CommonName, err)
	}
	return x509.ParseCertificate(der)
}

// writePEM writes the key (0600) and then its certificate (0644) under the
// names that go with keyFile, each through a temporary file and a rename.
func writePEM(dir, keyFile string, key *ecdsa.PrivateKey, cert *x509.Certificate) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("encode key: %w", err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := writeFile(filepath.Join(dir, keyFile), keyPEM, 0o600); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, certFileFor(keyFile)), certPEM(cert), 0o644)
}

func certFileFor(keyFile string) string {
	if keyFile == rootKeyFile {
		return rootCertFile
	}
	return sealCertFile
}

func writeFile(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".seal-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func readPEM(dir, keyFile, certFile string) (*ecdsa.PrivateKey, *x509.Certificate, error) {
	kb, err := pemBlock(filepath.Join(dir, keyFile), "PRIVATE KEY")
	if err != nil {
		return nil, nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(kb)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", keyFile, err)
	}
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, nil, fmt.Errorf("read %s: not an ECDSA key", keyFile)
	}
	cb, err := pemBlock(filepath.Join(dir, certFile), "CERTIFICATE")
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(cb)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", certFile, err)
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		return nil, nil, fmt.Errorf("%s does not hold the key of %s", keyFile, certFile)
	}
	return key, cert, nil
}

func pemBlock(path, typ string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read seal: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != typ {
		return nil, fmt.Errorf("read seal: %s holds no %s block", path, typ)
	}
	return block.Bytes, nil
}

func certPEM(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// certHash is the ESSCertIDv2 hash of c (SHA-256 of its DER).
func certHash(c *x509.Certificate) []byte {
	h := sha256.Sum256(c.Raw)
	return h[:]
}
