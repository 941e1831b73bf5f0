package audit

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/digitorus/pkcs7"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/rfc3161"
)

// anchors is a set of certificates to verify against: self-signed ones are
// roots, the others intermediates.
type anchors struct {
	roots *x509.CertPool
	inter []*x509.Certificate
	root  *x509.Certificate // the first root, for the report
}

// parsePEMChain reads every CERTIFICATE block of a PEM file.
func parsePEMChain(b []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for len(b) > 0 {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate: %w", err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no PEM certificate")
	}
	return out, nil
}

func anchorsOf(certs []*x509.Certificate) anchors {
	a := anchors{roots: x509.NewCertPool()}
	for _, c := range certs {
		if bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil {
			a.roots.AddCert(c)
			if a.root == nil {
				a.root = c
			}
			continue
		}
		a.inter = append(a.inter, c)
	}
	if a.root == nil && len(certs) > 0 {
		// A file of non-self-signed certificates (an external authority's
		// configured roots may be intermediates): trust its last one.
		a.root = certs[len(certs)-1]
		a.roots.AddCert(a.root)
	}
	return a
}

func fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// tokenCertificates returns the certificates a TimeStampResp carries.
func tokenCertificates(der []byte) ([]*x509.Certificate, error) {
	var resp struct {
		Status asn1.RawValue
		Token  asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(der, &resp); err != nil || len(resp.Token.FullBytes) == 0 {
		return nil, errors.New("not a TimeStampResp with a token")
	}
	p7, err := pkcs7.Parse(resp.Token.FullBytes)
	if err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	if len(p7.Certificates) == 0 {
		return nil, errors.New("the token carries no certificate")
	}
	return p7.Certificates, nil
}

// selfAnchored trusts the certificates a token carries, and the roots of
// the PDF's DSS (the validation data lre adds), all a lone PDF offers, so
// the report says so and prints the fingerprint. With a self-signed root in
// the DSS the token's signer is an intermediate: renewed authority keys
// under the same root then verify too.
func selfAnchored(der []byte, dss []*x509.Certificate) (anchors, error) {
	certs, err := tokenCertificates(der)
	if err != nil {
		return anchors{}, err
	}
	for _, c := range dss {
		if bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil && certs[0].CheckSignatureFrom(c) == nil {
			a := anchorsOf(append([]*x509.Certificate{c}, dss...))
			a.root = c
			return a, nil
		}
	}
	a := anchors{roots: x509.NewCertPool(), root: certs[0]}
	for _, c := range certs {
		a.roots.AddCert(c)
	}
	return a, nil
}

// checkToken verifies a stored token over SHA-256(data). Its error says
// whether the imprint differs (errImprint) or the token itself is bad.
func checkToken(der, data []byte, a anchors) (core.Token, error) {
	sum := sha256.Sum256(data)
	return rfc3161.VerifyToken(der, sum[:], a.roots, a.inter)
}

// isImprint reports whether a token error means "covers other data".
func isImprint(err error) bool { return errors.Is(err, rfc3161.ErrImprint) }
