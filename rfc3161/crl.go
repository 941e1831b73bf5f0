package rfc3161

import (
	"crypto/x509"
	"fmt"
	"math/big"
	"sync"
	"time"
)

// CRLs live a week and are signed again after an hour: a verifier holding a
// proof's embedded CRL checks it as of the proof's time.
const (
	crlValidity = 7 * 24 * time.Hour
	crlRefresh  = time.Hour
)

type crlCache struct {
	mu  sync.Mutex
	der []byte
	at  time.Time
}

// CRL returns the embedded root's certificate revocation list (DER). It
// revokes nothing: a retired signer key is superseded, not compromised. Its
// number is its issue time in seconds, so numbers only grow.
func (a *Authority) CRL() ([]byte, error) {
	c := &a.crl
	c.mu.Lock()
	defer c.mu.Unlock()
	now := a.now().UTC().Truncate(time.Second)
	if c.der != nil && now.Sub(c.at) < crlRefresh && !now.Before(c.at) {
		return c.der, nil
	}
	der, err := x509.CreateRevocationList(a.rand, &x509.RevocationList{
		Number:     big.NewInt(now.Unix()),
		ThisUpdate: now,
		NextUpdate: now.Add(crlValidity),
	}, a.root, a.rootKey)
	if err != nil {
		return nil, fmt.Errorf("time-stamping authority CRL: %w", err)
	}
	c.der, c.at = der, now
	return der, nil
}

// CRLURL returns the URL the signer certificate names for the CRL, "" when
// none is configured.
func (a *Authority) CRLURL() string { return a.crlURL }
