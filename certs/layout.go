package certs

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/lre-project/lre/core"
)

// Page geometry, in mm (A4).
const (
	margin   = 18.0
	pageW    = 210.0
	contentW = pageW - 2*margin
	labelW   = 50.0
	valueW   = contentW - labelW
	qrSide   = 30.0
	lineH    = 4.4
)

// sheet lays out one certificate on an fpdf document.
type sheet struct {
	pdf *fpdf.Fpdf
	t   *texts
	enc *encoder
	c   core.Certificate
	qr  *qrCache
	loc *time.Location // the deadline zone (WithLocation)
}

func (s *sheet) font(family, style string, size float64) { s.pdf.SetFont(family, style, size) }

func (s *sheet) grey(level int) { s.pdf.SetTextColor(level, level, level) }

// para writes a paragraph across the page.
func (s *sheet) para(text string, size float64) {
	s.font(sans, "", size)
	s.pdf.SetX(margin)
	s.pdf.MultiCell(contentW, size*0.45, s.enc.enc(text), "", "L", false)
}

// need starts a new page unless h mm remain above the bottom margin.
func (s *sheet) need(h float64) {
	_, pageH := s.pdf.GetPageSize()
	_, _, _, bottom := s.pdf.GetMargins()
	if s.pdf.GetY()+h > pageH-bottom {
		s.pdf.AddPage()
	}
}

func (s *sheet) section(title string) {
	s.need(24) // the title and a row or two: never a title alone at the bottom
	s.pdf.Ln(3)
	s.font(sans, "B", 11)
	s.grey(20)
	s.pdf.SetX(margin)
	s.pdf.CellFormat(contentW, 6, s.enc.enc(title), "B", 1, "L", false, 0, "")
	s.pdf.Ln(1.5)
}

// row writes a label and its value lines, each cleaned of control
// characters first: sender-written text cannot add lines of its own.
func (s *sheet) row(label string, lines ...string) {
	s.rowFont(sans, 9, label, lines...)
}

// hexRow writes digests in the monospaced face. At 8 pt a SHA-256 in hex
// (64 characters, 109 mm) fits the value column, so it is never wrapped and
// text extraction returns it whole.
func (s *sheet) hexRow(label string, lines ...string) {
	s.rowFont(mono, 8, label, lines...)
}

func (s *sheet) rowFont(family string, size float64, label string, lines ...string) {
	cleaned := make([]string, len(lines))
	for i, l := range lines {
		cleaned[i] = clean(l)
	}
	value := s.enc.enc(strings.Join(cleaned, "\n"))
	s.font(family, "", size)
	est := 0.0
	for _, l := range strings.Split(value, "\n") {
		est += math.Max(1, math.Ceil(s.pdf.GetStringWidth(l)/(valueW-2)))
	}
	s.need(est * lineH)
	y, page := s.pdf.GetY(), s.pdf.PageNo()
	s.font(sans, "B", 8)
	s.grey(90)
	s.pdf.SetXY(margin, y)
	s.pdf.MultiCell(labelW, lineH, s.enc.enc(label), "", "L", false)
	labelEnd := s.pdf.GetY()
	s.font(family, "", size)
	s.grey(0)
	s.pdf.SetXY(margin+labelW, y)
	s.pdf.MultiCell(valueW, lineH, value, "", "L", false)
	end := s.pdf.GetY()
	if s.pdf.PageNo() == page { // else the value broke onto a new page
		end = math.Max(end, labelEnd)
	}
	s.pdf.SetY(end + 1.2)
}

func (s *sheet) draw() error {
	if err := s.header(); err != nil {
		return err
	}
	s.letter()
	s.event()
	s.token()
	s.content()
	s.log()
	s.verify()
	return s.pdf.Error()
}

func (s *sheet) header() error {
	p, c := s.pdf, s.c
	p.SetXY(margin, margin)
	s.font(sans, "B", 11)
	p.MultiCell(contentW-qrSide-6, 5, s.enc.enc(clean(c.Provider.Name)), "", "L", false)
	s.font(sans, "", 8.5)
	s.grey(90)
	p.SetX(margin)
	p.MultiCell(contentW-qrSide-6, 4, s.enc.enc(clean(c.Provider.Address)), "", "L", false)
	if c.VerifyURL != "" {
		qx := pageW - margin - qrSide
		if err := drawQR(p, s.qr, c.VerifyURL, qx, margin, qrSide); err != nil {
			return err
		}
		p.LinkString(qx, margin, qrSide, qrSide, c.VerifyURL)
	}
	p.SetY(math.Max(p.GetY()+4, margin+qrSide-12))
	s.grey(0)
	s.font(sans, "B", 20)
	p.SetX(margin)
	p.CellFormat(contentW-qrSide-6, 10, s.enc.enc(s.t.titles[c.Kind]), "", 1, "L", false, 0, "")
	s.font(sans, "", 10)
	s.grey(70)
	p.SetX(margin)
	p.CellFormat(contentW, 5, s.enc.enc(s.t.letterKind+" "+clean(c.Notice.ID)), "", 1, "L", false, 0, "")
	p.Ln(3)
	status := s.t.nonQual
	if c.Provider.Qualified {
		status = s.t.qual
	}
	p.SetFillColor(240, 240, 240)
	s.font(sans, "B", 9)
	s.grey(0)
	p.SetX(margin)
	p.MultiCell(contentW, 4.6, s.enc.enc(status), "", "L", true)
	p.Ln(2)
	s.para(s.t.statements[c.Kind], 10)
	return nil
}

func (s *sheet) letter() {
	n, t := s.c.Notice, s.t
	s.section(t.secLetter)
	s.row(t.letterID, n.ID)
	if n.Subject != "" {
		s.row(t.subject, n.Subject)
	}
	if n.SenderReference != "" {
		s.row(t.reference, n.SenderReference)
	}
	s.row(t.sender, party(n.Sender)...)
	s.row(t.recipient, party(n.Recipient)...)
	if s.c.Kind == core.CertReceipt || s.c.Kind == core.CertRefusal {
		method, assurance := recipientIdentification(n.Recipient, s.c.Event)
		lines := []string{t.method + t.colon + t.methodName(method), t.assurance + t.colon + t.assuranceName(assurance)}
		s.row(t.identification, append(lines, t.providerLines(s.c.Event.Details, keyIssuer, keySubject)...)...)
	}
	s.senderAuthentication()
}

func party(p core.Party) []string {
	lines := []string{clean(p.Name) + " <" + clean(p.Email) + ">"}
	if p.Organisation != "" {
		lines = append(lines, p.Organisation)
	}
	return lines
}

func (s *sheet) event() {
	e, t := s.c.Event, s.t
	s.section(t.secEvent)
	s.row(t.eventType, t.eventName(e.Type), e.Type.URI())
	s.row(t.timeUTC, t.utc(e.Time))
	s.row(fmt.Sprintf(t.timeLocal, core.ZoneCity(s.loc)), t.local(e.Time, s.loc))
	shown := map[string]bool{}
	s.shownWithParties(shown)
	if host := e.Details[keyRemoteHost]; host != "" {
		s.row(t.remoteHost, host)
		shown[keyRemoteHost] = true
	}
	if code, text := e.Details[keyReplyCode], e.Details[keyReplyText]; code != "" || text != "" {
		s.row(t.reply, strings.TrimSpace(code+" "+text))
		shown[keyReplyCode], shown[keyReplyText] = true, true
	}
	if code := e.Details[keyReason]; code != "" {
		s.row(t.reason, strings.TrimSpace(t.reasonName(code)+" "+e.Details[keyReasonText]))
		shown[keyReason], shown[keyReasonText] = true, true
	}
	if s.c.Kind != core.CertDeposit && !s.c.Deadline.IsZero() {
		s.row(t.deadline, t.utc(s.c.Deadline), t.local(s.c.Deadline, s.loc))
	}
	var other []string
	for k, v := range e.Details {
		if !shown[k] {
			other = append(other, k+" = "+v)
		}
	}
	if len(other) > 0 {
		sort.Strings(other)
		s.row(t.otherDetails, other...)
	}
}

// authority writes the name a token gives its authority for the reader:
// the embedded one in the certificate's language (its certificate's name,
// which is evidence, is English; the record of the deposit keeps it), any
// other as named.
func (t *texts) authority(tsa string) string {
	if provider, ok := core.EmbeddedTSAProvider(tsa); ok {
		return fmt.Sprintf(t.tsaEmbedded, provider)
	}
	return tsa
}

func (s *sheet) token() {
	tok, t := s.c.Notice.Token, s.t
	s.section(t.secToken)
	s.row(t.tsa, t.authority(tok.TSA))
	s.row(t.serial, tok.Serial)
	s.row(t.tokenTime, t.utc(tok.Time), t.local(tok.Time, s.loc))
	if tok.Policy != "" {
		s.row(t.policy, tok.Policy)
	}
	q := t.no
	if tok.Qualified {
		q = t.yes
	}
	s.row(t.qualifiedTS, q)
}

func (s *sheet) content() {
	n, t := s.c.Notice, s.t
	s.section(t.secContent)
	s.hexRow(t.depositDigest, n.Digest)
	s.document(t.body, n.Body)
	for i, d := range n.Documents {
		s.document(t.attachment+" "+strconv.Itoa(i+1), d)
	}
}

func (s *sheet) document(label string, d core.Document) {
	s.row(label, d.Name, s.t.mediaType+s.t.colon+d.MediaType+" — "+s.t.size+s.t.colon+s.t.bytesize(d.Size))
	s.hexRow("SHA-256", d.SHA256)
}

func (s *sheet) log() {
	e, t := s.c.Event, s.t
	s.section(t.secLog)
	s.row(t.seq, strconv.FormatUint(e.Seq, 10))
	s.hexRow(t.recordHash, fmt.Sprintf("%x", e.Hash))
	if len(s.c.Checkpoint) > 0 {
		s.hexRow(t.checkpoint, strings.Split(strings.TrimRight(string(s.c.Checkpoint), "\n"), "\n")...)
	}
}

func (s *sheet) verify() {
	t := s.t
	s.section(t.secVerify)
	if u := s.c.VerifyURL; u != "" {
		s.row(t.verifyURL, u)
	}
	if code := s.c.CheckCode; code != "" {
		s.row(t.checkCode, code)
	}
	s.need(30)
	s.para(t.verifyIntro, 9)
	s.pdf.Ln(1)
	s.font(mono, "", 7.5)
	for _, step := range t.verifySteps {
		s.pdf.SetX(margin + 4)
		s.pdf.MultiCell(contentW-4, 3.8, s.enc.enc(step), "", "L", false)
	}
}

// footer runs on every page: who sealed it and the page number.
func (s *sheet) footer() {
	_, pageH := s.pdf.GetPageSize()
	s.pdf.SetXY(margin, pageH-14)
	s.font(sans, "", 7)
	s.grey(110)
	s.pdf.MultiCell(contentW-25, 3.2, s.enc.enc(fmt.Sprintf(s.t.footer, clean(s.c.Provider.Name))), "", "L", false)
	s.pdf.SetXY(pageW-margin-25, pageH-14)
	s.pdf.CellFormat(25, 3.2, fmt.Sprintf(s.t.page, s.pdf.PageNo(), "{nb}"), "", 0, "R", false, 0, "")
	s.grey(0)
}
