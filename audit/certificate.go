package audit

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
)

// The attachments every certificate carries (see package certs).
const (
	attToken    = "timestamp.tsr"
	attManifest = "manifest.json"
	attEvents   = "events.json"
)

// certificateView is a certificate PDF parsed far enough to run the checks.
type certificateView struct {
	file     *pdfFile
	atts     map[string][]byte
	manifest manifestDoc
	events   eventsDoc
}

func readCertificate(data []byte) (*certificateView, error) {
	f, err := parsePDF(data)
	if err != nil {
		return nil, err
	}
	list, err := f.attachments()
	if err != nil {
		return nil, err
	}
	c := &certificateView{file: f, atts: map[string][]byte{}}
	for _, a := range list {
		c.atts[a.Name] = a.Data
	}
	for _, n := range []string{attToken, attManifest, attEvents} {
		if _, ok := c.atts[n]; !ok {
			return nil, fmt.Errorf("%w: attachment %s is missing", errPDF, n)
		}
	}
	if c.manifest, err = parseManifest(c.atts[attManifest]); err != nil {
		return nil, fmt.Errorf("%w: %v", errPDF, err)
	}
	if c.events, err = parseEvents(c.atts[attEvents]); err != nil {
		return nil, fmt.Errorf("%w: %v", errPDF, err)
	}
	return c, nil
}

// verifyCertificate checks a lone certificate PDF. It carries no authority
// root, so its tokens are checked against their own signer certificate and
// the report says so; it carries no Merkle proof either.
func verifyCertificate(data []byte, at time.Time) *Report {
	r := &Report{Input: "certificate"}
	c, err := readCertificate(data)
	if err != nil {
		r.fail(KindFormat, "certificate", "%v", err)
		return r
	}
	r.pass(KindFormat, "certificate", "PDF with its attachments %s, %s and %s", attToken, attManifest, attEvents)
	r.NoticeID = c.manifest.NoticeID
	tsa, err := selfAnchored(c.atts[attToken], c.file.dssCertificates())
	if err != nil {
		r.fail(KindToken, "deposit token", "%v", err)
		return r
	}
	r.Trust.SelfAnchor = true
	r.Trust.TSARoot, r.Trust.TSARootSHA = tsa.root.Subject.String(), fingerprint(tsa.root)
	seal := checkSeal(r, "seal", c.file, nil, tsa, at)
	deposit, depositOK := checkDepositToken(r, c.atts[attToken], c.atts[attManifest], tsa)
	evs, chainOK := checkEvents(r, c.events, c.manifest.NoticeID, c.atts[attManifest])
	r.skip(KindProof, "inclusion proofs", "a certificate carries none: verify the evidence bundle (evidence.zip) to check the log")
	if seal.root != nil {
		r.Trust.SealRoot, r.Trust.SealRootSHA = seal.root.Subject.String(), fingerprint(seal.root)
	}
	switch {
	case !chainOK:
		r.skip(KindSignature, "ETSI evidence", "not checked: it needs valid events")
	case seal.root == nil:
		r.skip(KindSignature, "ETSI evidence", "not checked: it needs a valid seal to anchor its signer")
	default:
		a := anchorsOf([]*x509.Certificate{seal.root})
		checkETSI(r, certificateETSI(c), c.atts[attManifest], evs, evs[len(evs)-1:], &a)
	}
	r.finish()
	if r.OK && depositOK && chainOK {
		r.Proves = append(proves(c.manifest, deposit, evs), sealSentence("this certificate", seal))
	}
	return r
}

// checkSeal verifies a PDF's seal and records the outcome under name.
func checkSeal(r *Report, name string, f *pdfFile, seal *anchors, tsa anchors, at time.Time) sealResult {
	res, err := verifySeal(f, seal, tsa, at)
	switch {
	case errors.Is(err, errModified):
		r.fail(KindSignature, name, "%v", err)
	case errors.Is(err, errStamp):
		r.fail(KindToken, name, "%v", err)
	case errors.Is(err, errPDF):
		r.fail(KindFormat, name, "%v", err)
	case err != nil:
		r.fail(KindSignature, name, "%v", err)
	default:
		r.pass(KindSignature, name, "sealed by %q, chaining to %q; signature time-stamped %s%s", res.signer.Subject.CommonName, res.root.Subject.CommonName, StampTime{res.stamp},
			SealProtection{Certified: res.certified, DocStamps: res.archive})
	}
	return res
}

// SealProtection is what protects a seal over time, among a report
// sentence's arguments: a certification signature and the document
// time-stamps added since. Its String is the English sentence; a page in
// another language writes it from the fields.
type SealProtection struct {
	Certified bool         // a certification signature, DocMDP P=1: no change allowed
	DocStamps []core.Token // document time-stamps, oldest first
}

func (p SealProtection) String() string {
	var b strings.Builder
	if p.Certified {
		b.WriteString("; certification signature (DocMDP P=1: no change allowed)")
	}
	for _, t := range p.DocStamps {
		fmt.Fprintf(&b, "; document time-stamp %s by %q", timeOr(t.Time), t.TSA)
	}
	return b.String()
}

// Authority is a token's time-stamping authority among a report sentence's
// arguments, as the token names it: a reader in another language may write
// an embedded authority in their own words (see core.EmbeddedTSAProvider).
type Authority string

func (a Authority) String() string { return string(a) }

// StampTime is the seal's time-stamp among a report sentence's arguments;
// Token is nil when the seal has none.
type StampTime struct{ Token *core.Token }

func (s StampTime) String() string {
	if s.Token == nil {
		return "(no time-stamp)"
	}
	return timeOr(s.Token.Time)
}

func stampTime(res sealResult) string {
	if res.stamp == nil {
		return "(no time-stamp)"
	}
	return timeOr(res.stamp.Time)
}

func sealSentence(what string, res sealResult) string {
	return fmt.Sprintf("%s was sealed by %s on %s and not changed since", what, res.signer.Subject.CommonName, stampTime(res))
}

// checkBundleCertificates verifies every PDF of the bundle against the
// bundle's seal and authority, and checks that each carries the bundle's
// manifest, deposit token and events.
func checkBundleCertificates(r *Report, v *bundleView, evs []core.Event, at time.Time) []string {
	var proved []string
	known := map[string]bool{}
	for _, e := range evs {
		known[string(e.Hash)] = true
	}
	for _, name := range v.Names {
		if !strings.HasPrefix(name, evidence.BundleCertificatesDir) || path.Ext(name) != ".pdf" {
			continue
		}
		label := path.Base(name)
		if v.seal == nil {
			r.fail(KindFormat, label, "the bundle has certificates but no %s", evidence.BundleSeal)
			continue
		}
		c, err := readCertificate(v.Files[name])
		if err != nil {
			r.fail(KindFormat, label, "%v", err)
			continue
		}
		res := checkSeal(r, label, c.file, v.seal, v.tsa, at)
		if !bytes.Equal(c.atts[attManifest], v.Files[evidence.BundleManifest]) {
			r.fail(KindDocumentDigest, label, "its manifest.json differs from the bundle's")
		}
		for att, b := range certificateETSI(c).files {
			if !bytes.Equal(b, v.Files[evidence.BundleETSIDir+strings.TrimPrefix(att, evidence.CertificateETSIPrefix)]) {
				r.fail(KindSignature, label, "its %s differs from the bundle's evidence", att)
			}
		}
		if !bytes.Equal(c.atts[attToken], v.Files[evidence.BundleDepositToken]) {
			r.fail(KindToken, label, "its timestamp.tsr differs from the bundle's deposit.tsr")
		}
		pevs, err := checkChain(c.events, v.manifest.NoticeID)
		for _, e := range pevs {
			if err == nil && !known[string(e.Hash)] {
				err = fmt.Errorf("record %d is not among the bundle's events", e.Seq)
			}
		}
		if err != nil {
			r.fail(KindChain, label, "its events.json: %v", err)
		}
		if res.signer != nil && res.root != nil {
			proved = append(proved, sealSentence(name, res))
		}
	}
	return proved
}
