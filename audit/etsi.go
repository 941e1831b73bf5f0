package audit

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/jades"
)

// etsiSet is the ETSI evidence a bundle or certificate carries: file name
// -> bytes, and how that container names the evidence of a record.
type etsiSet struct {
	files  map[string][]byte
	nameOf func(seq uint64, t core.EventType) string
}

func bundleETSI(v *bundleView) etsiSet {
	s := etsiSet{files: map[string][]byte{}, nameOf: evidence.ETSIFileName}
	for _, n := range v.Names {
		if strings.HasPrefix(n, evidence.BundleETSIDir) {
			s.files[n] = v.Files[n]
		}
	}
	return s
}

func certificateETSI(c *certificateView) etsiSet {
	s := etsiSet{files: map[string][]byte{}, nameOf: evidence.ETSIAttachmentName}
	for n, b := range c.atts {
		if strings.HasPrefix(n, evidence.CertificateETSIPrefix) {
			s.files[n] = b
		}
	}
	return s
}

// checkETSI verifies each ETSI evidence: its JAdES signature (by a
// certificate chaining to seal at the signing time), and that it says
// exactly what the chained event and the manifest say, by building the
// evidence again from them (evidence.BuildETSIEvidence) and comparing the
// signed bytes. Every event of required must have its evidence. A
// container with no evidence at all predates ETSI evidence: skipped.
func checkETSI(r *Report, set etsiSet, manifest []byte, evs, required []core.Event, seal *anchors) {
	const name = "ETSI evidence"
	if len(set.files) == 0 {
		r.skip(KindSignature, name, "none: issued before lre wrote ETSI EN 319 522-3 evidence")
		return
	}
	letter, err := evidence.ETSILetterFromManifest(manifest)
	if err != nil {
		r.fail(KindFormat, name, "%v", err)
		return
	}
	failed := false
	for _, e := range required {
		if _, ok := set.files[set.nameOf(e.Seq, e.Type)]; !ok {
			r.fail(KindFormat, name, "%s is missing: every event has its evidence", set.nameOf(e.Seq, e.Type))
			failed = true
		}
	}
	names := make([]string, 0, len(set.files))
	for n := range set.files {
		names = append(names, n)
	}
	slices.Sort(names)
	var signers []string
	for _, n := range names {
		signer, err := checkOneETSI(set, n, letter, evs, seal)
		if err != nil {
			r.fail(etsiKind(err), name, "%s: %v", n, err)
			failed = true
			continue
		}
		if !slices.Contains(signers, signer) {
			signers = append(signers, signer)
		}
	}
	if !failed {
		r.pass(KindSignature, name, "%d evidence file(s) JAdES-sealed by %s, each saying what its chained event says", len(names), strings.Join(signers, ", "))
	}
}

// Which check an evidence failed, for the report's kind.
var (
	errETSIFormat = errors.New("not readable evidence")
	errETSIChain  = errors.New("does not match the chained event")
)

func etsiKind(err error) Kind {
	switch {
	case errors.Is(err, errETSIFormat):
		return KindFormat
	case errors.Is(err, errETSIChain):
		return KindChain
	}
	return KindSignature
}

func checkOneETSI(set etsiSet, name string, letter evidence.ETSILetter, evs []core.Event, seal *anchors) (string, error) {
	file := set.files[name]
	canon, sig, err := evidence.ETSISignedBytes(file)
	var ev evidence.ETSIEvidence
	if err == nil {
		err = json.Unmarshal(file, &ev)
	}
	switch {
	case err != nil:
		return "", fmt.Errorf("%w: %v", errETSIFormat, err)
	case sig == nil || sig.CompactDetached.Protected == "":
		return "", fmt.Errorf("%w: no jadesSignature.compactDetached", errETSIFormat)
	case ev.Version != evidence.ETSIVersion || len(ev.Extensions) == 0 || ev.Extensions[0].Name != evidence.ETSIExtensionName:
		return "", fmt.Errorf("%w: not version %s evidence naming its log record", errETSIFormat, evidence.ETSIVersion)
	}
	idx := slices.IndexFunc(evs, func(e core.Event) bool { return e.Seq == ev.Extensions[0].LogSeq })
	if idx < 0 {
		return "", fmt.Errorf("%w: it restates record %d, which is not among the events", errETSIChain, ev.Extensions[0].LogSeq)
	}
	if e := evs[idx]; name != set.nameOf(e.Seq, e.Type) {
		return "", fmt.Errorf("%w: record %d is a %s event, filed as %s", errETSIChain, e.Seq, e.Type, name)
	}
	v, err := jades.Verify(jades.Signature{Protected: sig.CompactDetached.Protected, Signature: sig.CompactDetached.Signature}, evidence.ETSIReference(ev.EvidenceIdentifier), canon)
	if err != nil {
		return "", err
	}
	if err := chainsTo(v, seal); err != nil {
		return "", err
	}
	return v.Chain[0].Subject.CommonName, sameAsChained(canon, letter, ev, evs[:idx+1])
}

// chainsTo checks the evidence signer against the seal's root at the
// signing time.
func chainsTo(v jades.Verified, seal *anchors) error {
	if seal == nil {
		return errors.New("no seal certificate to check the evidence signer against")
	}
	_, err := v.Chain[0].Verify(x509.VerifyOptions{Roots: seal.roots, Intermediates: pool(append(seal.inter, v.Chain[1:]...)), CurrentTime: v.SigningTime, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		return fmt.Errorf("the evidence signer %q does not chain to the seal root: %w", v.Chain[0].Subject.CommonName, err)
	}
	return nil
}

// sameAsChained rebuilds the evidence from the manifest and the chained
// events, with the issuer the evidence names (the log does not record
// it), and names the members that differ.
func sameAsChained(canon []byte, letter evidence.ETSILetter, ev evidence.ETSIEvidence, evs []core.Event) error {
	want, err := evidence.BuildETSIEvidence(letter, evidence.ETSIIssuer{Details: ev.EvidenceIssuerDetails, Policy: ev.EvidenceIssuerPolicyID}, evs)
	if err != nil {
		return fmt.Errorf("%w: %v", errETSIChain, err)
	}
	wantCanon, err := evidence.ETSICanonical(want)
	if err != nil || bytes.Equal(wantCanon, canon) {
		return err
	}
	var got, exp map[string]json.RawMessage
	json.Unmarshal(canon, &got)
	json.Unmarshal(wantCanon, &exp)
	var differ []string
	for k := range mergeKeys(got, exp) {
		if !bytes.Equal(got[k], exp[k]) {
			differ = append(differ, k)
		}
	}
	slices.Sort(differ)
	return fmt.Errorf("%w: %s differ from what the events and the manifest say", errETSIChain, strings.Join(differ, ", "))
}

func mergeKeys(a, b map[string]json.RawMessage) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}
