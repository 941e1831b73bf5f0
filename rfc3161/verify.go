package rfc3161

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/digitorus/pkcs7"
	"github.com/digitorus/timestamp"

	"github.com/lre-project/lre/core"
)

// The ASN.1 of RFC 3161 section 2.4.2, declared here rather than taken from
// digitorus/timestamp so that every field reaches our checks as sent: its
// parser folds unknown hash OIDs and non-granted statuses into plain errors
// and only checks the signature when certificates happen to be embedded.
type timeStampResp struct {
	Status pkiStatusInfo
	Token  asn1.RawValue `asn1:"optional"`
}

type pkiStatusInfo struct {
	Status       int
	StatusString []string       `asn1:"optional,utf8"`
	FailInfo     asn1.BitString `asn1:"optional"`
}

type messageImprint struct {
	HashAlgorithm pkix.AlgorithmIdentifier
	HashedMessage []byte
}

type accuracy struct {
	Seconds int64 `asn1:"optional"`
	Millis  int64 `asn1:"tag:0,optional"`
	Micros  int64 `asn1:"tag:1,optional"`
}

type tstInfo struct {
	Version        int
	Policy         asn1.ObjectIdentifier
	MessageImprint messageImprint
	SerialNumber   *big.Int
	GenTime        time.Time        `asn1:"generalized"`
	Accuracy       accuracy         `asn1:"optional"`
	Ordering       bool             `asn1:"optional,default:false"`
	Nonce          *big.Int         `asn1:"optional"`
	TSA            asn1.RawValue    `asn1:"tag:0,optional"`
	Extensions     []pkix.Extension `asn1:"tag:1,optional"`
}

// PKIStatus values that come with a token (RFC 3161 section 2.4.2).
const (
	statusGranted         = 0
	statusGrantedWithMods = 1
)

var oidTSTInfo = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}

// strongHashes are the digest algorithms accepted as evidence, both for the
// message imprint and for the CMS signature; SHA-1 and MD5 have known
// collisions and cannot back a court-grade proof.
var strongHashes = []struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
}{
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}, crypto.SHA256},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}, crypto.SHA384},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}, crypto.SHA512},
}

func strongHash(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	for _, h := range strongHashes {
		if h.oid.Equal(oid) {
			return h.hash, true
		}
	}
	return 0, false
}

// Verify checks a DER TimeStampResp the way an auditor would, whoever issued
// it: status granted, imprint hash SHA-256 or stronger and equal to digest,
// nonce echoed (when nonce is not nil), CMS signature valid and bound to the
// signer certificate by ESSCertID(v2), signer certificate restricted to a
// critical timeStamping-only EKU and not a CA, and a chain to roots valid at
// the token's own genTime. The signer certificate is taken from the token or
// from intermediates, which also helps build the chain.
//
// Every error wraps exactly one of the sentinels in errors.go. The returned
// Token has Qualified false: only the caller knows whether it configured a
// qualified authority.
func Verify(respDER, digest []byte, nonce *big.Int, roots *x509.CertPool, intermediates []*x509.Certificate) (core.Token, error) {
	return verifyFresh(respDER, digest, nonce, roots, intermediates, freshness{})
}

// verifyFresh is Verify that also bounds genTime, for a token just received.
func verifyFresh(respDER, digest []byte, nonce *big.Int, roots *x509.CertPool, intermediates []*x509.Certificate, fresh freshness) (core.Token, error) {
	tok, err := verify(respDER, digest, nonce, roots, intermediates, fresh, time.Time{})
	if err != nil {
		return core.Token{}, fmt.Errorf("verify time-stamp: %w", err)
	}
	return tok, nil
}

// VerifyToken checks a stored TimeStampResp long after it was issued, when
// the request's nonce is gone. Every other check of Verify applies, the chain
// still at the token's genTime so that expired TSA certificates do not void
// old evidence.
func VerifyToken(respDER, digest []byte, roots *x509.CertPool, intermediates []*x509.Certificate) (core.Token, error) {
	return Verify(respDER, digest, nil, roots, intermediates)
}

// VerifyTokenAt is VerifyToken with the chain checked at at rather than at
// genTime: the rule for archive time-stamps (PAdES LTA), where a token is
// worth what its signer certificate is worth when the next time-stamp
// covers it, or on the day of verification for the newest one.
func VerifyTokenAt(respDER, digest []byte, roots *x509.CertPool, intermediates []*x509.Certificate, at time.Time) (core.Token, error) {
	tok, err := verify(respDER, digest, nil, roots, intermediates, freshness{}, at.UTC())
	if err != nil {
		return core.Token{}, fmt.Errorf("verify time-stamp as of %s: %w", at.UTC().Format(time.RFC3339), err)
	}
	return tok, nil
}

// verify checks the chain at chainAt, or at genTime when chainAt is zero.
func verify(respDER, digest []byte, nonce *big.Int, roots *x509.CertPool, intermediates []*x509.Certificate, fresh freshness, chainAt time.Time) (core.Token, error) {
	tokenDER, err := parseResponse(respDER)
	if err != nil {
		return core.Token{}, err
	}
	p7, info, err := parseToken(tokenDER)
	if err != nil {
		return core.Token{}, err
	}
	if err := checkImprint(info.MessageImprint, digest); err != nil {
		return core.Token{}, err
	}
	if err := checkNonce(info.Nonce, nonce); err != nil {
		return core.Token{}, err
	}
	signer, err := checkSignature(p7, intermediates)
	if err != nil {
		return core.Token{}, err
	}
	if err := checkUsage(signer); err != nil {
		return core.Token{}, err
	}
	if chainAt.IsZero() {
		chainAt = info.GenTime
	}
	if err := checkChain(signer, p7.Certificates, roots, chainAt); err != nil {
		return core.Token{}, err
	}
	if err := fresh.check(info); err != nil {
		return core.Token{}, err
	}
	return core.Token{
		DER:    respDER,
		Time:   info.GenTime.UTC(),
		Serial: info.SerialNumber.String(),
		TSA:    subjectName(signer),
		Policy: info.Policy.String(),
	}, nil
}

// parseResponse returns the TimeStampToken of a granted response.
func parseResponse(der []byte) ([]byte, error) {
	var resp timeStampResp
	rest, err := asn1.Unmarshal(der, &resp)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("%w: %d bytes after the response", ErrMalformed, len(rest))
	}
	if s := resp.Status.Status; s != statusGranted && s != statusGrantedWithMods {
		return nil, fmt.Errorf("%w: %s", ErrStatus, describeStatus(resp.Status))
	}
	if len(resp.Token.FullBytes) == 0 {
		return nil, fmt.Errorf("%w: granted without a token", ErrMalformed)
	}
	return resp.Token.FullBytes, nil
}

func describeStatus(s pkiStatusInfo) string {
	parts := []string{timestamp.Status(s.Status).String()}
	parts = append(parts, s.StatusString...)
	// PKIFailureInfo defines bits 0 to 25; a longer string is noise.
	for bit := range min(s.FailInfo.BitLength, 32) {
		if s.FailInfo.At(bit) == 1 {
			parts = append(parts, timestamp.FailureInfo(bit).String())
		}
	}
	return strings.Join(parts, "; ")
}

// parseToken unpacks the CMS SignedData and its TSTInfo content.
func parseToken(der []byte) (*pkcs7.PKCS7, tstInfo, error) {
	var info tstInfo
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return nil, info, fmt.Errorf("%w: token: %w", ErrMalformed, err)
	}
	if len(p7.Signers) != 1 {
		return nil, info, fmt.Errorf("%w: token has %d signers, want 1", ErrMalformed, len(p7.Signers))
	}
	var contentType asn1.ObjectIdentifier
	if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeContentType, &contentType); err != nil || !contentType.Equal(oidTSTInfo) {
		return nil, info, fmt.Errorf("%w: signed content is not a TSTInfo", ErrMalformed)
	}
	rest, err := asn1.Unmarshal(p7.Content, &info)
	if err != nil {
		return nil, info, fmt.Errorf("%w: TSTInfo: %w", ErrMalformed, err)
	}
	if len(rest) > 0 || info.Version != 1 || info.SerialNumber == nil {
		return nil, info, fmt.Errorf("%w: TSTInfo version %d, %d trailing bytes", ErrMalformed, info.Version, len(rest))
	}
	return p7, info, nil
}

func checkImprint(mi messageImprint, digest []byte) error {
	h, ok := strongHash(mi.HashAlgorithm.Algorithm)
	if !ok {
		return fmt.Errorf("%w: imprint uses %s", ErrWeakHash, mi.HashAlgorithm.Algorithm)
	}
	if len(mi.HashedMessage) != h.Size() {
		return fmt.Errorf("%w: %d-byte imprint for %s", ErrMalformed, len(mi.HashedMessage), h)
	}
	if !bytes.Equal(mi.HashedMessage, digest) {
		return fmt.Errorf("%w: token covers %x, want %x", ErrImprint, mi.HashedMessage, digest)
	}
	return nil
}

func checkNonce(got, want *big.Int) error {
	if want == nil {
		return nil
	}
	if got == nil {
		return fmt.Errorf("%w: token has no nonce, want %s", ErrNonce, want)
	}
	if got.Cmp(want) != 0 {
		return fmt.Errorf("%w: token has %s, want %s", ErrNonce, got, want)
	}
	return nil
}

// subjectName is what Token.TSA shows a reader: the common name when there
// is one, the whole distinguished name otherwise.
func subjectName(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return c.Subject.CommonName
	}
	return c.Subject.String()
}
