package main

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"time"

	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/internal/keyfile"
	"github.com/lre-project/lre/internal/pkcs11key"
	"github.com/lre-project/lre/rfc3161"
)

// custodyConfig is who the seal names and where the seal's and the
// authority's keys are kept.
type custodyConfig struct {
	providerLegal, providerCountry, providerOrgID string
	pkcs11Module, pkcs11Label, pkcs11PIN          string
	renewBefore                                   time.Duration
}

// custodyFlags adds the seal identity, key custody and renewal flags. The
// PIN is read from the environment only: a flag would show it to anyone
// listing processes.
func custodyFlags(f *flags, c *custodyConfig) {
	f.string(&c.providerLegal, "provider-legal-name", "LRE_PROVIDER_LEGAL_NAME", "", "the provider's registered legal name, the seal certificate's O (default: --provider-name once a country or identifier is set)")
	f.string(&c.providerCountry, "provider-country", "LRE_PROVIDER_COUNTRY", "", "the provider's country, ISO 3166-1 alpha-2 (seal certificate's C), e.g. FR")
	f.string(&c.providerOrgID, "provider-org-id", "LRE_PROVIDER_ORG_ID", "", "the provider's organisation identifier (seal certificate's 2.5.4.97, ETSI EN 319 412-1), e.g. NTRFR-552100554 or VATFR-12345678901")
	f.string(&c.pkcs11Module, "pkcs11-module", "LRE_PKCS11_MODULE", "", "PKCS#11 library holding the seal and TSA keys (e.g. /usr/lib/softhsm/libsofthsm2.so); empty = key files in DATA")
	f.string(&c.pkcs11Label, "pkcs11-token-label", "LRE_PKCS11_TOKEN_LABEL", "", "label of the PKCS#11 token (user PIN in LRE_PKCS11_PIN)")
	f.duration(&c.renewBefore, "renew-before", "LRE_RENEW_BEFORE", 180*24*time.Hour, "renew the seal and embedded TSA certificates, and re-timestamp every proof, this long before a certificate expires")
	c.pkcs11PIN = os.Getenv("LRE_PKCS11_PIN")
}

func (c custodyConfig) validate() error {
	switch {
	case (c.pkcs11Module == "") != (c.pkcs11Label == ""):
		return errors.New("--pkcs11-module and --pkcs11-token-label go together")
	case c.pkcs11Module != "" && c.pkcs11PIN == "":
		return errors.New("--pkcs11-module needs the token's user PIN in LRE_PKCS11_PIN")
	case c.renewBefore < 0 || c.renewBefore > 5*365*24*time.Hour:
		return errors.New("--renew-before must be between 0 and 5 years (43800h)")
	}
	return nil
}

func (c custodyConfig) identity(name string) certs.Identity {
	return certs.Identity{Name: name, Organization: c.providerLegal, Country: c.providerCountry, OrganizationID: c.providerOrgID}
}

// openKeys returns where keys are kept and a function releasing it: the
// PKCS#11 token when one is configured, else the key files.
func (c custodyConfig) openKeys() (keyfile.Keys, func(), error) {
	if c.pkcs11Module == "" {
		return keyfile.Files{}, func() {}, nil
	}
	tok, err := pkcs11key.Open(pkcs11key.Config{Module: c.pkcs11Module, TokenLabel: c.pkcs11Label, PIN: c.pkcs11PIN})
	if err != nil {
		return nil, nil, err
	}
	return tok, func() { tok.Close() }, nil
}

// validationData returns what certificate PDFs carry in their DSS besides
// the seal's own chain and CRL: the embedded authority's certificates (every
// generation) and CRL, or the roots configured for an external authority,
// whose CRLs it publishes itself.
func validationData(authority *rfc3161.Authority, chainPEM func() []byte) func() (certs.ValidationData, error) {
	return func() (certs.ValidationData, error) {
		var vd certs.ValidationData
		for rest := chainPEM(); len(rest) > 0; {
			var b *pem.Block
			if b, rest = pem.Decode(rest); b == nil {
				break
			}
			if c, err := x509.ParseCertificate(b.Bytes); err == nil {
				vd.Certs = append(vd.Certs, c)
			}
		}
		if authority == nil {
			return vd, nil
		}
		crl, err := authority.CRL()
		vd.CRLs = append(vd.CRLs, crl)
		return vd, err
	}
}
