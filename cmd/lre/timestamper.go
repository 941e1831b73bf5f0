package main

import (
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/keyfile"
	"github.com/lre-project/lre/rfc3161"
)

// newTimestamper returns the configured authority and the PEM chain that
// verifies its tokens: the embedded one (created in DATA/tsa on first start,
// also returned so that its CRL is served) when no URL is configured, else a
// failover client over --tsa whose tokens must agree with the local clock
// within --tsa-max-skew; rejected hears of every refused answer. The embedded
// authority signs with this host's clock, so its genTime is the local time by
// construction.
func newTimestamper(cfg serveConfig, keys keyfile.Keys, rejected func(url, reason string)) (core.Timestamper, []byte, *rfc3161.Authority, error) {
	urls := splitList(cfg.tsaURLs)
	if len(urls) == 0 {
		a, err := rfc3161.LoadOrCreateAuthority(filepath.Join(cfg.data, "tsa"), cfg.providerName, time.Now, rand.Reader,
			rfc3161.WithKeys(keys), rfc3161.WithCRLURL(cfg.baseURL+"/api/v1/tsa/crl"), rfc3161.WithRenewBefore(cfg.custody.renewBefore))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("embedded timestamp authority: %w", err)
		}
		return rfc3161.NewLocal(a), a.GenerationsPEM(), a, nil
	}
	if cfg.tsaRoots == "" {
		return nil, nil, nil, errors.New("--tsa needs --tsa-roots: the PEM roots that its tokens must chain to")
	}
	pem, err := os.ReadFile(cfg.tsaRoots)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("--tsa-roots: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, nil, nil, fmt.Errorf("--tsa-roots %s: no PEM certificate found", cfg.tsaRoots)
	}
	c, err := rfc3161.NewClient(urls, roots, rfc3161.WithClock(time.Now, cfg.tsaMaxSkew), rfc3161.WithRejected(rejected))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("--tsa: %w", err)
	}
	return c, pem, nil, nil
}
