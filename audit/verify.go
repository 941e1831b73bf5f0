package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/tlog"
)

// Options tune a verification.
type Options struct {
	// EarlierCheckpoint is a signed checkpoint the auditor saved before
	// (say, from GET /api/v1/log/checkpoint). The bundle's checkpoint must
	// be consistent with it: same root at the same size, or a consistency
	// proof in the bundle (downloaded with ?consistency_from=<its size>).
	EarlierCheckpoint []byte
	// At, when set, verifies as of that date: the newest time-stamp of
	// every chain of time-stamps (a PDF's document time-stamps, a
	// checkpoint's archive tokens) must have a certificate valid then, and
	// each older one a certificate valid when the next one was made. Zero
	// checks every token at its own time.
	At time.Time
}

// Verify checks an evidence bundle (ZIP) or a certificate PDF and reports
// every check. It never fails: unreadable input is a failed format check.
func Verify(data []byte, opts Options) *Report {
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return verifyBundle(data, opts)
	case bytes.HasPrefix(data, []byte("%PDF-")):
		r := verifyCertificate(data, opts.At)
		if opts.EarlierCheckpoint != nil {
			r.fail(KindCheckpoint, "earlier checkpoint", "a certificate carries no checkpoint to compare with: verify the evidence bundle instead")
		}
		return r.finish()
	}
	r := &Report{}
	r.fail(KindFormat, "input", "neither an evidence bundle (ZIP) nor a certificate (PDF)")
	return r.finish()
}

// bundleView is a bundle parsed far enough to run the checks.
type bundleView struct {
	*Bundle
	index    evidence.BundleIndex
	manifest manifestDoc
	events   eventsDoc
	proofs   evidence.ProofsFile
	tsa      anchors
	seal     *anchors
	logKey   string
}

func readBundleView(data []byte) (*bundleView, error) {
	b, err := ReadBundle(data)
	if err != nil {
		return nil, err
	}
	v := &bundleView{Bundle: b}
	err = b.need(evidence.BundleIndexFile, evidence.BundleManifest, evidence.BundleDepositToken, evidence.BundleEvents, evidence.BundleProofs,
		evidence.BundleCheckpoint, evidence.BundleCheckpointToken, evidence.BundleTSAChain, evidence.BundleLogKey)
	if err != nil {
		return nil, err
	}
	for _, j := range []struct {
		name string
		v    any
	}{{evidence.BundleIndexFile, &v.index}, {evidence.BundleProofs, &v.proofs}} {
		if err := json.Unmarshal(b.Files[j.name], j.v); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", errFormat, j.name, err)
		}
	}
	if v.manifest, err = parseManifest(b.Files[evidence.BundleManifest]); err != nil {
		return nil, fmt.Errorf("%w: %v", errFormat, err)
	}
	if v.events, err = parseEvents(b.Files[evidence.BundleEvents]); err != nil {
		return nil, fmt.Errorf("%w: %v", errFormat, err)
	}
	chain, err := parsePEMChain(b.Files[evidence.BundleTSAChain])
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", errFormat, evidence.BundleTSAChain, err)
	}
	v.tsa = anchorsOf(chain)
	if pem, ok := b.Files[evidence.BundleSeal]; ok {
		certs, err := parsePEMChain(pem)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", errFormat, evidence.BundleSeal, err)
		}
		a := anchorsOf(certs)
		v.seal = &a
	}
	v.logKey = strings.TrimSpace(string(b.Files[evidence.BundleLogKey]))
	if v.index.NoticeID != v.manifest.NoticeID {
		return nil, fmt.Errorf("%w: bundle.json names letter %q, manifest.json %q", errFormat, v.index.NoticeID, v.manifest.NoticeID)
	}
	return v, nil
}

func verifyBundle(data []byte, opts Options) *Report {
	r := &Report{Input: "bundle"}
	v, err := readBundleView(data)
	if err != nil {
		r.fail(KindFormat, "bundle", "%v", err)
		return r.finish()
	}
	r.pass(KindFormat, "bundle", "%d files, layout version %d", len(v.Names), v.index.Version)
	r.NoticeID = v.manifest.NoticeID
	r.Trust = Trust{Provider: v.index.Provider, Qualified: v.index.Qualified, LogKey: v.logKey}
	r.Trust.TSARoot, r.Trust.TSARootSHA = v.tsa.root.Subject.String(), fingerprint(v.tsa.root)
	if v.seal != nil {
		r.Trust.SealRoot, r.Trust.SealRootSHA = v.seal.root.Subject.String(), fingerprint(v.seal.root)
	}
	checkDocuments(r, v)
	deposit, depositOK := checkDepositToken(r, v.Files[evidence.BundleDepositToken], v.Files[evidence.BundleManifest], v.tsa)
	evs, chainOK := checkEvents(r, v.events, v.manifest.NoticeID, v.Files[evidence.BundleManifest])
	cp, cpTokens, cpOK := checkCheckpoint(r, v, opts.At)
	if cpOK && chainOK {
		checkInclusion(r, v, evs, cp)
	} else {
		r.skip(KindProof, "inclusion proofs", "not checked: they need a valid checkpoint and valid events")
	}
	if !opts.At.IsZero() && depositOK {
		checkDepositAt(r, v, evs, cpTokens, opts.At)
	}
	if opts.EarlierCheckpoint != nil {
		checkEarlier(r, v, cp, cpOK, opts.EarlierCheckpoint)
	}
	if chainOK {
		checkETSI(r, bundleETSI(v), v.Files[evidence.BundleManifest], evs, evs, v.seal)
	} else {
		r.skip(KindSignature, "ETSI evidence", "not checked: it needs valid events")
	}
	pdfs := checkBundleCertificates(r, v, evs, opts.At)
	r.finish()
	if r.OK && depositOK {
		r.Proves = append(proves(v.manifest, deposit, evs),
			fmt.Sprintf("every event above is in the evidence log: checkpoint of %d records signed by %s, time-stamped %s", cp.Size, cp.Origin, r.Trust.CheckpointT))
		r.Proves = append(r.Proves, pdfs...)
	}
	return r
}

// checkDocuments compares every included document with the manifest's
// digest (the manifest, not bundle.json, is what the token covers).
func checkDocuments(r *Report, v *bundleView) {
	included, purged := 0, 0
	listed := map[int]bool{}
	for _, d := range v.index.Documents {
		mp, ok := v.manifest.part(d.ManifestIndex)
		switch {
		case !ok:
			r.fail(KindDocumentDigest, "document", "bundle.json lists part %d, which the manifest does not have", d.ManifestIndex)
			continue
		case d.Path == "":
			purged++
			listed[d.ManifestIndex] = true
			continue
		}
		content, ok := v.Files[d.Path]
		if !ok {
			r.fail(KindFormat, "document", "%s is listed but missing", d.Path)
			continue
		}
		sum := sha256.Sum256(content)
		if hex.EncodeToString(sum[:]) != mp.SHA256 || int64(len(content)) != mp.Size {
			r.fail(KindDocumentDigest, "document", "%s does not match the SHA-256 the manifest records for %q", d.Path, mp.Name)
			continue
		}
		included++
		listed[d.ManifestIndex] = true
	}
	for i := 0; i <= len(v.manifest.Documents); i++ {
		if !listed[i] {
			purged++
		}
	}
	r.pass(KindDocumentDigest, "documents", "%d document(s) match the manifest; %d not included (content purged, digest kept)", included, purged)
	if purged > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("%d document(s) are no longer retained: only their digests remain in the manifest.", purged))
	}
}

func checkDepositToken(r *Report, der, manifest []byte, tsa anchors) (core.Token, bool) {
	tok, err := checkToken(der, manifest, tsa)
	switch {
	case isImprint(err):
		r.fail(KindDocumentDigest, "manifest", "manifest.json is not the data the deposit token time-stamps: %v", err)
		return tok, false
	case err != nil:
		r.fail(KindToken, "deposit token", "%v", err)
		return tok, false
	}
	r.pass(KindDocumentDigest, "manifest", "SHA-256(manifest.json) is the deposit token's imprint")
	r.pass(KindToken, "deposit token", "granted %s by %s (serial %s, policy %s)", timeOr(tok.Time), Authority(tok.TSA), tok.Serial, tok.Policy)
	return tok, true
}

func checkEvents(r *Report, d eventsDoc, noticeID string, manifest []byte) ([]core.Event, bool) {
	evs, err := checkChain(d, noticeID)
	if !r.check(KindChain, "events", err, "%d event(s): each hash recomputed from its canonical bytes, links checked", len(evs)) {
		return nil, false
	}
	sum := sha256.Sum256(manifest)
	if err := depositDigestBound(evs, hex.EncodeToString(sum[:])); err != nil {
		r.fail(KindDocumentDigest, "deposit event", "%v", err)
	}
	return evs, true
}

// checkCheckpoint opens the signed note with the log key and checks its
// time-stamp token and archive tokens (verifyArchiveChain).
func checkCheckpoint(r *Report, v *bundleView, at time.Time) (tlog.Checkpoint, []core.Token, bool) {
	note := v.Files[evidence.BundleCheckpoint]
	cp, err := tlog.OpenCheckpoint(note, v.logKey)
	ok := r.check(KindCheckpoint, "checkpoint", err, "signed by %s: %d records", cp.Origin, cp.Size)
	if ok {
		r.Trust.Checkpoint = fmt.Sprintf("%s, size %d", cp.Origin, cp.Size)
	}
	toks, file, err := verifyArchiveChain(v, note, at)
	switch {
	case isImprint(err) && file == evidence.BundleCheckpointToken:
		r.fail(KindCheckpoint, "checkpoint token", "checkpoint.txt is not the data checkpoint.tsr time-stamps")
	case isImprint(err):
		r.fail(KindCheckpoint, "checkpoint token", "%s does not time-stamp checkpoint.txt followed by the tokens before it", file)
	case err != nil:
		r.fail(KindToken, "checkpoint token", "%s: %v", file, err)
	default:
		r.pass(KindToken, "checkpoint token", "%s", CheckpointTokens{Tokens: toks, At: at})
		r.Trust.CheckpointT = timeOr(toks[0].Time)
	}
	return cp, toks, ok
}

// CheckpointTokens is what the checkpoint's tokens showed, as the
// argument of its check's sentence: the tokens, oldest first (the
// checkpoint's own, then its archive tokens), and the date they were
// checked as of, zero for their own times. Its String is the English
// sentence; a page in another language writes it from the fields.
type CheckpointTokens struct {
	Tokens []core.Token
	At     time.Time
}

func (c CheckpointTokens) String() string {
	toks := c.Tokens
	d := fmt.Sprintf("granted %s by %s", timeOr(toks[0].Time), toks[0].TSA)
	if n := len(toks) - 1; n > 0 {
		d += fmt.Sprintf("; %d archive token(s), the newest granted %s by %s", n, timeOr(toks[n].Time), toks[n].TSA)
	}
	if !c.At.IsZero() {
		d += "; valid as of " + timeOr(c.At)
	}
	return d
}

func checkInclusion(r *Report, v *bundleView, evs []core.Event, cp tlog.Checkpoint) {
	if v.proofs.CheckpointSize != cp.Size {
		r.fail(KindProof, "inclusion proofs", "proofs.json is for %d records, the checkpoint for %d", v.proofs.CheckpointSize, cp.Size)
		return
	}
	bySeq := map[uint64]evidence.BundleInclusion{}
	for _, p := range v.proofs.Inclusion {
		bySeq[p.Seq] = p
	}
	for _, e := range evs {
		p, ok := bySeq[e.Seq]
		if !ok {
			r.fail(KindProof, "inclusion proofs", "no proof for record %d", e.Seq)
			return
		}
		if err := verifyInclusion(p, e, cp); err != nil {
			r.fail(KindProof, "inclusion proofs", "record %d: %v", e.Seq, err)
			return
		}
	}
	r.pass(KindProof, "inclusion proofs", "all %d event(s) are leaves of the checkpoint's tree", len(evs))
}

func verifyInclusion(p evidence.BundleInclusion, e core.Event, cp tlog.Checkpoint) error {
	if p.LeafIndex != e.Seq-1 {
		return fmt.Errorf("leaf index %d, want %d", p.LeafIndex, e.Seq-1)
	}
	if p.LeafHash != hex.EncodeToString(tlog.LeafHash(e.Hash)) {
		return fmt.Errorf("leaf hash is not the RFC 6962 leaf of the record's hash")
	}
	path, err := decodeHashes(p.Hashes)
	if err != nil {
		return err
	}
	return tlog.VerifyInclusion(p.LeafIndex, cp.Size, e.Hash, path, cp.Root)
}

func decodeHashes(hs []string) ([][]byte, error) {
	out := make([][]byte, len(hs))
	for i, h := range hs {
		b, err := hex.DecodeString(h)
		if err != nil || len(b) != tlog.HashSize {
			return nil, fmt.Errorf("proof hash %d is not 32 bytes of hex", i)
		}
		out[i] = b
	}
	return out, nil
}

// checkEarlier checks the bundle's checkpoint against one the auditor saved.
func checkEarlier(r *Report, v *bundleView, cp tlog.Checkpoint, cpOK bool, earlier []byte) {
	ec, err := tlog.OpenCheckpoint(earlier, v.logKey)
	if err != nil {
		r.fail(KindCheckpoint, "earlier checkpoint", "not signed by this bundle's log key: %v", err)
		return
	}
	r.Trust.EarlierSize = ec.Size
	if !cpOK {
		r.skip(KindCheckpoint, "consistency", "not checked: the bundle's checkpoint is invalid")
		return
	}
	if ec.Size == cp.Size {
		if !bytes.Equal(ec.Root, cp.Root) {
			r.fail(KindCheckpoint, "consistency", "two checkpoints of %d records with different roots: the log was rewritten", cp.Size)
			return
		}
		r.pass(KindCheckpoint, "consistency", "the earlier checkpoint is the same tree (%d records)", cp.Size)
		return
	}
	small, large := ec, cp
	if ec.Size > cp.Size {
		small, large = cp, ec
	}
	c := v.proofs.Consistency
	if c == nil || c.From != small.Size || c.To != large.Size {
		r.fail(KindCheckpoint, "consistency", "the bundle carries no consistency proof from %d to %d records: download it again with ?consistency_from=%d", small.Size, large.Size, ec.Size)
		return
	}
	path, err := decodeHashes(c.Hashes)
	if err == nil {
		err = tlog.VerifyConsistency(small.Size, large.Size, path, small.Root, large.Root)
	}
	if err != nil {
		r.fail(KindCheckpoint, "consistency", "the tree of %d records does not extend the tree of %d: the log was rewritten (%v)", large.Size, small.Size, err)
		return
	}
	r.pass(KindCheckpoint, "consistency", "the tree of %d records extends the tree of %d: nothing was rewritten in between", large.Size, small.Size)
}
