package rfc3161

import (
	"bytes"
	"crypto"
	_ "crypto/sha1" // ESSCertID (v1) binds the signer by its SHA-1 hash
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"github.com/digitorus/pkcs7"
)

var (
	oidSigningCertificate   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}
	oidSigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
)

// ESS signing-certificate attributes (RFC 2634 and RFC 5035). Policies, the
// last field of both, is not read.
type issuerSerial struct {
	Issuer []asn1.RawValue // GeneralNames
	Serial *big.Int
}

type essCertID struct {
	CertHash     []byte
	IssuerSerial issuerSerial `asn1:"optional"`
}

type essCertIDv2 struct {
	HashAlgorithm pkix.AlgorithmIdentifier `asn1:"optional"` // absent means SHA-256
	CertHash      []byte
	IssuerSerial  issuerSerial `asn1:"optional"`
}

type signingCertificate struct{ Certs []essCertID }

type signingCertificateV2 struct{ Certs []essCertIDv2 }

// checkESS requires the signed signing-certificate(-v2) attribute to name the
// signer certificate, so that a token cannot be re-attributed to another
// certificate holding the same key.
func checkESS(p7 *pkcs7.PKCS7, signer *x509.Certificate) error {
	for _, a := range p7.Signers[0].AuthenticatedAttributes {
		switch {
		case a.Type.Equal(oidSigningCertificateV2):
			var sc signingCertificateV2
			if _, err := asn1.Unmarshal(a.Value.Bytes, &sc); err != nil || len(sc.Certs) == 0 {
				return errors.New("unreadable signing-certificate-v2 attribute")
			}
			id := sc.Certs[0]
			h := crypto.SHA256
			if len(id.HashAlgorithm.Algorithm) > 0 {
				if h = essHash(id.HashAlgorithm.Algorithm); h == 0 {
					return fmt.Errorf("ESSCertIDv2 uses unknown hash %s", id.HashAlgorithm.Algorithm)
				}
			}
			return matchCertID(h, id.CertHash, id.IssuerSerial, signer)
		case a.Type.Equal(oidSigningCertificate):
			var sc signingCertificate
			if _, err := asn1.Unmarshal(a.Value.Bytes, &sc); err != nil || len(sc.Certs) == 0 {
				return errors.New("unreadable signing-certificate attribute")
			}
			return matchCertID(crypto.SHA1, sc.Certs[0].CertHash, sc.Certs[0].IssuerSerial, signer)
		}
	}
	return errors.New("no ESS signing-certificate attribute")
}

// essHash accepts SHA-1 next to SHA-2: ESSCertID v1 is SHA-1 by definition
// and binding a certificate needs second-preimage resistance only.
func essHash(oid asn1.ObjectIdentifier) crypto.Hash {
	if oid.Equal(asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}) {
		return crypto.SHA1
	}
	h, _ := strongHash(oid)
	return h
}

func matchCertID(h crypto.Hash, certHash []byte, is issuerSerial, signer *x509.Certificate) error {
	sum := h.New()
	sum.Write(signer.Raw)
	if !bytes.Equal(sum.Sum(nil), certHash) {
		return errors.New("ESS certificate hash does not match the signer certificate")
	}
	if is.Serial == nil {
		return nil
	}
	if is.Serial.Cmp(signer.SerialNumber) != 0 {
		return errors.New("ESS issuer serial does not match the signer certificate")
	}
	for _, name := range is.Issuer {
		const directoryName = 4
		if name.Class == asn1.ClassContextSpecific && name.Tag == directoryName && !bytes.Equal(name.Bytes, signer.RawIssuer) {
			return errors.New("ESS issuer name does not match the signer certificate")
		}
	}
	return nil
}
