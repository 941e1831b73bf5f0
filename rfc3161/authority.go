// Package rfc3161 obtains and checks RFC 3161 time-stamp tokens: an embedded,
// non-qualified time-stamping authority used on every deposit, an HTTP client
// for external (possibly qualified) authorities, and the one Verify function
// every token goes through, whoever issued it. Tokens are checked so that a
// third party can repeat the check with `openssl ts -verify`.
package rfc3161

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"sync"
	"time"

	"github.com/digitorus/timestamp"

	"github.com/lre-project/lre/internal/keyfile"
)

// EmbeddedPolicy is the TSA policy OID written in every token of the embedded
// authority. It sits under 1.3.6.1.4.1.32473, the enterprise number IANA
// reserves for documentation (RFC 5612), because the project has no private
// enterprise number yet: it identifies "lre embedded, non-qualified, clock of
// the host, accuracy 1s" and promises nothing more. Replace it with an arc of
// the operator's own enterprise number before any token leaves a test setup
// that matters; old tokens keep verifying since Verify does not pin policies.
const EmbeddedPolicy = "1.3.6.1.4.1.32473.3161.1"

var embeddedPolicy = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 32473, 3161, 1}

// embeddedAccuracy is what the embedded authority claims about its clock: the host's
// clock, kept by NTP, is trusted to the second, not better.
const embeddedAccuracy = time.Second

// Authority is the embedded time-stamping authority: a root CA and a TSA
// signing certificate kept on disk, and the RFC 3161 responder using them.
// Its tokens are honest about being non-qualified (the subject names say so).
// It is safe for concurrent use.
type Authority struct {
	mu         sync.RWMutex // guards cert, key, chainPEM and previous: RenewIfDue replaces them
	root, cert *x509.Certificate
	key        crypto.Signer
	rootKey    crypto.Signer // signs CRLs
	previous   []*x509.Certificate
	roots      *x509.CertPool
	chainPEM   []byte
	crlURL     string
	now        func() time.Time
	rand       io.Reader
	crl        crlCache
	dir, name  string
	cfg        config
}

// LoadOrCreateAuthority loads the authority kept in dir, creating on first
// start a self-signed ECDSA P-256 root (20 years) and a TSA certificate it
// signs (10 years, timeStamping only), keys in PEM with mode 0600. A TSA
// certificate that is no longer valid is replaced and the old one archived;
// an expired root is an error, since a new trust anchor must be distributed
// by hand. name appears in the subjects. now stamps every token; rand must be
// safe for concurrent use and feeds serial numbers and nonces.
func LoadOrCreateAuthority(dir, name string, now func() time.Time, rand io.Reader, opts ...AuthorityOption) (*Authority, error) {
	cfg := config{keys: keyfile.Files{}}
	for _, o := range opts {
		o(&cfg)
	}
	a, err := loadOrCreate(dir, name, now, rand, cfg)
	if err != nil {
		return nil, fmt.Errorf("load time-stamping authority from %s: %w", dir, err)
	}
	return a, nil
}

func loadOrCreate(dir, name string, now func() time.Time, rand io.Reader, cfg config) (*Authority, error) {
	if name == "" || now == nil || rand == nil {
		return nil, errors.New("empty name, nil clock or nil random source")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	t := now().UTC()
	root, rootKey, err := loadPair(keyfile.Files{}, dir, rootBase)
	if errors.Is(err, errNoPair) {
		root, rootKey, err = createPair(keyfile.Files{}, dir, rootBase, rootTemplate(name, t), nil, nil, rand)
	}
	if err != nil {
		return nil, err
	}
	if !validAt(root, t) {
		return nil, fmt.Errorf("root certificate valid only from %s to %s", root.NotBefore, root.NotAfter)
	}
	cert, key, err := loadPair(cfg.keys, dir, signerBase)
	if err == nil && cfg.stale(cert, t) {
		err = archive(dir, cert)
		if err == nil {
			err = errNoPair
		}
	}
	if errors.Is(err, errNoPair) {
		cert, key, err = createPair(cfg.keys, dir, signerBase, signerTemplate(name, t, root, cfg.crlURL), root, rootKey, rand)
	}
	if err != nil {
		return nil, err
	}
	a, err := newAuthority(root, cert, key, now, rand, t)
	if err != nil {
		return nil, err
	}
	a.rootKey, a.crlURL, a.dir, a.name, a.cfg = rootKey, cfg.crlURL, dir, name, cfg
	a.previous, err = readArchived(dir, root)
	return a, err
}

// newAuthority refuses a signer that its own Verify would reject, so that a
// hand-edited directory fails at start rather than on every deposit.
func newAuthority(root, cert *x509.Certificate, key crypto.Signer, now func() time.Time, rand io.Reader, t time.Time) (*Authority, error) {
	roots := x509.NewCertPool()
	roots.AddCert(root)
	if err := checkUsage(cert); err != nil {
		return nil, fmt.Errorf("signer certificate unfit: %w", err)
	}
	if err := checkChain(cert, nil, roots, t); err != nil {
		return nil, fmt.Errorf("signer certificate does not chain to the root: %w", err)
	}
	chain := append(keyfile.EncodePEM("CERTIFICATE", cert.Raw), keyfile.EncodePEM("CERTIFICATE", root.Raw)...)
	return &Authority{root: root, cert: cert, key: key, roots: roots, chainPEM: chain, now: now, rand: rand}, nil
}

func validAt(c *x509.Certificate, t time.Time) bool {
	return !t.Before(c.NotBefore) && !t.After(c.NotAfter)
}

// ChainPEM returns the TSA certificate then the root, as PEM: the file an
// auditor passes to `openssl ts -verify -CAfile`.
func (a *Authority) ChainPEM() []byte {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return bytes.Clone(a.chainPEM)
}

// RenewIfDue replaces the signer key and certificate when the current one
// is no longer valid at now or expires within the WithRenewBefore margin,
// archiving the old certificate (GenerationsPEM keeps publishing it). The
// root stays: tokens of every generation chain to the same anchor.
func (a *Authority) RenewIfDue(now time.Time) (bool, error) {
	return a.rotate(now, false)
}

// Rotate replaces the signer key and certificate now, due or not, keeping
// the old certificate published (GenerationsPEM) like RenewIfDue does.
func (a *Authority) Rotate(now time.Time) error {
	_, err := a.rotate(now, true)
	return err
}

func (a *Authority) rotate(now time.Time, force bool) (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	t := now.UTC()
	if !force && !a.cfg.stale(a.cert, t) {
		return false, nil
	}
	if !validAt(a.root, t) {
		return false, fmt.Errorf("renew time-stamping authority: root certificate valid only until %s", a.root.NotAfter)
	}
	if err := archive(a.dir, a.cert); err != nil {
		return false, err
	}
	cert, key, err := createPair(a.cfg.keys, a.dir, signerBase, signerTemplate(a.name, t, a.root, a.cfg.crlURL), a.root, a.rootKey, a.rand)
	if err != nil {
		return false, fmt.Errorf("renew time-stamping authority: %w", err)
	}
	a.previous = append([]*x509.Certificate{a.cert}, a.previous...)
	a.cert, a.key = cert, key
	a.chainPEM = append(keyfile.EncodePEM("CERTIFICATE", cert.Raw), keyfile.EncodePEM("CERTIFICATE", a.root.Raw)...)
	return true, nil
}

// Roots returns a pool holding the embedded root, for Verify. It is a copy:
// adding to it does not widen what the authority itself trusts.
func (a *Authority) Roots() *x509.CertPool { return a.roots.Clone() }

// GenerationsPEM returns ChainPEM followed by every earlier TSA signing
// certificate, newest first: what /api/v1/tsa/certs.pem publishes, so that
// `openssl ts -verify -CAfile` finds the signer of any token ever issued.
func (a *Authority) GenerationsPEM() []byte {
	out := a.ChainPEM()
	a.mu.RLock()
	defer a.mu.RUnlock()
	for _, c := range a.previous {
		out = append(out, keyfile.EncodePEM("CERTIFICATE", c.Raw)...)
	}
	return out
}

// Certificates returns the TSA signing certificate and the root, in that order.
func (a *Authority) Certificates() []*x509.Certificate {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return []*x509.Certificate{a.cert, a.root}
}

// timeStampReq is RFC 3161 section 2.4.1, parsed here so that an unknown
// hash algorithm gets a protocol answer (badAlg) rather than a parse error.
type timeStampReq struct {
	Version        int
	MessageImprint messageImprint
	ReqPolicy      asn1.ObjectIdentifier `asn1:"optional"`
	Nonce          *big.Int              `asn1:"optional"`
	CertReq        bool                  `asn1:"optional,default:false"`
	Extensions     []asn1.RawValue       `asn1:"tag:0,optional"`
}

// Respond answers a DER TimeStampReq with a DER TimeStampResp: a token signed
// with ECDSA-SHA256 carrying an ESSCertIDv2, EmbeddedPolicy, an accuracy of
// one second, a random 160-bit serial, the request's nonce, and the TSA
// certificate when certReq is set. (The CMS signingTime attribute holds the
// wall clock, as digitorus/pkcs7 sets it; Verify ignores it.) A request it
// will not serve (weak hash,
// another policy, extensions) gets a rejection response, as RFC 3161 wants.
// Bytes that are not a TimeStampReq at all give an error wrapping
// ErrMalformed; any other error is internal.
func (a *Authority) Respond(reqDER []byte) ([]byte, error) {
	var req timeStampReq
	if rest, err := asn1.Unmarshal(reqDER, &req); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("respond: %w: not a TimeStampReq", ErrMalformed)
	}
	hash, refusal := refuse(&req)
	if refusal != nil {
		return timestamp.CreateErrorResponse(timestamp.Rejection, *refusal)
	}
	ts := timestamp.Timestamp{
		HashAlgorithm:     hash,
		HashedMessage:     req.MessageImprint.HashedMessage,
		Time:              a.now().UTC().Truncate(time.Second),
		Accuracy:          embeddedAccuracy,
		Policy:            embeddedPolicy,
		Nonce:             req.Nonce,
		AddTSACertificate: req.CertReq,
	}
	a.mu.RLock()
	cert, key := a.cert, a.key
	a.mu.RUnlock()
	resp, err := ts.CreateResponseWithOpts(cert, key, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("respond: sign token: %w", err)
	}
	return resp, nil
}

// refuse returns the imprint's hash, or the failure info of a request the
// authority will not time-stamp.
func refuse(req *timeStampReq) (crypto.Hash, *timestamp.FailureInfo) {
	fail := func(f timestamp.FailureInfo) (crypto.Hash, *timestamp.FailureInfo) { return 0, &f }
	hash, ok := strongHash(req.MessageImprint.HashAlgorithm.Algorithm)
	switch {
	case req.Version != 1:
		return fail(timestamp.BadDataFormat)
	case !ok:
		return fail(timestamp.BadAlgorithm)
	case len(req.MessageImprint.HashedMessage) != hash.Size():
		return fail(timestamp.BadDataFormat)
	case req.ReqPolicy != nil && !req.ReqPolicy.Equal(embeddedPolicy):
		return fail(timestamp.UnacceptedPolicy)
	case len(req.Extensions) > 0:
		return fail(timestamp.UnacceptedExtension)
	}
	return hash, nil
}
