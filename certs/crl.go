package certs

import (
	"crypto/x509"
	"fmt"
	"math/big"
	"time"
)

// crlValidity is how long a published CRL stays current; crlRefresh how old
// a cached one may get before it is signed again. A verifier holding a
// proof's embedded CRL checks it at the proof's time, so a short life costs
// nothing.
const (
	crlValidity = 7 * 24 * time.Hour
	crlRefresh  = time.Hour
)

// CRL returns the seal root's current certificate revocation list (DER),
// signed again once an hour: it revokes nothing, since a retired seal key is
// superseded, not compromised; a compromise is handled by a new root. Its
// number is its issue time in seconds, so numbers only grow.
func (s *Seal) CRL(now time.Time) ([]byte, error) {
	s.crlMu.Lock()
	defer s.crlMu.Unlock()
	now = now.UTC().Truncate(time.Second)
	if s.crl != nil && now.Sub(s.crlAt) < crlRefresh && !now.Before(s.crlAt) {
		return s.crl, nil
	}
	der, err := x509.CreateRevocationList(s.rand, &x509.RevocationList{
		Number:     big.NewInt(now.Unix()),
		ThisUpdate: now,
		NextUpdate: now.Add(crlValidity),
	}, s.root, s.rootKey)
	if err != nil {
		return nil, fmt.Errorf("seal CRL: %w", err)
	}
	s.crl, s.crlAt = der, now
	return der, nil
}

// CRLURL returns the URL named in the seal certificate's CRL distribution
// points, "" when none is configured.
func (s *Seal) CRLURL() string { return s.crlURL }
