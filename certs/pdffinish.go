package certs

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"regexp"
	"sort"
	"time"
)

// attachment is a file embedded in the certificate.
type attachment struct {
	name, mediaType, desc string
	content               []byte
}

// fpdf's catalog always holds an embedded-files name tree, empty when no
// attachment was given to fpdf.
var reEmbedded = regexp.MustCompile(`/EmbeddedFiles\s*<<\s*/Names\s*\[[^\]]*\]\s*>>`)

// finish rewrites fpdf's output as a single revision that embeds atts and
// has a file identifier derived from its content.
//
// fpdf can embed files itself, but it deflates each with a new zlib writer
// (a megabyte of state to allocate and clear): three of them cost more than
// laying out the page. These attachments are small, mostly JSON; stored as
// they are, they also stay readable with a text editor. Catalog and trailer
// are the last things fpdf writes, so the rewrite keeps every other object
// at its offset and only replaces the catalog.
func finish(pdf []byte, atts []attachment, mod time.Time) ([]byte, error) {
	doc, err := parsePDF(pdf)
	if err != nil {
		return nil, err
	}
	catOff := doc.offsets[doc.root]
	for _, off := range doc.offsets {
		if off > catOff {
			return nil, fmt.Errorf("%w: catalog is not the last object", errPDF)
		}
	}
	cat, err := doc.dict(doc.root)
	if err != nil {
		return nil, err
	}
	loc := reEmbedded.FindIndex(cat)
	if loc == nil {
		return nil, fmt.Errorf("%w: no embedded files tree in the catalog", errPDF)
	}
	var b bytes.Buffer
	size := len(pdf) + 1024
	for _, a := range atts {
		size += len(a.content) + 512
	}
	b.Grow(size)
	b.Write(pdf[:catOff])
	// fpdf declares PDF 1.3; file specifications with /UF and signatures
	// with /SubFilter /ETSI.CAdES.detached belong to PDF 1.7 and later. The
	// header keeps its length, so no offset moves.
	if out := b.Bytes(); bytes.HasPrefix(out, []byte("%PDF-1.")) {
		out[len("%PDF-1.")] = '7'
	}
	offsets := make(map[int]int, len(doc.offsets)+2*len(atts))
	for n, off := range doc.offsets {
		offsets[n] = off
	}
	next := doc.size
	sorted := append([]attachment(nil), atts...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name }) // name trees are sorted
	var names bytes.Buffer
	for _, a := range sorted {
		stream, spec := next, next+1
		next += 2
		offsets[stream] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n<< /Type /EmbeddedFile /Subtype /%s /Length %d /Params << /Size %d /ModDate %s >> >>\nstream\n",
			stream, pdfName(a.mediaType), len(a.content), len(a.content), pdfDate(mod))
		b.Write(a.content)
		b.WriteString("\nendstream\nendobj\n")
		offsets[spec] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n<< /Type /Filespec /F %s /UF %s /EF << /F %d 0 R /UF %d 0 R >> /Desc %s >>\nendobj\n",
			spec, pdfString(a.name), pdfString(a.name), stream, stream, pdfString(a.desc))
		fmt.Fprintf(&names, "%s %d 0 R ", pdfString(a.name), spec)
	}
	catalog := append(append([]byte{}, cat[:loc[0]]...), "/EmbeddedFiles << /Names [ "+names.String()+"] >>"...)
	catalog = appendEntry(append(catalog, cat[loc[1]:]...), "/PageMode /UseAttachments")
	offsets[doc.root] = b.Len()
	fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", doc.root, catalog)
	xref := b.Len()
	sum := sha256.Sum256(b.Bytes())
	b.WriteString("xref\n")
	fmt.Fprintf(&b, "0 %d\n0000000000 65535 f \n", next)
	for n := 1; n < next; n++ {
		if off, ok := offsets[n]; ok {
			fmt.Fprintf(&b, "%010d 00000 n \n", off)
		} else {
			b.WriteString("0000000000 65535 f \n")
		}
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R", next, doc.root)
	if doc.info != 0 {
		fmt.Fprintf(&b, " /Info %d 0 R", doc.info)
	}
	fmt.Fprintf(&b, " /ID [<%X> <%X>] >>\nstartxref\n%d\n%%%%EOF\n", sum[:16], sum[:16], xref)
	return b.Bytes(), nil
}

// pdfName escapes s as a PDF name: "application/json" is application#2Fjson.
func pdfName(s string) string {
	var b bytes.Buffer
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '!' || c > '~' || bytes.IndexByte([]byte("#/()<>[]{}%"), c) >= 0 {
			fmt.Fprintf(&b, "#%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
