package certs

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Room for the CMS signature in /Contents, fixed before signing since the
// byte range depends on it. The seal's SignedData (two P-256 certificates
// and the signature) takes about 1.3 KB; a signature time-stamp adds the
// authority's token: 1 KB for the embedded one, a few KB for an external
// authority with an RSA chain.
const (
	sigRoom   = 4 << 10
	tsaRoom   = 16 << 10
	rangeRoom = "[0 0000000000 0000000000 0000000000]"
)

// signPDF appends to pdf an incremental update holding a PAdES signature:
// the catalog gains an AcroForm with one signature field, page 1 gains its
// (invisible) widget, and the signature dictionary's /Contents receives a
// detached CMS over every byte of the file but that hex string.
func (r *Renderer) signPDF(ctx context.Context, pdf []byte, reason string) ([]byte, error) {
	doc, err := parsePDF(pdf)
	if err != nil {
		return nil, err
	}
	upd, err := newUpdate(doc)
	if err != nil {
		return nil, err
	}
	room := sigRoom
	if r.ts != nil {
		room += tsaRoom
	}
	out, contents, byteRange := upd.write(r.now().UTC(), reason, r.seal.cert.Subject.CommonName, room)
	br := fmt.Sprintf("[0 %d %d %d]", contents[0], contents[1], len(out)-contents[1])
	copy(out[byteRange:], br+strings.Repeat(" ", len(rangeRoom)-len(br)))
	signed := make([]byte, 0, len(out)-(contents[1]-contents[0]))
	signed = append(append(signed, out[:contents[0]]...), out[contents[1]:]...)
	cms, err := signCMS(ctx, r.seal, signed, r.ts, r.rand)
	if err != nil {
		return nil, err
	}
	if 2*len(cms) > contents[1]-contents[0]-2 {
		return nil, fmt.Errorf("sign: CMS of %d bytes exceeds the %d reserved", len(cms), room)
	}
	hex.Encode(out[contents[0]+1:], cms)
	return out, nil
}

// update is an incremental update under construction.
type update struct {
	doc     *pdfDoc
	page    int
	catalog []byte // updated dictionaries
	pageObj []byte
	sig     int // new object numbers
	widget  int
}

func newUpdate(doc *pdfDoc) (*update, error) {
	cat, err := doc.dict(doc.root)
	if err != nil {
		return nil, err
	}
	if bytes.Contains(cat, []byte("/AcroForm")) {
		return nil, fmt.Errorf("%w: the document already has a form", errPDF)
	}
	page, pageDict, err := doc.firstPage()
	if err != nil {
		return nil, err
	}
	u := &update{doc: doc, page: page, sig: doc.size, widget: doc.size + 1}
	u.catalog = appendEntry(cat, fmt.Sprintf("/AcroForm << /Fields [%d 0 R] /SigFlags 3 >>", u.widget))
	if i := bytes.Index(pageDict, []byte("/Annots")); i >= 0 {
		j := bytes.IndexByte(pageDict[i:], '[')
		if j < 0 || bytes.Contains(pageDict[i:i+j], []byte("R")) {
			return nil, fmt.Errorf("%w: indirect /Annots on page 1", errPDF)
		}
		at := i + j + 1
		u.pageObj = append(append(append([]byte{}, pageDict[:at]...), fmt.Sprintf("%d 0 R ", u.widget)...), pageDict[at:]...)
	} else {
		u.pageObj = appendEntry(pageDict, fmt.Sprintf("/Annots [%d 0 R]", u.widget))
	}
	return u, nil
}

// appendEntry adds an entry before the closing >> of dict.
func appendEntry(dict []byte, entry string) []byte {
	body := bytes.TrimSuffix(dict, []byte(">>"))
	return append(append([]byte{}, body...), "\n"+entry+"\n>>"...)
}

// write returns the file with the update appended, the offsets of the
// /Contents hex string (from '<' to just after '>') and of the /ByteRange
// placeholder, which the caller fills in.
func (u *update) write(now time.Time, reason, name string, room int) ([]byte, [2]int, int) {
	var b bytes.Buffer
	b.Grow(len(u.doc.data) + 2*room + 2048)
	b.Write(u.doc.data)
	if !bytes.HasSuffix(u.doc.data, []byte("\n")) {
		b.WriteByte('\n')
	}
	offsets := map[int]int{}
	obj := func(num int, body string) {
		offsets[num] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", num, body)
	}
	obj(u.doc.root, string(u.catalog))
	obj(u.page, string(u.pageObj))
	obj(u.widget, fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Sig /T (Seal) /F 132 /Rect [0 0 0 0] /P %d 0 R /V %d 0 R >>", u.page, u.sig))

	offsets[u.sig] = b.Len()
	fmt.Fprintf(&b, "%d 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached\n", u.sig)
	fmt.Fprintf(&b, "/M %s /Name %s /Reason %s\n/ByteRange ", pdfDate(now), pdfString(name), pdfString(reason))
	byteRange := b.Len()
	b.WriteString(rangeRoom)
	b.WriteString("\n/Contents ")
	contents := [2]int{b.Len(), 0}
	b.WriteByte('<')
	b.Write(bytes.Repeat([]byte("0"), 2*room))
	b.WriteByte('>')
	contents[1] = b.Len()
	b.WriteString(" >>\nendobj\n")

	xref := b.Len()
	writeXref(&b, offsets)
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R", u.doc.size+2, u.doc.root)
	if u.doc.info != 0 {
		fmt.Fprintf(&b, " /Info %d 0 R", u.doc.info)
	}
	if u.doc.id != "" {
		fmt.Fprintf(&b, " /ID %s", u.doc.id)
	}
	fmt.Fprintf(&b, " /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", u.doc.startxref, xref)
	return b.Bytes(), contents, byteRange
}

// writeXref writes a table with one subsection per run of consecutive
// object numbers.
func writeXref(b *bytes.Buffer, offsets map[int]int) {
	nums := make([]int, 0, len(offsets))
	for n := range offsets {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	b.WriteString("xref\n")
	for i := 0; i < len(nums); {
		j := i + 1
		for j < len(nums) && nums[j] == nums[j-1]+1 {
			j++
		}
		fmt.Fprintf(b, "%d %d\n", nums[i], j-i)
		for _, n := range nums[i:j] {
			fmt.Fprintf(b, "%010d 00000 n \n", offsets[n])
		}
		i = j
	}
}

// pdfDate formats t as a PDF date string in UTC.
func pdfDate(t time.Time) string {
	return "(D:" + t.UTC().Format("20060102150405") + "+00'00')"
}

// pdfString encodes s as a PDF text string: UTF-16BE with a byte order
// mark, in hex, so that no character of s can end the string early.
func pdfString(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, r := range clean(s) {
		fmt.Fprintf(&b, "%04X", r)
	}
	b.WriteString(">")
	return b.String()
}
