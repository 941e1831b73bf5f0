package rfc3161

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/keyfile"
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

// loadPair reads dir/base.pem and dir/base.key, refusing a key file others
// can read; errNoPair means the certificate is absent and the pair should be
// created.
func loadPair(keys keyfile.Keys, dir, base string) (*x509.Certificate, crypto.Signer, error) {
	certPath := filepath.Join(dir, base+certSuffix)
	if _, err := os.Stat(certPath); errors.Is(err, fs.ErrNotExist) {
		return nil, nil, errNoPair
	}
	return keyfile.OpenPair(keys, filepath.Join(dir, base+keySuffix), certPath)
}

// createPair issues a P-256 key made by keys and a certificate from tmpl,
// signed by parentKey, or self-signed when parent is nil, and writes them.
func createPair(keys keyfile.Keys, dir, base string, tmpl, parent *x509.Certificate, parentKey crypto.Signer, rand io.Reader) (*x509.Certificate, crypto.Signer, error) {
	return keyfile.GeneratePair(keys, filepath.Join(dir, base+keySuffix), filepath.Join(dir, base+certSuffix), tmpl, parent, parentKey, rand)
}

// readArchived reads the retired signer certificates that archive kept,
// newest first.
func readArchived(dir string, root *x509.Certificate) ([]*x509.Certificate, error) {
	paths, err := filepath.Glob(filepath.Join(dir, signerBase+"-*"+certSuffix))
	if err != nil {
		return nil, err
	}
	var out []*x509.Certificate
	for _, p := range paths {
		c, err := keyfile.ReadCertificate(p)
		if err != nil {
			return nil, fmt.Errorf("archived signer certificate: %w", err)
		}
		if c.CheckSignatureFrom(root) == nil {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b *x509.Certificate) int { return b.NotBefore.Compare(a.NotBefore) })
	return out, nil
}

// archive keeps a replaced signer certificate next to the new one: tokens
// issued without embedded certificates need it to be verified, and
// GenerationsPEM publishes it.
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

func signerTemplate(name string, now time.Time, root *x509.Certificate, crlURL string) *x509.Certificate {
	notAfter := now.Add(signerValidity)
	if notAfter.After(root.NotAfter) {
		notAfter = root.NotAfter
	}
	var cdp []string
	if crlURL != "" {
		cdp = []string{crlURL}
	}
	return &x509.Certificate{
		CRLDistributionPoints: cdp,
		Subject:               pkix.Name{CommonName: core.EmbeddedTSAName(name), Organization: []string{name}},
		NotBefore:             now.Add(-backdate),
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		ExtraExtensions:       []pkix.Extension{timeStampingOnly},
	}
}
