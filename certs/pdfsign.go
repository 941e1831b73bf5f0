package certs

import (
	"bytes"
	"context"
	"fmt"
)

// Room for the CMS signature in /Contents, fixed before signing since the
// byte range depends on it. The seal's SignedData (two P-256 certificates
// and the signature) takes about 1.3 KB; a time-stamp adds the authority's
// token: 1 KB for the embedded one, a few KB for an external authority with
// an RSA chain.
const (
	sigRoom   = 4 << 10
	tsaRoom   = 16 << 10
	rangeRoom = "[0 0000000000 0000000000 0000000000]"
)

// signPDF appends to pdf an incremental update holding a PAdES certification
// signature: the catalog gains an AcroForm with one signature field and
// /Perms naming the signature for DocMDP with P=1 (no change allowed: any
// later update but validation data and document time-stamps breaks the
// certification), page 1 gains the (invisible) widget, and /Contents
// receives a detached CMS over every byte of the file but that hex string.
func (r *Renderer) signPDF(ctx context.Context, pdf []byte, reason string) ([]byte, error) {
	key, cert := r.seal.current() // one generation for the whole signature
	doc, err := parsePDF(pdf)
	if err != nil {
		return nil, err
	}
	if cat, err := doc.dict(doc.root); err != nil {
		return nil, err
	} else if bytes.Contains(cat, []byte("/AcroForm")) || bytes.Contains(cat, []byte("/Perms")) {
		return nil, fmt.Errorf("%w: the document already has a form", errPDF)
	}
	u := newUpdate(doc)
	sig := u.alloc()
	if err := u.addSignatureField(sig, "Seal"); err != nil {
		return nil, err
	}
	cat, _ := u.dict(doc.root)
	u.set(doc.root, appendEntry(cat, fmt.Sprintf("/Perms << /DocMDP %d 0 R >>", sig)))
	room := sigRoom
	if r.ts != nil {
		room += tsaRoom
	}
	head := fmt.Sprintf("/Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached\n/M %s /Name %s /Reason %s\n"+
		"/Reference [ << /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P 1 /V /1.2 >> >> ]",
		pdfDate(r.now().UTC()), pdfString(cert.Subject.CommonName), pdfString(reason))
	u.setSignature(sig, head, room)
	out, contents, byteRange := u.write()
	return fillSignature(out, contents, byteRange, func(signed []byte) ([]byte, error) {
		return signCMS(ctx, key, cert, r.seal.root, signed, r.ts, r.rand)
	})
}
