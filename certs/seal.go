package certs

import (
	"bytes"
	"crypto"
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
	"slices"
	"sync"
	"time"

	"github.com/lre-project/lre/internal/keyfile"
)

// Seal is the provider's electronic seal: an ECDSA P-256 key and its
// certificate, issued by a root that the provider publishes so that auditors
// can trust the certificates' signatures (pdfsig, Acrobat, NSS). The key may
// live in a file or in a PKCS#11 token: the seal only needs a crypto.Signer.
// Every earlier seal certificate is kept, so that proofs sealed by a retired
// key still find their chain.
type Seal struct {
	mu       sync.RWMutex // guards key, cert and previous: RenewIfDue replaces them
	key      crypto.Signer
	cert     *x509.Certificate
	root     *x509.Certificate
	rootKey  crypto.Signer
	previous []*x509.Certificate // earlier generations, newest first
	crlURL   string
	rand     io.Reader // signs CRLs and new certificates
	dir      string
	cfg      sealConfig

	crlMu sync.Mutex
	crl   []byte // cached, see CRL
	crlAt time.Time
}

// File names inside the seal directory. Keys are written 0600; a retired
// seal certificate is kept as seal-<serial>.pem.
const (
	rootCertFile = "root.pem"
	rootKeyFile  = "root-key.pem"
	sealCertFile = "seal.pem"
	sealKeyFile  = "seal-key.pem"
)

// Validity periods. The root outlives many seal certificates; a seal
// certificate is renewed (new key, same root) before it expires.
const (
	rootValidity = 20 * 365 * 24 * time.Hour
	sealValidity = 3 * 365 * 24 * time.Hour
)

// id-kp-documentSigning (RFC 9336): the purpose this key actually serves.
// emailProtection is also set because NSS, and so pdfsig, verifies PDF
// signers for the "email signer" usage.
var oidDocumentSigning = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 36}

// sealConfig is what the options set.
type sealConfig struct {
	id          Identity
	keys        keyfile.Keys
	crlURL      string
	renewBefore time.Duration
}

// SealOption configures LoadOrCreateSeal.
type SealOption func(*sealConfig)

// WithIdentity names the provider in the seal certificate's subject (ETSI EN
// 319 412-3); without it the subject holds the name alone.
func WithIdentity(id Identity) SealOption { return func(c *sealConfig) { c.id = id } }

// WithKeys sets where keys are created and opened; the default is
// keyfile.Files (key files in the seal directory).
func WithKeys(k keyfile.Keys) SealOption { return func(c *sealConfig) { c.keys = k } }

// WithCRLURL names, in every seal certificate issued from now on, the URL
// where the root's CRL is published (CRL distribution points), and puts that
// CRL in the PDFs' validation data.
func WithCRLURL(url string) SealOption { return func(c *sealConfig) { c.crlURL = url } }

// WithRenewBefore renews the seal certificate once it expires within d,
// rather than once it has expired, so that proofs can be re-timestamped
// while the old certificate is still valid.
func WithRenewBefore(d time.Duration) SealOption { return func(c *sealConfig) { c.renewBefore = d } }

// LoadOrCreateSeal loads the seal kept in dir, or creates one on first start:
// a self-signed root CA ("<name> Root CA") and a seal certificate for the
// identity (by default, name alone), both ECDSA P-256. A seal certificate
// that has expired (or expires within WithRenewBefore), whose subject is no
// longer the configured identity, or that lacks the configured CRL URL, is
// replaced by a new key and certificate under the same root, and kept as a
// previous generation. A directory holding only some of the files is an
// error, never overwritten: it may hold the only copy of a key.
func LoadOrCreateSeal(dir, name string, now func() time.Time, rand io.Reader, opts ...SealOption) (*Seal, error) {
	cfg := sealConfig{keys: keyfile.Files{}}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.id.Name == "" {
		cfg.id.Name = name
	}
	if name == "" || now == nil || rand == nil {
		return nil, errors.New("seal: empty name, nil clock or nil random source")
	}
	if err := cfg.id.Validate(); err != nil {
		return nil, err
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
		return createSeal(dir, cfg, now().UTC(), rand)
	case 4:
		return loadSeal(dir, cfg, now().UTC(), rand)
	}
	return nil, fmt.Errorf("seal directory %s holds %d of the 4 seal files: restore the missing ones or empty it", dir, present)
}

// ChainPEM returns the seal certificate followed by its root, PEM encoded.
func (s *Seal) ChainPEM() []byte {
	_, cert := s.current()
	return append(keyfile.EncodePEM("CERTIFICATE", cert.Raw), keyfile.EncodePEM("CERTIFICATE", s.root.Raw)...)
}

// current returns the key and certificate that seal now, together.
func (s *Seal) current() (crypto.Signer, *x509.Certificate) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.key, s.cert
}

// Current returns the seal's key and its chain (seal certificate, root)
// as one consistent pair, for signatures made in the provider's name (JAdES
// evidence). The key may be a PKCS#11 token key.
func (s *Seal) Current() (crypto.Signer, []*x509.Certificate) {
	key, cert := s.current()
	return key, []*x509.Certificate{cert, s.root}
}

// RenewIfDue issues a new seal key and certificate when the current one
// expires within the WithRenewBefore margin at now (or no longer matches
// the configured identity), keeping the old one as a previous generation.
// Signatures being made keep the pair they started with.
func (s *Seal) RenewIfDue(now time.Time) (bool, error) {
	return s.rotate(now, false)
}

// Rotate issues a new seal key and certificate now, due or not (a policy
// or algorithm change, a suspected key): the old certificate stays a
// previous generation, published and shipped like the others.
func (s *Seal) Rotate(now time.Time) error {
	_, err := s.rotate(now, true)
	return err
}

func (s *Seal) rotate(now time.Time, force bool) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !force && !s.stale(s.cfg, now.UTC()) {
		return false, nil
	}
	return true, s.renew(s.dir, s.cfg, now.UTC(), s.rand)
}

// GenerationsPEM returns ChainPEM followed by every earlier seal
// certificate, newest first: what /api/v1/seal/certs.pem publishes and
// bundles ship, so that a proof sealed years ago still finds its signer.
func (s *Seal) GenerationsPEM() []byte {
	out := s.ChainPEM()
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, c := range s.previous {
		out = append(out, keyfile.EncodePEM("CERTIFICATE", c.Raw)...)
	}
	return out
}

// Certificate returns the seal certificate.
func (s *Seal) Certificate() *x509.Certificate {
	_, cert := s.current()
	return cert
}

// Previous returns the earlier seal certificates, newest first.
func (s *Seal) Previous() []*x509.Certificate {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.previous)
}

// Root returns the root certificate that auditors add to their trust store.
func (s *Seal) Root() *x509.Certificate { return s.root }

// Signer returns the seal's current private key. It may be a PKCS#11
// token key; prefer Current, which returns it with its chain.
func (s *Seal) Signer() crypto.Signer {
	key, _ := s.current()
	return key
}

func createSeal(dir string, cfg sealConfig, now time.Time, rand io.Reader) (*Seal, error) {
	tmpl := template(pkix.Name{CommonName: cfg.id.Name + " Root CA", Organization: cfg.id.organization(), Country: cfg.id.country()}, now, rootValidity)
	tmpl.IsCA, tmpl.BasicConstraintsValid, tmpl.MaxPathLenZero = true, true, true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	root, rootKey, err := keyfile.GeneratePair(keyfile.Files{}, filepath.Join(dir, rootKeyFile), filepath.Join(dir, rootCertFile), tmpl, nil, nil, rand)
	if err != nil {
		return nil, fmt.Errorf("seal root: %w", err)
	}
	s := &Seal{root: root, rootKey: rootKey, crlURL: cfg.crlURL, rand: rand, dir: dir, cfg: cfg}
	return s, s.renew(dir, cfg, now, rand)
}

// renew issues a new seal key and certificate under the root, keeping the
// current certificate, if any, as seal-<serial>.pem. The key is written
// first so that a crash leaves a readable, if retired, pair.
func (s *Seal) renew(dir string, cfg sealConfig, now time.Time, rand io.Reader) error {
	tmpl := template(cfg.id.subject(), now, sealValidity)
	tmpl.BasicConstraintsValid = true
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}
	tmpl.UnknownExtKeyUsage = []asn1.ObjectIdentifier{oidDocumentSigning}
	if cfg.crlURL != "" {
		tmpl.CRLDistributionPoints = []string{cfg.crlURL}
	}
	if tmpl.NotAfter.After(s.root.NotAfter) {
		tmpl.NotAfter = s.root.NotAfter
	}
	if s.cert != nil {
		old := filepath.Join(dir, fmt.Sprintf("seal-%x.pem", s.cert.SerialNumber))
		if err := keyfile.WriteAtomic(old, keyfile.EncodePEM("CERTIFICATE", s.cert.Raw), 0o644); err != nil {
			return err
		}
		s.previous = append([]*x509.Certificate{s.cert}, s.previous...)
	}
	cert, key, err := keyfile.GeneratePair(cfg.keys, filepath.Join(dir, sealKeyFile), filepath.Join(dir, sealCertFile), tmpl, s.root, s.rootKey, rand)
	if err != nil {
		return fmt.Errorf("seal certificate: %w", err)
	}
	s.cert, s.key = cert, key
	return nil
}

func loadSeal(dir string, cfg sealConfig, now time.Time, rand io.Reader) (*Seal, error) {
	root, rootKey, err := keyfile.OpenPair(keyfile.Files{}, filepath.Join(dir, rootKeyFile), filepath.Join(dir, rootCertFile))
	if err != nil {
		return nil, fmt.Errorf("read seal root: %w", err)
	}
	cert, key, err := keyfile.OpenPair(cfg.keys, filepath.Join(dir, sealKeyFile), filepath.Join(dir, sealCertFile))
	if err != nil {
		return nil, fmt.Errorf("read seal: %w", err)
	}
	if err := cert.CheckSignatureFrom(root); err != nil {
		return nil, fmt.Errorf("seal certificate not issued by the root in %s: %w", dir, err)
	}
	previous, err := readPrevious(dir, root)
	if err != nil {
		return nil, err
	}
	s := &Seal{key: key, cert: cert, root: root, rootKey: rootKey, previous: previous, crlURL: cfg.crlURL, rand: rand, dir: dir, cfg: cfg}
	if s.stale(cfg, now) {
		return s, s.renew(dir, cfg, now, rand)
	}
	return s, nil
}

// stale reports whether the seal certificate must be replaced.
func (s *Seal) stale(cfg sealConfig, now time.Time) bool {
	want, err := asn1.Marshal(cfg.id.subject().ToRDNSequence())
	switch {
	case err != nil || !bytes.Equal(want, s.cert.RawSubject):
		return true
	case cfg.crlURL != "" && !slices.Contains(s.cert.CRLDistributionPoints, cfg.crlURL):
		return true
	}
	return !now.Add(cfg.renewBefore).Before(s.cert.NotAfter)
}

// readPrevious reads the retired seal certificates, newest first.
func readPrevious(dir string, root *x509.Certificate) ([]*x509.Certificate, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "seal-*.pem"))
	if err != nil {
		return nil, err
	}
	var out []*x509.Certificate
	for _, p := range paths {
		if filepath.Base(p) == sealKeyFile {
			continue
		}
		c, err := keyfile.ReadCertificate(p)
		if err != nil {
			return nil, fmt.Errorf("previous seal certificate: %w", err)
		}
		if c.CheckSignatureFrom(root) == nil {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b *x509.Certificate) int { return b.NotBefore.Compare(a.NotBefore) })
	return out, nil
}

// template leaves the serial number to keyfile.Issue.
func template(subject pkix.Name, now time.Time, validity time.Duration) *x509.Certificate {
	notBefore := now.Add(-time.Hour) // tolerate clock skew on the verifier's side
	return &x509.Certificate{
		Subject:   subject,
		NotBefore: notBefore,
		NotAfter:  notBefore.Add(validity),
	}
}

// certHash is the ESSCertIDv2 hash of c (SHA-256 of its DER).
func certHash(c *x509.Certificate) []byte {
	h := sha256.Sum256(c.Raw)
	return h[:]
}
