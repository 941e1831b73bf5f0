package certs

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/digitorus/pkcs7"

	"github.com/lre-project/lre/core"
)

var (
	oidSigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidTimeStampToken       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
)

// ESS signing-certificate-v2 (RFC 5035). HashAlgorithm is left out: its
// DEFAULT is SHA-256, and DER forbids encoding a default value.
type signingCertificateV2 struct {
	Certs []essCertIDv2
}

type essCertIDv2 struct {
	CertHash     []byte
	IssuerSerial issuerSerial
}

type issuerSerial struct {
	Issuer []asn1.RawValue // GeneralNames holding one directoryName
	Serial *big.Int
}

// signCMS returns a detached CMS SignedData over content, as PAdES baseline
// B-T wants it for /SubFilter /ETSI.CAdES.detached: SHA-256, the signer
// certificate bound by signing-certificate-v2, the chain included and, when
// ts is not nil, a signature time-stamp over the signature value.
//
// digitorus/pkcs7 always adds a signing-time attribute, which PAdES forbids
// (the claimed time lives in the signature dictionary's /M). The signed
// attributes are therefore re-signed without it; see resign.
func signCMS(ctx context.Context, key crypto.Signer, cert, root *x509.Certificate, content []byte, ts core.Timestamper, rand io.Reader) ([]byte, error) {
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	ess := pkcs7.Attribute{Type: oidSigningCertificateV2, Value: signingCertificateV2{Certs: []essCertIDv2{{
		CertHash: certHash(cert),
		IssuerSerial: issuerSerial{
			Issuer: []asn1.RawValue{{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: cert.RawIssuer}},
			Serial: cert.SerialNumber,
		},
	}}}}
	cfg := pkcs7.SignerInfoConfig{ExtraSignedAttributes: []pkcs7.Attribute{ess}}
	if err := sd.AddSignerChain(cert, key, []*x509.Certificate{root}, cfg); err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	si := &sd.GetSignedData().SignerInfos[0]
	kept := si.AuthenticatedAttributes[:0]
	for _, a := range si.AuthenticatedAttributes {
		if !a.Type.Equal(pkcs7.OIDAttributeSigningTime) {
			kept = append(kept, a)
		}
	}
	si.AuthenticatedAttributes = kept
	sig, err := signAttrs(kept, key, rand)
	if err != nil {
		return nil, err
	}
	si.EncryptedDigest = sig
	if ts != nil {
		tst, err := signatureTimestamp(ctx, ts, sig)
		if err != nil {
			return nil, err
		}
		err = si.SetUnauthenticatedAttributes([]pkcs7.Attribute{{Type: oidTimeStampToken, Value: asn1.RawValue{FullBytes: tst}}})
		if err != nil {
			return nil, fmt.Errorf("cms: %w", err)
		}
	}
	sd.Detach()
	der, err := sd.Finish()
	if err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	return der, nil
}

// signAttrs signs the DER SET OF signed attributes (RFC 5652 section 5.4).
// pkcs7's attribute type is not exported; type inference lets this code
// encode it anyway. Removing elements keeps the DER order pkcs7 sorted.
func signAttrs[A any](attrs []A, key crypto.Signer, rand io.Reader) ([]byte, error) {
	wrapped, err := asn1.Marshal(struct {
		A []A `asn1:"set"`
	}{attrs})
	if err != nil {
		return nil, fmt.Errorf("cms: signed attributes: %w", err)
	}
	var seq asn1.RawValue
	if _, err := asn1.Unmarshal(wrapped, &seq); err != nil {
		return nil, fmt.Errorf("cms: signed attributes: %w", err)
	}
	h := sha256.Sum256(seq.Bytes) // the SET, without the wrapping SEQUENCE
	// ASN.1 for ECDSA, whether the key is in memory or in a PKCS#11 token.
	sig, err := key.Sign(rand, h[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("cms: sign: %w", err)
	}
	return sig, nil
}

// signatureTimestamp asks ts for a token over SHA-256 of the signature value
// (RFC 3161 appendix A, PAdES B-T) and returns the TimeStampToken to embed.
func signatureTimestamp(ctx context.Context, ts core.Timestamper, sig []byte) ([]byte, error) {
	sum := sha256.Sum256(sig)
	tok, err := ts.Timestamp(ctx, sum[:])
	if err != nil {
		return nil, fmt.Errorf("signature timestamp: %w", err)
	}
	return timeStampToken(tok.DER)
}

// timeStampToken extracts the TimeStampToken, a CMS ContentInfo, from a DER
// TimeStampResp. core.Token keeps the whole response for openssl ts -verify;
// a CMS unsigned attribute holds the token alone.
func timeStampToken(resp []byte) ([]byte, error) {
	var r struct {
		Status asn1.RawValue // PKIStatusInfo
		Token  asn1.RawValue `asn1:"optional"`
	}
	rest, err := asn1.Unmarshal(resp, &r)
	if err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("signature timestamp: malformed response (%v)", err)
	}
	var status int
	if _, err := asn1.Unmarshal(r.Status.Bytes, &status); err != nil {
		return nil, fmt.Errorf("signature timestamp: malformed status: %w", err)
	}
	switch {
	case status > 1: // granted (0) or grantedWithMods (1)
		return nil, fmt.Errorf("signature timestamp: status %d", status)
	case len(r.Token.FullBytes) == 0:
		return nil, errors.New("signature timestamp: response holds no token")
	}
	return r.Token.FullBytes, nil
}
