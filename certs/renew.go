package certs

import (
	"context"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"slices"
	"time"

	"github.com/digitorus/pkcs7"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
)

// Renewer keeps stored certificates provable after the certificates that
// signed them expire: before the newest time-stamp's certificate ends, it
// appends fresh validation data and a new document time-stamp (an archive
// time-stamp, PAdES LTA). Every earlier byte, signature and time-stamp is
// kept.
type Renewer struct {
	r      *Renderer
	margin time.Duration
}

var _ evidence.ProofRenewer = (*Renewer)(nil)

// NewRenewer renews with r's authority and validation data once the newest
// time-stamp's certificate expires within margin.
func NewRenewer(r *Renderer, margin time.Duration) *Renewer {
	return &Renewer{r: r, margin: margin}
}

// Due reports whether pdf needs a new document time-stamp now: it has none
// yet (a certificate issued before PAdES LTA, or without an authority), or
// the newest one's certificate expires within the margin.
func (n *Renewer) Due(pdf []byte) (bool, error) {
	contents := signatureContents(pdf)
	if len(contents) == 0 {
		return false, core.Errorf(core.EINVALID, "not a sealed certificate: no signature")
	}
	p7, err := pkcs7.Parse(contents[len(contents)-1]) // the newest signature is the last written
	if err != nil {
		return false, core.Errorf(core.EINVALID, "newest signature unreadable: %v", err)
	}
	signer := p7.GetOnlySigner()
	if signer == nil || !slices.Contains(signer.ExtKeyUsage, x509.ExtKeyUsageTimeStamping) {
		return true, nil // the seal itself: no document time-stamp yet
	}
	return n.endsSoon(signer), nil
}

// TokenDue reports whether tok's signer certificate ends within the margin.
func (n *Renewer) TokenDue(tok core.Token) (bool, error) {
	var resp struct {
		Status asn1.RawValue
		Token  asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(tok.DER, &resp); err != nil || len(resp.Token.FullBytes) == 0 {
		return false, core.Errorf(core.EINVALID, "not a time-stamp response")
	}
	p7, err := pkcs7.Parse(resp.Token.FullBytes)
	if err != nil {
		return false, core.Errorf(core.EINVALID, "time-stamp token unreadable: %v", err)
	}
	signer := p7.GetOnlySigner()
	if signer == nil {
		return false, core.Errorf(core.EINVALID, "the time-stamp token %s carries no signer certificate", tok.Serial)
	}
	return n.endsSoon(signer), nil
}

// endsSoon is the renewal rule: c is no longer valid at now plus the
// margin.
func (n *Renewer) endsSoon(c *x509.Certificate) bool {
	return !n.r.now().Add(n.margin).Before(c.NotAfter)
}

// Renew appends a DSS update (today's chains and CRLs) and a document
// time-stamp from the renderer's authority.
func (n *Renewer) Renew(ctx context.Context, pdf []byte) ([]byte, error) {
	if n.r.ts == nil {
		return nil, errors.New("renew certificate: no time-stamping authority configured")
	}
	return n.r.ltvUpdate(ctx, pdf)
}
