package certs

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// update is an incremental update under construction: objects replaced or
// added, written after the file's last byte with their own cross-reference
// section, so that every earlier byte (and every earlier signature) stays.
type update struct {
	doc   *pdfDoc
	next  int // next free object number
	order []int
	objs  map[int][]byte
	sig   int // the object holding a signature placeholder, 0 if none
}

func newUpdate(doc *pdfDoc) *update {
	return &update{doc: doc, next: doc.size, objs: map[int][]byte{}}
}

func (u *update) alloc() int {
	u.next++
	return u.next - 1
}

func (u *update) set(num int, body []byte) {
	if _, ok := u.objs[num]; !ok {
		u.order = append(u.order, num)
	}
	u.objs[num] = body
}

// dict returns object num as this update leaves it.
func (u *update) dict(num int) ([]byte, error) {
	if b, ok := u.objs[num]; ok {
		return b, nil
	}
	return u.doc.dict(num)
}

var reFields = regexp.MustCompile(`/Fields\s*\[`)

// addSignatureField adds an invisible signature field (widget on page 1)
// whose value is object sig, creating the AcroForm when there is none.
func (u *update) addSignatureField(sig int, name string) error {
	cat, err := u.dict(u.doc.root)
	if err != nil {
		return err
	}
	page, pageDict, err := u.doc.firstPage()
	if err != nil {
		return err
	}
	if b, ok := u.objs[page]; ok {
		pageDict = b
	}
	widget := u.alloc()
	ref := fmt.Sprintf("%d 0 R ", widget)
	switch loc := reFields.FindIndex(cat); {
	case !bytes.Contains(cat, []byte("/AcroForm")):
		cat = appendEntry(cat, fmt.Sprintf("/AcroForm << /Fields [%d 0 R] /SigFlags 3 >>", widget))
	case loc != nil:
		end := arrayEnd(cat, loc[1]-1)
		if end < 0 {
			return fmt.Errorf("%w: unterminated /Fields", errPDF)
		}
		cat = insertAt(cat, end, " "+ref)
	default:
		return fmt.Errorf("%w: an AcroForm without an inline /Fields array", errPDF)
	}
	if i := bytes.Index(pageDict, []byte("/Annots")); i >= 0 {
		j := bytes.IndexByte(pageDict[i:], '[')
		if j < 0 || bytes.Contains(pageDict[i:i+j], []byte("R")) {
			return fmt.Errorf("%w: indirect /Annots on page 1", errPDF)
		}
		end := arrayEnd(pageDict, i+j)
		if end < 0 {
			return fmt.Errorf("%w: unterminated /Annots", errPDF)
		}
		pageDict = insertAt(pageDict, end, " "+ref)
	} else {
		pageDict = appendEntry(pageDict, fmt.Sprintf("/Annots [%d 0 R]", widget))
	}
	u.set(u.doc.root, cat)
	u.set(page, pageDict)
	u.set(widget, fmt.Appendf(nil, "<< /Type /Annot /Subtype /Widget /FT /Sig /T %s /F 132 /Rect [0 0 0 0] /P %d 0 R /V %d 0 R >>", pdfString(name), page, sig))
	return nil
}

// arrayEnd returns the offset of the ']' closing the array opened at
// b[open], skipping nested arrays and literal strings (fpdf writes link
// annotations inline, with /Rect arrays and URIs), or -1.
func arrayEnd(b []byte, open int) int {
	depth := 0
	for i := open; i < len(b); i++ {
		switch b[i] {
		case '[':
			depth++
		case ']':
			if depth--; depth == 0 {
				return i
			}
		case '(':
			if i = stringEnd(b, i); i < 0 {
				return -1
			}
		}
	}
	return -1
}

// stringEnd returns the offset of the ')' closing the literal string opened
// at b[open], honouring nested parentheses and backslash escapes, or -1.
func stringEnd(b []byte, open int) int {
	depth := 0
	for i := open; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return i
			}
		}
	}
	return -1
}

func insertAt(b []byte, at int, s string) []byte {
	return append(append(append([]byte{}, b[:at]...), s...), b[at:]...)
}

// appendEntry adds an entry before the closing >> of dict.
func appendEntry(dict []byte, entry string) []byte {
	body := bytes.TrimSuffix(dict, []byte(">>"))
	return append(append([]byte{}, body...), "\n"+entry+"\n>>"...)
}

// setSignature makes num the update's signature dictionary: head (its
// entries but /ByteRange and /Contents) followed by placeholders for a
// /Contents of room bytes.
func (u *update) setSignature(num int, head string, room int) {
	u.sig = num
	u.set(num, fmt.Appendf(nil, "<< %s\n/ByteRange %s\n/Contents <%s> >>", head, rangeRoom, strings.Repeat("0", 2*room)))
}

// write returns the file with the update appended and, when it holds a
// signature, the offsets of the /Contents hex string (from '<' to just
// after '>') and of the /ByteRange placeholder, which the caller fills in.
func (u *update) write() ([]byte, [2]int, int) {
	var b bytes.Buffer
	size := len(u.doc.data) + 1024
	for _, body := range u.objs {
		size += len(body) + 32
	}
	b.Grow(size)
	b.Write(u.doc.data)
	if !bytes.HasSuffix(u.doc.data, []byte("\n")) {
		b.WriteByte('\n')
	}
	offsets := map[int]int{}
	var contents [2]int
	byteRange := 0
	for _, num := range u.order {
		offsets[num] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n", num)
		start := b.Len()
		b.Write(u.objs[num])
		if num == u.sig {
			body := u.objs[num]
			byteRange = start + bytes.Index(body, []byte(rangeRoom))
			contents[0] = start + bytes.LastIndex(body, []byte("/Contents <")) + len("/Contents ")
			contents[1] = start + bytes.LastIndexByte(body, '>') - len(" >")
		}
		b.WriteString("\nendobj\n")
	}
	xref := b.Len()
	writeXref(&b, offsets)
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R", u.next, u.doc.root)
	if u.doc.info != 0 {
		fmt.Fprintf(&b, " /Info %d 0 R", u.doc.info)
	}
	if u.doc.id != "" {
		fmt.Fprintf(&b, " /ID %s", u.doc.id)
	}
	fmt.Fprintf(&b, " /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", u.doc.startxref, xref)
	return b.Bytes(), contents, byteRange
}

// fillSignature fills the signature placeholder of out: the byte range, then the
// hex of what sign returns over every byte but the /Contents string.
func fillSignature(out []byte, contents [2]int, byteRange int, sign func(signed []byte) ([]byte, error)) ([]byte, error) {
	br := fmt.Sprintf("[0 %d %d %d]", contents[0], contents[1], len(out)-contents[1])
	copy(out[byteRange:], br+strings.Repeat(" ", len(rangeRoom)-len(br)))
	signed := make([]byte, 0, len(out)-(contents[1]-contents[0]))
	signed = append(append(signed, out[:contents[0]]...), out[contents[1]:]...)
	der, err := sign(signed)
	if err != nil {
		return nil, err
	}
	if 2*len(der) > contents[1]-contents[0]-2 {
		return nil, fmt.Errorf("sign: signature of %d bytes exceeds the %d reserved", len(der), (contents[1]-contents[0]-2)/2)
	}
	hex.Encode(out[contents[0]+1:], der)
	return out, nil
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
