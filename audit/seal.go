package audit

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"time"

	"github.com/digitorus/pkcs7"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/rfc3161"
)

var oidTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}

// sealResult is what a verified PDF seal tells.
type sealResult struct {
	signer    *x509.Certificate
	root      *x509.Certificate // the root the signer chains to
	stamp     *core.Token       // the signature time-stamp, when present and valid
	archive   []core.Token      // document time-stamps, oldest first
	certified bool              // a certification signature, DocMDP P=1
	cms       *pkcs7.PKCS7
}

// errStamp marks a signature time-stamp that does not verify.
var errStamp = errors.New("signature time-stamp")

// verifySeal checks the PDF's PAdES signatures. The first is the provider's
// seal: its byte range covers a whole revision but the /Contents hex string,
// the CMS verifies over those bytes, the signer chains to seal (or, with
// seal nil, to a root the CMS carries) and the signature time-stamp, if any,
// verifies against tsa over the signature value. Every later signature is a
// document time-stamp (ETSI.RFC3161) over its own revision, the newest
// covers the whole file, and the updates between add nothing but validation
// data and time-stamps (checkRevisions).
//
// With at zero, every token's chain is checked at its own genTime. With at
// set, the archive rule applies: each time-stamp's certificate must be valid
// when the next time-stamp covers it, the newest one's on the day at.
func verifySeal(f *pdfFile, seal *anchors, tsa anchors, at time.Time) (sealResult, error) {
	sigs, err := f.signatures()
	if err != nil {
		return sealResult{}, err
	}
	sort.Slice(sigs, func(i, j int) bool { return sigs[i].end() < sigs[j].end() })
	first := sigs[0]
	if first.subFilter == subFilterDocTimeStamp {
		return sealResult{}, errors.New("the first signature is a document time-stamp, not the provider's seal")
	}
	res, err := verifyCMSSeal(f.data, first, seal)
	if err != nil {
		return res, err
	}
	if res.archive, err = verifyDocStamps(f.data, sigs[1:], tsa, at); err != nil {
		return res, err
	}
	if newest := sigs[len(sigs)-1]; newest.end() != int64(len(f.data)) {
		return res, fmt.Errorf("%w: %d bytes were appended after the newest signature (the file has %d bytes, it covers %d)", errModified, int64(len(f.data))-newest.end(), len(f.data), newest.end())
	}
	if err := checkRevisions(f, int(first.end())); err != nil {
		return res, err
	}
	res.certified = certifies(f, first)
	stampAt := at
	if len(res.archive) > 0 && !at.IsZero() {
		stampAt = res.archive[0].Time
	}
	if res.stamp, err = signatureStamp(res.cms, tsa, stampAt); err != nil {
		return res, err
	}
	chainAt := res.signer.NotBefore
	if res.stamp != nil {
		chainAt = res.stamp.Time
	}
	a := anchorsOf(res.cms.Certificates)
	if seal != nil {
		a = *seal
	}
	chains, err := res.signer.Verify(x509.VerifyOptions{Roots: a.roots, Intermediates: pool(append(a.inter, res.cms.Certificates...)), CurrentTime: chainAt, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		return res, fmt.Errorf("the seal certificate %q does not chain to the seal root: %w", res.signer.Subject.CommonName, err)
	}
	res.root = chains[0][len(chains[0])-1]
	return res, nil
}

const subFilterDocTimeStamp = "ETSI.RFC3161"

// verifyCMSSeal checks the seal's CMS over its byte range.
func verifyCMSSeal(data []byte, s pdfSignature, seal *anchors) (sealResult, error) {
	signed, cms, err := signedBytes(data, s)
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
	res := sealResult{signer: p7.GetOnlySigner(), cms: p7}
	if res.signer == nil {
		return sealResult{}, errors.New("the CMS has no single signer certificate")
	}
	return res, nil
}

// verifyDocStamps checks each document time-stamp over its revision.
func verifyDocStamps(data []byte, sigs []pdfSignature, tsa anchors, at time.Time) ([]core.Token, error) {
	var out []core.Token
	for i, s := range sigs {
		if s.subFilter != subFilterDocTimeStamp {
			return nil, fmt.Errorf("%w: a later signature has /SubFilter %s; only document time-stamps (%s) may follow the seal", errModified, s.subFilter, subFilterDocTimeStamp)
		}
		signed, token, err := signedBytes(data, s)
		if err != nil {
			return nil, err
		}
		resp, err := tokenResponse(token)
		if err != nil {
			return nil, fmt.Errorf("%w: document time-stamp %d: %v", errStamp, i+1, err)
		}
		sum := sha256.Sum256(signed)
		tok, err := rfc3161.VerifyToken(resp, sum[:], tsa.roots, tsa.inter)
		if err == nil && !at.IsZero() {
			when := at
			if i+1 < len(sigs) {
				if next, err := stampTimeOf(data, sigs[i+1]); err == nil {
					when = next
				}
			}
			tok, err = rfc3161.VerifyTokenAt(resp, sum[:], tsa.roots, tsa.inter, when)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: document time-stamp %d: %v", errStamp, i+1, err)
		}
		out = append(out, tok)
	}
	return out, nil
}

// stampTimeOf returns the genTime a document time-stamp claims, unchecked:
// only the time at which the previous one must still have been valid.
func stampTimeOf(data []byte, s pdfSignature) (time.Time, error) {
	_, token, err := signedBytes(data, s)
	if err != nil {
		return time.Time{}, err
	}
	p7, err := pkcs7.Parse(token)
	if err != nil {
		return time.Time{}, err
	}
	var info struct {
		Version        int
		Policy         asn1.ObjectIdentifier
		MessageImprint asn1.RawValue
		SerialNumber   *big.Int
		GenTime        time.Time `asn1:"generalized"`
	}
	if _, err := asn1.Unmarshal(p7.Content, &info); err != nil {
		return time.Time{}, err
	}
	return info.GenTime, nil
}

// tokenResponse wraps a TimeStampToken in a granted TimeStampResp, the form
// rfc3161 verifies.
func tokenResponse(token []byte) ([]byte, error) {
	return asn1.Marshal(struct {
		Status struct{ Status int }
		Token  asn1.RawValue
	}{Token: asn1.RawValue{FullBytes: token}})
}

// certifies reports whether the catalog names sig as its DocMDP
// certification signature with P=1 (no changes allowed).
func certifies(f *pdfFile, sig pdfSignature) bool {
	cat, err := f.catalog()
	if err != nil {
		return false
	}
	perms, err := f.dict(cat["Perms"])
	if err != nil {
		return false
	}
	if ref, ok := perms["DocMDP"].(pdfRef); !ok || ref != sig.ref {
		return false
	}
	dict, err := f.dict(sig.ref)
	if err != nil {
		return false
	}
	refs, _ := dict["Reference"].([]any)
	for _, r := range refs {
		sr, err := f.dict(r)
		if err != nil || sr["TransformMethod"] != pdfName("DocMDP") {
			continue
		}
		params, err := f.dict(sr["TransformParams"])
		return err == nil && params["P"] == int64(1)
	}
	return false
}

// signedBytes checks the byte range and returns the bytes it covers and the
// DER in /Contents. The range must leave out exactly the /Contents string
// and reach the end of a revision (a %%EOF): whatever a later update appends
// is judged by checkRevisions and the newer signatures.
func signedBytes(data []byte, s pdfSignature) ([]byte, []byte, error) {
	br, n := s.byteRange, int64(len(data))
	if br[0] != 0 || br[1] <= 0 || br[2] <= br[1] || br[2] > n || !revisionEnd(data, br[2]+br[3]) {
		return nil, nil, fmt.Errorf("the signature's byte range %v does not cover a whole revision of the %d-byte file", br, n)
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
	signed = append(append(signed, data[:br[1]]...), data[br[2]:br[2]+br[3]]...)
	return signed, raw.FullBytes, nil
}

// signatureStamp verifies the PAdES signature time-stamp (an unsigned
// attribute holding a TimeStampToken over SHA-256 of the signature value).
// With at set, the authority's chain is checked as of at (see verifySeal).
func signatureStamp(p7 *pkcs7.PKCS7, tsa anchors, at time.Time) (*core.Token, error) {
	if len(p7.Signers) != 1 {
		return nil, nil
	}
	si := p7.Signers[0]
	for _, a := range si.UnauthenticatedAttributes {
		if !a.Type.Equal(oidTimeStampToken) {
			continue
		}
		resp, err := tokenResponse(a.Value.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errStamp, err)
		}
		sum := sha256.Sum256(si.EncryptedDigest)
		tok, err := rfc3161.VerifyToken(resp, sum[:], tsa.roots, tsa.inter)
		if err == nil && !at.IsZero() {
			tok, err = rfc3161.VerifyTokenAt(resp, sum[:], tsa.roots, tsa.inter, at)
		}
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
