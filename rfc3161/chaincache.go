package rfc3161

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"sync"
	"time"
)

// verifiedChains remembers the certificate chains x509 has verified, with
// the span of time in which every certificate of the chain is valid. Inside
// that span the answer for the same signer, intermediates and roots cannot
// differ: x509's signature, usage and constraint checks do not depend on
// the time, and its validity check is exactly NotBefore <= t <= NotAfter of
// each certificate. Building the chain again for every token was 6 % of the
// server's CPU per deposit under lre bench (the embedded authority's tokens
// are verified like any other); a token whose genTime falls outside the
// span is verified afresh.
//
// A pool is keyed by its pointer, held here so that it is not freed and its
// address reused; pools only ever gain certificates, which can turn a
// failure into a success but never the reverse, and only successes are kept.
var verifiedChains = struct {
	sync.Mutex
	spans map[*x509.CertPool]map[[sha256.Size]byte]validSpan
}{spans: map[*x509.CertPool]map[[sha256.Size]byte]validSpan{}}

// maxChainEntries bounds the memory: past it, everything is forgotten.
const maxChainEntries = 256

type validSpan struct{ from, to time.Time }

func (s validSpan) holds(t time.Time) bool { return !t.Before(s.from) && !t.After(s.to) }

func chainKey(signer *x509.Certificate, certs []*x509.Certificate) [sha256.Size]byte {
	h := sha256.New()
	for _, c := range append([]*x509.Certificate{signer}, certs...) {
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(c.Raw))))
		h.Write(c.Raw)
	}
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

// knownValid reports whether the chain was verified for a span holding t.
func knownValid(roots *x509.CertPool, key [sha256.Size]byte, t time.Time) bool {
	verifiedChains.Lock()
	defer verifiedChains.Unlock()
	s, ok := verifiedChains.spans[roots][key]
	return ok && s.holds(t)
}

// rememberValid records the span of the first chain x509 returned.
func rememberValid(roots *x509.CertPool, key [sha256.Size]byte, chains [][]*x509.Certificate) {
	if len(chains) == 0 || len(chains[0]) == 0 {
		return
	}
	s := validSpan{from: chains[0][0].NotBefore, to: chains[0][0].NotAfter}
	for _, c := range chains[0][1:] {
		if c.NotBefore.After(s.from) {
			s.from = c.NotBefore
		}
		if c.NotAfter.Before(s.to) {
			s.to = c.NotAfter
		}
	}
	verifiedChains.Lock()
	defer verifiedChains.Unlock()
	n := 0
	for _, m := range verifiedChains.spans {
		n += len(m)
	}
	if n >= maxChainEntries {
		verifiedChains.spans = map[*x509.CertPool]map[[sha256.Size]byte]validSpan{}
	}
	if verifiedChains.spans[roots] == nil {
		verifiedChains.spans[roots] = map[[sha256.Size]byte]validSpan{}
	}
	verifiedChains.spans[roots][key] = s
}
