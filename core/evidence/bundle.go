package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"time"

	"github.com/lre-project/lre/core"
)

// The files of an evidence bundle, in the order they are written. audit
// reads bundles by these names.
const (
	BundleReadme          = "README.txt"
	BundleIndexFile       = "bundle.json"
	BundleManifest        = "manifest.json"
	BundleDepositToken    = "deposit.tsr"
	BundleDocumentsDir    = "documents/"
	BundleEvents          = "events.json"
	BundleProofs          = "proofs.json"
	BundleCheckpoint      = "checkpoint.txt"
	BundleCheckpointToken = "checkpoint.tsr"
	// BundleArchiveTokenFormat names archive token k (from 1) of the
	// checkpoint: see BundleArchiveToken.
	BundleArchiveTokenFormat = "checkpoint-archive-%d.tsr"
	BundleCertificatesDir    = "certificates/"
	BundleTSAChain           = "tsa-chain.pem"
	BundleSeal               = "seal.pem"
	BundleSealRoot           = "seal-root.pem"
	BundleLogKey             = "log-key.txt"
)

// BundleVersion is bumped whenever the bundle's layout changes. 2: ETSI
// evidence (etsi/) and the seal's root alone (seal-root.pem), for NSS. 3:
// the checkpoint's archive tokens (checkpoint-archive-<k>.tsr), once
// renewed.
const BundleVersion = 3

// BundleArchiveToken returns the name of the checkpoint's archive token k,
// counted from 1 in the order they were added.
func BundleArchiveToken(k int) string { return fmt.Sprintf(BundleArchiveTokenFormat, k) }

// AuditMaterial is the public material a bundle carries so that an auditor
// can verify it offline: the authority's chain (PEM, signer then root) and
// the seal's certificate chain (PEM).
type AuditMaterial struct {
	TSAChainPEM []byte
	SealPEM     []byte
	// Live, when set, returns the material as it is now and wins over the
	// two fields: key renewal adds generations while the server runs.
	Live func() (tsaChainPEM, sealPEM []byte)
}

// current resolves Live.
func (m AuditMaterial) current() AuditMaterial {
	if m.Live != nil {
		m.TSAChainPEM, m.SealPEM = m.Live()
	}
	return m
}

// WithAuditMaterial sets the certificates evidence bundles carry.
func WithAuditMaterial(m AuditMaterial) Option { return func(s *Service) { s.audit = m } }

// bundleParts is everything one bundle holds, gathered before any byte is
// written.
type bundleParts struct {
	notice     core.Notice
	manifest   []byte
	docs       []BundleDocument
	contents   [][]byte // parallel to docs; nil when purged
	events     []core.Event
	checkpoint Checkpoint
	inclusion  []InclusionProof
	consist    *ConsistencyProof
	certs      []core.CertificateKind
	pdfs       [][]byte
	logKey     string
	etsi       []core.ETSIEvidenceFile
}

// EvidenceBundle returns the evidence bundle of a letter viewer may see: a
// deterministic ZIP (fixed order, times fixed at the deposit) holding the
// manifest and the documents still retained, every event with its log
// record, the deposit token, every certificate issued so far, inclusion
// proofs of every event against one signed, time-stamped checkpoint (one is
// published on demand when none covers the events yet), the authority's
// chain, the seal certificate, the log key and a README. With
// consistencyFrom > 0 it also carries the consistency proof between that
// tree size and the checkpoint's, in whichever order they come.
// Errors: ENOTFOUND (unknown letter, or no timestamp yet), EINVALID (Field
// "consistency_from" beyond the log), EUNAVAILABLE (no transparency log, or
// the authority is down while a checkpoint or certificate must be made).
func (s *Service) EvidenceBundle(ctx context.Context, viewer core.User, id string, consistencyFrom uint64) ([]byte, error) {
	p, err := s.gatherBundle(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	if err := s.bundleProofs(ctx, &p, consistencyFrom); err != nil {
		return nil, err
	}
	return writeBundle(p, s.provider, s.audit.current())
}

func (s *Service) gatherBundle(ctx context.Context, viewer core.User, id string) (bundleParts, error) {
	n, err := core.VisibleNotice(ctx, s.store, viewer, id)
	if err != nil {
		return bundleParts{}, err
	}
	if n.Token == nil {
		return bundleParts{}, core.Errorf(core.ENOTFOUND, "letter %s has no evidence yet: it is still waiting for its timestamp", id)
	}
	p := bundleParts{notice: n}
	if p.manifest, err = s.store.Manifest(ctx, id); err != nil {
		return bundleParts{}, fmt.Errorf("bundle: %w", err)
	}
	if p.events, err = s.store.NoticeEvents(ctx, id); err != nil {
		return bundleParts{}, fmt.Errorf("bundle: %w", err)
	}
	if len(p.events) == 0 {
		return bundleParts{}, core.Errorf(core.ENOTFOUND, "letter %s has no evidence yet", id)
	}
	if err := s.bundleDocuments(ctx, &p); err != nil {
		return bundleParts{}, err
	}
	if err := s.bundleCertificates(ctx, viewer, &p); err != nil {
		return bundleParts{}, err
	}
	if p.etsi, err = s.signedEvidence(ctx, p.manifest, p.events, func(core.Event) bool { return true }); err != nil {
		return bundleParts{}, fmt.Errorf("bundle: %w", err)
	}
	return p, nil
}

// bundleDocuments reads the documents still retained; purged ones are
// listed without a path.
func (s *Service) bundleDocuments(ctx context.Context, p *bundleParts) error {
	for i, d := range append([]core.Document{p.notice.Body}, p.notice.Documents...) {
		b, err := s.store.Content(ctx, p.notice.ID, d.Key)
		switch {
		case err == nil:
		case core.ErrorCode(err) == core.ENOTFOUND || core.ErrorCode(err) == core.EGONE:
			b = nil
		default:
			return fmt.Errorf("bundle: %w", err)
		}
		bd := BundleDocument{ManifestIndex: i, Name: d.Name, MediaType: d.MediaType, Size: d.Size, SHA256: d.SHA256}
		if b != nil {
			bd.Path = fmt.Sprintf("%s%02d-%s", BundleDocumentsDir, i, safeFileName(d.Name))
		}
		p.docs, p.contents = append(p.docs, bd), append(p.contents, b)
	}
	return nil
}

// bundleCertificates renders (or reuses) every proof whose event exists.
func (s *Service) bundleCertificates(ctx context.Context, viewer core.User, p *bundleParts) error {
	if s.renderer == nil {
		return nil
	}
	for _, kind := range core.CertificateKinds {
		pdf, err := s.CertificatePDF(ctx, viewer, p.notice.ID, kind)
		switch {
		case err == nil:
			p.certs, p.pdfs = append(p.certs, kind), append(p.pdfs, pdf)
		case core.ErrorCode(err) != core.ENOTFOUND:
			return fmt.Errorf("bundle: %w", err)
		}
	}
	return nil
}

// bundleProofs picks the smallest checkpoint covering every event of the
// letter, so that the same state always yields the same bundle.
func (s *Service) bundleProofs(ctx context.Context, p *bundleParts, consistencyFrom uint64) error {
	t, err := s.transparencyLog()
	if err != nil {
		return err
	}
	last := p.events[len(p.events)-1].Seq
	cp, err := t.store.CheckpointCovering(ctx, last)
	if core.ErrorCode(err) == core.ENOTFOUND {
		_, _, err = s.PublishCheckpoint(ctx)
		if err == nil {
			cp, err = t.store.CheckpointCovering(ctx, last)
		}
	}
	if err != nil {
		return fmt.Errorf("bundle checkpoint: %w", err)
	}
	p.checkpoint = cp
	for _, e := range p.events {
		ip, err := t.store.InclusionProof(ctx, e.Seq-1, cp.Size)
		if err != nil {
			return fmt.Errorf("bundle proof of %d: %w", e.Seq, err)
		}
		p.inclusion = append(p.inclusion, ip)
	}
	if consistencyFrom > 0 {
		from, to := min(consistencyFrom, cp.Size), max(consistencyFrom, cp.Size)
		cons, err := t.store.ConsistencyProof(ctx, from, to)
		if core.ErrorCode(err) == core.ENOTFOUND {
			return core.FieldError(core.EINVALID, "consistency_from", "the log has no tree of %d records yet", consistencyFrom)
		}
		if err != nil {
			return fmt.Errorf("bundle consistency proof: %w", err)
		}
		p.consist = &cons
	}
	p.logKey = t.signer.VerifierKey()
	return nil
}

// writeBundle writes the ZIP: fixed order, every entry dated at the deposit.
func writeBundle(p bundleParts, prov core.Provider, m AuditMaterial) ([]byte, error) {
	files, err := bundleFiles(p, prov, m)
	if err != nil {
		return nil, err
	}
	date := p.notice.Token.Time.UTC().Truncate(time.Second)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: date})
		if err != nil {
			return nil, fmt.Errorf("bundle: %w", err)
		}
		if _, err := w.Write(f.data); err != nil {
			return nil, fmt.Errorf("bundle: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	return buf.Bytes(), nil
}

type bundleFile struct {
	name string
	data []byte
}

func bundleFiles(p bundleParts, prov core.Provider, m AuditMaterial) ([]bundleFile, error) {
	index, err := bundleIndex(p, prov)
	if err != nil {
		return nil, err
	}
	events, err := evidenceJSON(p, prov)
	if err != nil {
		return nil, err
	}
	proofs, err := proofsJSON(p)
	if err != nil {
		return nil, err
	}
	files := []bundleFile{
		{BundleReadme, bundleReadme(p, prov)},
		{BundleIndexFile, index},
		{BundleManifest, p.manifest},
		{BundleDepositToken, p.notice.Token.DER},
	}
	for i, d := range p.docs {
		if d.Path != "" {
			files = append(files, bundleFile{d.Path, p.contents[i]})
		}
	}
	files = append(files, bundleFile{BundleEvents, events})
	for _, f := range p.etsi {
		files = append(files, bundleFile{f.Name, f.Data})
	}
	files = append(files, bundleFile{BundleProofs, proofs},
		bundleFile{BundleCheckpoint, p.checkpoint.Note}, bundleFile{BundleCheckpointToken, p.checkpoint.Token.DER})
	for i, t := range p.checkpoint.Archive {
		files = append(files, bundleFile{BundleArchiveToken(i + 1), t.DER})
	}
	for i, kind := range p.certs {
		files = append(files, bundleFile{BundleCertificatesDir + string(kind) + ".pdf", p.pdfs[i]})
	}
	return append(files, bundleFile{BundleTSAChain, m.TSAChainPEM}, bundleFile{BundleSeal, m.SealPEM},
		bundleFile{BundleSealRoot, rootsPEM(m.SealPEM)}, bundleFile{BundleLogKey, []byte(p.logKey + "\n")}), nil
}

// safeFileName keeps a document's label usable as a ZIP entry name on every
// system: no directories, no control or reserved characters.
func safeFileName(name string) string {
	out := []rune{}
	for _, r := range name {
		switch {
		case r < 0x20 || r == 0x7f || r == '/' || r == '\\' || r == ':' || r == '*' || r == '?' || r == '"' || r == '<' || r == '>' || r == '|':
			out = append(out, '_')
		default:
			out = append(out, r)
		}
		if len(out) >= 100 {
			break
		}
	}
	if s := string(out); s != "" && s != "." && s != ".." {
		return s
	}
	return "document"
}

// rootsPEM keeps the self-signed certificates of a PEM chain: the roots an
// auditor imports into a trust store (certutil reads one per file).
func rootsPEM(chain []byte) []byte {
	var out []byte
	for rest := chain; ; {
		var blk *pem.Block
		if blk, rest = pem.Decode(rest); blk == nil {
			return out
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err == nil && bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil {
			out = append(out, pem.EncodeToMemory(blk)...)
		}
	}
}
