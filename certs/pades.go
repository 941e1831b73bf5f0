package certs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/digitorus/pkcs7"

	"github.com/lre-project/lre/core"
)

// ValidationData is what a validator needs besides the signatures: the
// time-stamping authorities' certificates and the current CRLs of every CA
// involved. PAdES B-LT keeps it in the document's DSS dictionary so that the
// proof verifies without reaching the provider, years from now.
type ValidationData struct {
	Certs []*x509.Certificate
	CRLs  [][]byte // DER
}

// WithValidationData sets where the renderer gets the authority's chain and
// CRLs for the DSS; the seal's chain and CRL are always added.
func WithValidationData(f func() (ValidationData, error)) Option {
	return func(r *Renderer) { r.ltv = f }
}

// ltvUpdate appends the DSS update then the document time-stamp update: the
// PAdES baseline LTA shape. Without an authority the signature stays B-B,
// alone in its revision: validation data without a time to check it at
// proves nothing more.
func (r *Renderer) ltvUpdate(ctx context.Context, pdf []byte) ([]byte, error) {
	if r.ts == nil {
		return pdf, nil
	}
	vd, err := r.validationData(pdf)
	if err != nil {
		return nil, err
	}
	if pdf, err = AddDSS(pdf, vd); err != nil {
		return nil, err
	}
	return AddDocumentTimestamp(ctx, pdf, r.ts)
}

func (r *Renderer) validationData(pdf []byte) (ValidationData, error) {
	_, chain := r.seal.Current()
	vd := ValidationData{Certs: append(chain, tokenCertificatesIn(pdf)...)}
	crl, err := r.seal.CRL(r.now())
	if err != nil {
		return vd, err
	}
	vd.CRLs = append(vd.CRLs, crl)
	if r.ltv != nil {
		more, err := r.ltv()
		if err != nil {
			return vd, fmt.Errorf("validation data: %w", err)
		}
		vd.Certs = append(vd.Certs, more.Certs...)
		vd.CRLs = append(vd.CRLs, more.CRLs...)
	}
	return vd, nil
}

// tokenCertificatesIn returns the certificates embedded in the signatures of
// pdf (the seal's CMS and its time-stamp token): an external authority's
// chain is known only from its tokens.
func tokenCertificatesIn(pdf []byte) []*x509.Certificate {
	var out []*x509.Certificate
	for _, der := range signatureContents(pdf) {
		p7, err := pkcs7.Parse(der)
		if err != nil {
			continue
		}
		out = append(out, p7.Certificates...)
		for _, si := range p7.Signers {
			for _, a := range si.UnauthenticatedAttributes {
				if a.Type.Equal(oidTimeStampToken) {
					if tst, err := pkcs7.Parse(a.Value.Bytes); err == nil {
						out = append(out, tst.Certificates...)
					}
				}
			}
		}
	}
	return out
}

var reDSS = regexp.MustCompile(`/DSS\s+(\d+)\s+0\s+R`)

// AddDSS appends an incremental update holding a Document Security Store
// (ISO 32000-2, 12.8.4.3) with vd's certificates and CRLs, each stored once,
// plus everything an earlier DSS held: validation data is only ever added.
func AddDSS(pdf []byte, vd ValidationData) ([]byte, error) {
	doc, err := readPDF(pdf)
	if err != nil {
		return nil, fmt.Errorf("DSS: %w", err)
	}
	u := newUpdate(doc)
	cat, err := u.dict(doc.root)
	if err != nil {
		return nil, err
	}
	certRefs, crlRefs, err := existingDSS(doc, cat)
	if err != nil {
		return nil, err
	}
	seen := map[[32]byte]bool{}
	for _, ref := range append(append([]int{}, certRefs...), crlRefs...) {
		if raw, err := doc.streamBytes(ref); err == nil {
			seen[sha256.Sum256(raw)] = true
		}
	}
	stream := func(der []byte) (int, bool) {
		if seen[sha256.Sum256(der)] {
			return 0, false
		}
		seen[sha256.Sum256(der)] = true
		n := u.alloc()
		u.set(n, append(fmt.Appendf(nil, "<< /Length %d >>\nstream\n", len(der)), append(der, "\nendstream"...)...))
		return n, true
	}
	for _, c := range vd.Certs {
		if n, ok := stream(c.Raw); ok {
			certRefs = append(certRefs, n)
		}
	}
	for _, crl := range vd.CRLs {
		if n, ok := stream(crl); ok {
			crlRefs = append(crlRefs, n)
		}
	}
	dss := u.alloc()
	u.set(dss, fmt.Appendf(nil, "<< /Type /DSS /Certs [%s] /CRLs [%s] >>", refList(certRefs), refList(crlRefs)))
	if loc := reDSS.FindIndex(cat); loc != nil {
		cat = append(append(append([]byte{}, cat[:loc[0]]...), fmt.Sprintf("/DSS %d 0 R", dss)...), cat[loc[1]:]...)
	} else {
		cat = appendEntry(cat, fmt.Sprintf("/DSS %d 0 R", dss))
		cat = appendEntry(cat, "/Extensions << /ESIC << /BaseVersion /1.7 /ExtensionLevel 5 >> >>")
	}
	u.set(doc.root, cat)
	out, _, _ := u.write()
	return out, nil
}

var (
	reCertsArray = regexp.MustCompile(`/Certs\s*\[([^\]]*)\]`)
	reCRLsArray  = regexp.MustCompile(`/CRLs\s*\[([^\]]*)\]`)
	reRef        = regexp.MustCompile(`(\d+)\s+0\s+R`)
)

// existingDSS returns the stream references of the catalog's DSS, if any.
func existingDSS(doc *pdfDoc, cat []byte) (certs, crls []int, err error) {
	n, err := intMatch(reDSS, cat)
	if err != nil {
		return nil, nil, nil // no DSS yet
	}
	dss, err := doc.dict(n)
	if err != nil {
		return nil, nil, fmt.Errorf("DSS: %w", err)
	}
	return refsIn(reCertsArray, dss), refsIn(reCRLsArray, dss), nil
}

func refsIn(re *regexp.Regexp, dict []byte) []int {
	m := re.FindSubmatch(dict)
	if m == nil {
		return nil
	}
	var out []int
	for _, r := range reRef.FindAllSubmatch(m[1], -1) {
		if n, err := strconv.Atoi(string(r[1])); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func refList(nums []int) string {
	parts := make([]string, len(nums))
	for i, n := range nums {
		parts[i] = fmt.Sprintf("%d 0 R", n)
	}
	return strings.Join(parts, " ")
}

// AddDocumentTimestamp appends an incremental update holding a document
// time-stamp (/SubFilter /ETSI.RFC3161, PAdES baseline LTA): a token from ts
// over SHA-256 of every byte of the result but its own /Contents. Applied
// again before the previous time-stamp's certificate ends, it keeps every
// earlier signature provable (archive time-stamps).
func AddDocumentTimestamp(ctx context.Context, pdf []byte, ts core.Timestamper) ([]byte, error) {
	doc, err := readPDF(pdf)
	if err != nil {
		return nil, fmt.Errorf("document time-stamp: %w", err)
	}
	u := newUpdate(doc)
	sig := u.alloc()
	if err := u.addSignatureField(sig, fmt.Sprintf("DocTimeStamp%d", sig)); err != nil {
		return nil, err
	}
	u.setSignature(sig, "/Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161", tsaRoom)
	out, contents, byteRange := u.write()
	return fillSignature(out, contents, byteRange, func(signed []byte) ([]byte, error) {
		sum := sha256.Sum256(signed)
		tok, err := ts.Timestamp(ctx, sum[:])
		if err != nil {
			return nil, fmt.Errorf("document time-stamp: %w", err)
		}
		return timeStampToken(tok.DER)
	})
}

var reContents = regexp.MustCompile(`/Contents\s*<([0-9A-Fa-f]+)>`)

// signatureContents returns the DER of every signature /Contents in pdf,
// zero padding removed.
func signatureContents(pdf []byte) [][]byte {
	var out [][]byte
	for _, m := range reContents.FindAllSubmatch(pdf, -1) {
		der, err := hex.DecodeString(string(m[1]))
		if err != nil {
			continue
		}
		out = append(out, trimDER(der))
	}
	return out
}

// trimDER drops the zero padding after a DER value.
func trimDER(b []byte) []byte {
	if len(b) < 2 || b[0] != 0x30 {
		return b
	}
	n, hdr := int(b[1]), 2
	if n&0x80 != 0 {
		k := n & 0x7f
		if k == 0 || k > 4 || len(b) < 2+k {
			return b
		}
		n, hdr = 0, 2+k
		for _, c := range b[2 : 2+k] {
			n = n<<8 | int(c)
		}
	}
	if hdr+n > len(b) {
		return b
	}
	return bytes.Clone(b[:hdr+n])
}
