package rfc3161

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"

	"github.com/digitorus/pkcs7"
)

var oidExtKeyUsage = asn1.ObjectIdentifier{2, 5, 29, 37}

// cmsAttribute mirrors pkcs7's unexported attribute type so that the signed
// attributes can be encoded again: the signature covers their DER as a SET.
type cmsAttribute struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue `asn1:"set"`
}

// checkSignature finds the signer certificate, in the token or among
// intermediates, then checks the messageDigest attribute against the TSTInfo,
// the signature over the signed attributes, and the ESS binding. It does not
// call pkcs7's Verify, which also holds the signingTime attribute against the
// certificate validity: in a token genTime is the time that counts, and
// checkChain checks the certificates at genTime.
func checkSignature(p7 *pkcs7.PKCS7, intermediates []*x509.Certificate) (*x509.Certificate, error) {
	si := p7.Signers[0]
	hash, ok := strongHash(si.DigestAlgorithm.Algorithm)
	if !ok {
		return nil, fmt.Errorf("%w: signature digest uses %s", ErrWeakHash, si.DigestAlgorithm.Algorithm)
	}
	p7.Certificates = append(p7.Certificates, intermediates...)
	signer := p7.GetOnlySigner()
	if signer == nil {
		return nil, fmt.Errorf("%w: signer certificate neither in the token nor supplied", ErrSignature)
	}
	var digest []byte
	if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeMessageDigest, &digest); err != nil {
		return nil, fmt.Errorf("%w: no messageDigest attribute", ErrSignature)
	}
	h := hash.New()
	h.Write(p7.Content)
	if !bytes.Equal(h.Sum(nil), digest) {
		return nil, fmt.Errorf("%w: messageDigest does not match the TSTInfo", ErrSignature)
	}
	attrs := make([]cmsAttribute, 0, len(si.AuthenticatedAttributes))
	for _, a := range si.AuthenticatedAttributes {
		attrs = append(attrs, cmsAttribute{Type: a.Type, Value: a.Value})
	}
	signed, err := encodeSet(attrs)
	if err != nil {
		return nil, fmt.Errorf("%w: signed attributes: %w", ErrMalformed, err)
	}
	alg, err := signatureAlgorithm(signer.PublicKey, hash, si.DigestEncryptionAlgorithm.Algorithm)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSignature, err)
	}
	if err := signer.CheckSignature(alg, signed, si.EncryptedDigest); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSignature, err)
	}
	if err := checkESS(p7, signer); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSignature, err)
	}
	return signer, nil
}

func encodeSet(attrs []cmsAttribute) ([]byte, error) {
	der, err := asn1.Marshal(struct {
		A []cmsAttribute `asn1:"set"`
	}{attrs})
	if err != nil {
		return nil, err
	}
	var seq asn1.RawValue
	if _, err := asn1.Unmarshal(der, &seq); err != nil {
		return nil, err
	}
	return seq.Bytes, nil
}

var oidRSASSAPSS = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}

// algorithmsByHash lists, per strong hash, the ECDSA then the RSA
// (PKCS #1 v1.5) signature algorithm.
var algorithmsByHash = map[crypto.Hash][2]x509.SignatureAlgorithm{
	crypto.SHA256: {x509.ECDSAWithSHA256, x509.SHA256WithRSA},
	crypto.SHA384: {x509.ECDSAWithSHA384, x509.SHA384WithRSA},
	crypto.SHA512: {x509.ECDSAWithSHA512, x509.SHA512WithRSA},
}

// signatureAlgorithm picks the verification algorithm from the signer's key
// and the signer info's digest; the signature must then verify under that
// key, so a mislabelled algorithm cannot make a forgery pass.
func signatureAlgorithm(pub any, h crypto.Hash, sigOID asn1.ObjectIdentifier) (x509.SignatureAlgorithm, error) {
	switch pub.(type) {
	case *ecdsa.PublicKey:
		return algorithmsByHash[h][0], nil
	case *rsa.PublicKey:
		if sigOID.Equal(oidRSASSAPSS) {
			return 0, errors.New("RSASSA-PSS signer infos are not supported")
		}
		return algorithmsByHash[h][1], nil
	case ed25519.PublicKey:
		return x509.PureEd25519, nil
	}
	return 0, fmt.Errorf("unsupported signer key %T", pub)
}

// checkUsage applies RFC 3161 section 2.3: the TSA certificate carries one
// extended key usage, timeStamping, in a critical extension, and it is not a
// CA (a CA key signing tokens would blur who vouches for the time).
func checkUsage(c *x509.Certificate) error {
	var eku *pkix.Extension
	for i := range c.Extensions {
		if c.Extensions[i].Id.Equal(oidExtKeyUsage) {
			eku = &c.Extensions[i]
		}
	}
	switch {
	case eku == nil:
		return fmt.Errorf("%w: no extended key usage", ErrUsage)
	case !eku.Critical:
		return fmt.Errorf("%w: extended key usage is not critical", ErrUsage)
	case len(c.ExtKeyUsage) != 1 || c.ExtKeyUsage[0] != x509.ExtKeyUsageTimeStamping || len(c.UnknownExtKeyUsage) > 0:
		return fmt.Errorf("%w: extended key usage is not timeStamping only", ErrUsage)
	case c.IsCA:
		return fmt.Errorf("%w: signer is a CA", ErrUsage)
	case c.KeyUsage != 0 && c.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0:
		return fmt.Errorf("%w: key usage forbids signatures", ErrUsage)
	}
	return nil
}

// checkChain verifies at genTime rather than now: a token stays evidence
// after its TSA certificate expires, as long as it was valid when signing.
func checkChain(signer *x509.Certificate, certs []*x509.Certificate, roots *x509.CertPool, genTime time.Time) error {
	if roots == nil {
		return fmt.Errorf("%w: no trusted roots configured", ErrChain)
	}
	key := chainKey(signer, certs)
	if knownValid(roots, key, genTime) {
		return nil
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	chains, err := signer.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: pool,
		CurrentTime:   genTime,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
	})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrChain, err)
	}
	rememberValid(roots, key, chains)
	return nil
}
