package certs

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"regexp"
)

// Identity is the legal person the seal belongs to, as ETSI EN 319 412-3
// wants it in a seal certificate's subject: commonName, organizationName,
// countryName and organizationIdentifier (2.5.4.97).
type Identity struct {
	Name           string // commonName: the provider's usual name
	Organization   string // organizationName: the legal name; defaults to Name once Country or OrganizationID is set
	Country        string // countryName: ISO 3166-1 alpha-2, e.g. FR
	OrganizationID string // e.g. VATFR-12345678901 or NTRFR-552100554 (EN 319 412-1, 5.1.4)
}

var oidOrganizationIdentifier = asn1.ObjectIdentifier{2, 5, 4, 97}

var (
	reCountry = regexp.MustCompile(`^[A-Z]{2}$`)
	// Three letters of the registration scheme (VAT, NTR, PSD, LEI...),
	// two of the country (or XG for global schemes), a hyphen, the number.
	reOrgID = regexp.MustCompile(`^[A-Z]{3}[A-Z]{2}-[0-9A-Za-z.\-/+]{1,64}$`)
)

// Validate checks the country and organisation identifier formats, so that
// a typo stops the start rather than being sealed into every proof.
func (id Identity) Validate() error {
	switch {
	case id.Country != "" && !reCountry.MatchString(id.Country):
		return fmt.Errorf("provider country %q: want two capital letters (ISO 3166-1), like FR", id.Country)
	case id.OrganizationID != "" && !reOrgID.MatchString(id.OrganizationID):
		return fmt.Errorf("provider organisation identifier %q: want scheme, country, hyphen and number (ETSI EN 319 412-1), like VATFR-12345678901 or NTRFR-552100554", id.OrganizationID)
	}
	return nil
}

func (id Identity) organization() []string {
	switch {
	case id.Organization != "":
		return []string{id.Organization}
	case id.Country != "" || id.OrganizationID != "":
		return []string{id.Name}
	}
	return nil
}

func (id Identity) country() []string {
	if id.Country == "" {
		return nil
	}
	return []string{id.Country}
}

// subject is the seal certificate's subject; with Name alone it is CN=Name,
// what seals created before identities were configurable carry.
func (id Identity) subject() pkix.Name {
	n := pkix.Name{CommonName: id.Name, Organization: id.organization(), Country: id.country()}
	if id.OrganizationID != "" {
		n.ExtraNames = []pkix.AttributeTypeAndValue{{Type: oidOrganizationIdentifier, Value: id.OrganizationID}}
	}
	return n
}
