// Package certs renders the proofs of the LRE flow (deposit, notification,
// receipt, refusal, non-claim) as sealed, self-verifying PDF documents.
//
// A certificate carries as attachments the deposit's RFC 3161 token
// (timestamp.tsr), the manifest it covers (manifest.json) and the attested
// evidence (events.json), and is signed by the provider's seal with a PAdES
// signature (ETSI.CAdES.detached), so that an auditor can check it with
// pdfsig, pdfdetach, openssl and sha256sum alone.
package certs

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"github.com/lre-project/lre/core/evidence"
	"io"
	"time"
	_ "time/tzdata" // the deadline zone on hosts without a zoneinfo database

	"github.com/go-pdf/fpdf"

	"github.com/lre-project/lre/core"
)

// Renderer renders and seals certificates. It is safe for concurrent use.
type Renderer struct {
	seal    *Seal
	ts      core.Timestamper
	now     func() time.Time
	rand    io.Reader
	unicode bool
	qr      *qrCache // nil: encode every time
	ltv     func() (ValidationData, error)
	loc     *time.Location
}

var _ core.CertificateRenderer = (*Renderer)(nil)

// Option configures a Renderer.
type Option func(*Renderer)

// WithClock sets the clock that dates signatures (/M); the default is
// time.Now. The certificate's content never depends on it.
func WithClock(now func() time.Time) Option { return func(r *Renderer) { r.now = now } }

// WithLocation sets the deadline zone (--deadline-tz) that certificates
// write local times in and name; the default is core.DefaultDeadlineZone.
func WithLocation(loc *time.Location) Option { return func(r *Renderer) { r.loc = loc } }

// WithRand sets the randomness of ECDSA signatures; the default is
// crypto/rand.
func WithRand(rand io.Reader) Option { return func(r *Renderer) { r.rand = rand } }

// WithUnicodeFonts embeds the full Unicode fonts in every certificate instead
// of using the Windows-1252 fonts whenever the text allows it. The pages look
// the same; rendering takes several times longer and files are larger.
func WithUnicodeFonts() Option { return func(r *Renderer) { r.unicode = true } }

// NewRenderer returns a renderer sealing with seal. ts, when not nil,
// time-stamps every signature (PAdES B-T); with ts nil signatures are B-B.
func NewRenderer(seal *Seal, ts core.Timestamper, opts ...Option) *Renderer {
	r := &Renderer{seal: seal, ts: ts, now: time.Now, rand: rand.Reader, qr: newQRCache(qrCacheSize)}
	for _, o := range opts {
		o(r)
	}
	if r.loc == nil {
		r.loc = core.DefaultDeadlineLocation()
	}
	return r
}

// Render returns the sealed PDF of c. A failing time-stamping authority
// fails the rendering with its error (EUNAVAILABLE): a proof is not issued
// half-signed.
func (r *Renderer) Render(ctx context.Context, c core.Certificate) ([]byte, error) {
	if r.seal == nil {
		return nil, core.Errorf(core.EINTERNAL, "certificate renderer has no seal")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pdf, err := r.RenderUnsigned(c)
	if err != nil {
		return nil, err
	}
	signed, err := r.signPDF(ctx, pdf, textsFor(language(c)).titles[c.Kind]+" "+c.Notice.ID)
	if err == nil {
		signed, err = r.ltvUpdate(ctx, signed)
	}
	if err != nil {
		return nil, fmt.Errorf("seal certificate: %w", err)
	}
	return signed, nil
}

// RenderUnsigned returns the PDF of c before sealing. It is a pure function
// of c: the same certificate gives the same bytes.
func (r *Renderer) RenderUnsigned(c core.Certificate) ([]byte, error) {
	if err := check(c); err != nil {
		return nil, err
	}
	atts, err := attachments(c)
	if err != nil {
		return nil, err
	}
	pdf, missed, err := r.layout(c, r.unicode)
	if err == nil && missed {
		pdf, _, err = r.layout(c, true)
	}
	if err == nil {
		pdf, err = finish(pdf, atts, c.Event.Time)
	}
	if err != nil {
		return nil, fmt.Errorf("render certificate: %w", err)
	}
	return pdf, nil
}

func check(c core.Certificate) error {
	want, ok := c.Kind.AttestedEvent()
	switch {
	case !ok:
		return core.Errorf(core.EINTERNAL, "unknown certificate kind %q", c.Kind)
	case c.Event.Type != want:
		return core.Errorf(core.EINTERNAL, "a %s certificate attests %s, not %s", c.Kind, want, c.Event.Type)
	case c.Notice.Token == nil || len(c.Notice.Token.DER) == 0:
		return core.Errorf(core.EINTERNAL, "letter %s has no deposit timestamp", c.Notice.ID)
	case len(c.Manifest) == 0:
		return core.Errorf(core.EINTERNAL, "letter %s: certificate without manifest", c.Notice.ID)
	case fmt.Sprintf("%x", sha256.Sum256(c.Manifest)) != c.Notice.Digest:
		// The proof would print one digest and attach a manifest with another.
		return core.Errorf(core.EINTERNAL, "letter %s: the manifest does not hash to the deposit digest", c.Notice.ID)
	}
	return nil
}

func language(c core.Certificate) string {
	if c.Language != "" {
		return c.Language
	}
	return c.Notice.Language
}

func attachments(c core.Certificate) ([]attachment, error) {
	events, err := eventsJSON(c)
	if err != nil {
		return nil, err
	}
	atts := []attachment{
		{"timestamp.tsr", "application/timestamp-reply", "RFC 3161 TimeStampResp over SHA-256(manifest.json)", c.Notice.Token.DER},
		{"manifest.json", "application/json", "Deposit manifest: its SHA-256 is the deposit digest", c.Manifest},
		{"events.json", "application/json", "Attested evidence, ETSI EN 319 522 names", events},
	}
	for _, f := range c.ETSI {
		atts = append(atts, attachment{evidence.ETSIAttachmentName(f.Seq, f.Type), "application/json", "ETSI EN 319 522-3 evidence of the attested event, JAdES-sealed", f.Data})
	}
	if len(c.Checkpoint) > 0 { // the exact bytes its signatures cover: the printed copy may wrap
		atts = append(atts, attachment{"checkpoint.txt", "text/plain", "Signed log checkpoint including the attested event", c.Checkpoint})
	}
	return atts, nil
}

// layout renders c with the fast fonts, or the Unicode ones when unicode is
// set, and reports whether some text needed characters the fast fonts lack.
func (r *Renderer) layout(c core.Certificate, unicode bool) ([]byte, bool, error) {
	t := textsFor(language(c))
	pdf := fpdf.New("P", "mm", "A4", "")
	s := &sheet{pdf: pdf, t: t, enc: &encoder{unicode: unicode}, c: c, qr: r.qr, loc: r.loc}
	// Page content streams stay uncompressed: a few kilobytes of text
	// operators, where fpdf would spend more time allocating a new zlib
	// writer per page than laying the page out. The fonts are pre-compressed.
	pdf.SetCompression(false)
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(c.Event.Time.UTC())
	pdf.SetModificationDate(c.Event.Time.UTC())
	title := t.titles[c.Kind] + " — " + clean(c.Notice.ID)
	pdf.SetTitle(title, true)
	pdf.SetSubject(t.letterKind, true)
	pdf.SetAuthor(clean(c.Provider.Name), true)
	pdf.SetCreator("lre", true)
	pdf.SetProducer("lre certs (fpdf)", true)
	pdf.SetLang(t.lang)
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, 22)
	pdf.AliasNbPages("{nb}")
	addFonts(pdf, unicode)
	pdf.SetFooterFunc(s.footer)
	pdf.AddPage()
	if err := s.draw(); err != nil {
		return nil, false, err
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, false, err
	}
	return buf.Bytes(), s.enc.missed, nil
}
