package rfc3161

import (
	"crypto/x509"
	"slices"
	"time"

	"github.com/lre-project/lre/internal/keyfile"
)

// config is what the options of LoadOrCreateAuthority set.
type config struct {
	keys        keyfile.Keys
	crlURL      string
	renewBefore time.Duration
}

// AuthorityOption configures LoadOrCreateAuthority.
type AuthorityOption func(*config)

// WithKeys sets where the TSA signing key is created and opened (a PKCS#11
// token, say); the default is a key file. The root key stays a file: it
// only signs a new signer certificate or a CRL.
func WithKeys(k keyfile.Keys) AuthorityOption { return func(c *config) { c.keys = k } }

// WithCRLURL names, in every signer certificate issued from now on, the URL
// where the root's CRL is published (CRL distribution points). A signer
// certificate without it is replaced at the next start.
func WithCRLURL(url string) AuthorityOption { return func(c *config) { c.crlURL = url } }

// WithRenewBefore replaces the signer certificate once it expires within d
// rather than once it has expired, so that archive time-stamps made before
// the old one ends come from a certificate with years left.
func WithRenewBefore(d time.Duration) AuthorityOption { return func(c *config) { c.renewBefore = d } }

// stale reports whether the signer certificate must be replaced at t.
func (c config) stale(cert *x509.Certificate, t time.Time) bool {
	if c.crlURL != "" && !slices.Contains(cert.CRLDistributionPoints, c.crlURL) {
		return true
	}
	return !validAt(cert, t) || !validAt(cert, t.Add(c.renewBefore))
}
