package audit

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/digitorus/pkcs7"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/rfc3161"
)

var oidTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}

// sealResult is what a verified PDF seal tells.
type sealResult struct {
	signer *x509.Certificate
	root   *x509.Certificate // the root the signer chains to
	stamp  *core.Token       // the signature time-stamp, when present and valid
}

// errStamp marks a signature time-stamp that does not verify.
var errStamp = errors.New("signature time-stamp")

// verifySeal checks the PDF's (single) PAdES signature: the byte range
// covers the whole file but the /Contents hex string, the CMS signature
// verifies over those bytes, the signer chains to seal (or, with seal nil,
// to a root the CMS carries) and the signature time-stamp, if any, verifies
// against tsa over the signature value.
func verifySeal(f *pdfFile, seal *anchors, tsa anchors) (sealResult, error) {
	sigs, err := f.signatures()
	if err != nil {
		return sealResult{}, err
	}
	if len(sigs) != 1 {
		return sealResult{}, fmt.Errorf("%d signatures, expected the provider's seal only", len(sigs))
	}
	signed, cms, err := signedBytes(f.data, sigs[0])
	if err != nil {
		return sealResult{}, err
	}
	p7, err := pkcs7.Parse(cms)
	if err != nil {
		return sealResult{}, fmt.Errorf("CMS: %w", err)
	}
	p7.Content = signed
	if err := p7.Verify(); err != nil {
		return sealResult{}, fmt.Errorf("the seal does not verify over the signed bytes: %w", err)
	}
	res := sealResult{signer: p7.GetOnlySigner()}
	if res.signer == nil {
		return sealResult{}, errors.New("the CMS has no single signer certificate")
	}
	at := res.signer.NotBefore
	if tok, err := signatureStamp(p7, tsa); err != nil {
		return res, err
	} else if tok != nil {
		res.stamp, at = tok, tok.Time
	}
	a := anchorsOf(p7.Certificates)
	if seal != nil {
		a = *seal
	}
	chains, err := res.signer.Verify(x509.VerifyOptions{Roots: a.roots, Intermediates: pool(append(a.inter, p7.Certificates...)), CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		return res, fmt.Errorf("the seal certificate %q does not chain to the seal root: %w", res.signer.Subject.CommonName, err)
	}
	res.root = chains[0][len(chains[0])-1]
	return res, nil
}

// signedBytes checks the byte range and returns the bytes it covers and the
// DER CMS from /Contents. The range must leave out exactly the /Contents
// string and reach the end of the file: anything appended after signing is
// not covered, so it is refused.
func signedBytes(data []byte, s pdfSignature) ([]byte, []byte, error) {
	br, n := s.byteRange, int64(len(data))
	if br[0] != 0 || br[1] <= 0 || br[2] <= br[1] || br[2]+br[3] != n || br[2] > n {
		return nil, nil, fmt.Errorf("the signature's byte range %v does not cover the whole %d-byte file", br, n)
	}
	gap := data[br[1]:br[2]]
	if len(gap) < 2 || gap[0] != '<' || gap[len(gap)-1] != '>' {
		return nil, nil, errors.New("the signature's byte range does not leave out exactly its /Contents")
	}
	inGap, err := hex.DecodeString(string(gap[1 : len(gap)-1]))
	if err != nil || !bytes.Equal(inGap, s.contents) {
		return nil, nil, errors.New("the /Contents in the byte-range gap is not the signature dictionary's")
	}
	var raw asn1.RawValue
	if _, err := asn1.Unmarshal(s.contents, &raw); err != nil {
		return nil, nil, fmt.Errorf("CMS: %w", err)
	}
	signed := make([]byte, 0, br[1]+br[3])
	signed = append(append(signed, data[:br[1]]...), data[br[2]:]...)
	return signed, raw.FullBytes, nil
}

// signatureStamp verifies the PAdES signature time-stamp (an unsigned
// attribute holding a TimeStampToken over SHA-256 of the signature value).
func signatureStamp(p7 *pkcs7.PKCS7, tsa anchors) (*core.Token, error) {
	if len(p7.Signers) != 1 {
		return nil, nil
	}
	si := p7.Signers[0]
	for _, a := range si.UnauthenticatedAttributes {
		if !a.Type.Equal(oidTimeStampToken) {
			continue
		}
		resp, err := asn1.Marshal(struct {
			Status struct{ Status int }
			Token  asn1.RawValue
		}{Token: asn1.RawValue{FullBytes: a.Value.Bytes}})
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errStamp, err)
		}
		sum := sha256.Sum256(si.EncryptedDigest)
		tok, err := rfc3161.VerifyToken(resp, sum[:], tsa.roots, tsa.inter)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errStamp, err)
		}
		return &tok, nil
	}
	return nil, nil
}

func pool(certs []*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

func timeOr(t time.Time) string {
	if t.IsZero() {
		return "unknown time"
	}
	return t.UTC().Format(time.RFC3339)
}
