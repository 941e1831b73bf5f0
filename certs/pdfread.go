package certs

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// pdfDoc is what an incremental update needs to know about a PDF written in
// one piece with a classic cross-reference table (as fpdf writes them).
type pdfDoc struct {
	data      []byte
	offsets   map[int]int // object number -> byte offset
	size      int         // trailer /Size
	root      int         // catalog object
	info      int         // document information object, 0 if none
	id        string      // trailer /ID array, "" if none
	startxref int
	revised   bool // the file has incremental updates (/Prev)
}

var (
	reSize  = regexp.MustCompile(`/Size\s+(\d+)`)
	reRoot  = regexp.MustCompile(`/Root\s+(\d+)\s+0\s+R`)
	reInfo  = regexp.MustCompile(`/Info\s+(\d+)\s+0\s+R`)
	rePages = regexp.MustCompile(`/Pages\s+(\d+)\s+0\s+R`)
	reKids  = regexp.MustCompile(`/Kids\s*\[\s*(\d+)\s+0\s+R`)
	reID    = regexp.MustCompile(`/ID\s*\[\s*<[0-9A-Fa-f]*>\s*<[0-9A-Fa-f]*>\s*\]`)
)

var errPDF = errors.New("unexpected PDF structure")

// maxRevisions bounds the /Prev chain: a certificate gains one update for
// its DSS and one per document time-stamp, a few per decade.
const maxRevisions = 256

var rePrev = regexp.MustCompile(`/Prev\s+(\d+)`)

func prevOffset(trailer []byte) (int, bool) {
	n, err := intMatch(rePrev, trailer)
	return n, err == nil
}

// parsePDF reads a PDF written in one piece, as fpdf writes them.
func parsePDF(data []byte) (*pdfDoc, error) {
	d, err := readPDF(data)
	if err == nil && d.revised {
		return nil, fmt.Errorf("%w: updated file", errPDF)
	}
	return d, err
}

// readPDF reads a PDF with classic cross-reference tables, following /Prev
// through the incremental updates this package appends: entries of newer
// sections win.
func readPDF(data []byte) (*pdfDoc, error) {
	i := bytes.LastIndex(data, []byte("startxref"))
	if i < 0 {
		return nil, fmt.Errorf("%w: no startxref", errPDF)
	}
	fields := bytes.Fields(data[i+len("startxref"):])
	if len(fields) == 0 {
		return nil, fmt.Errorf("%w: empty startxref", errPDF)
	}
	sx, err := strconv.Atoi(string(fields[0]))
	if err != nil || sx <= 0 || sx >= i {
		return nil, fmt.Errorf("%w: bad startxref", errPDF)
	}
	d := &pdfDoc{data: data, offsets: map[int]int{}, startxref: sx}
	trailer, err := d.readXref(sx)
	if err != nil {
		return nil, err
	}
	if bytes.Contains(trailer, []byte("/Encrypt")) {
		return nil, fmt.Errorf("%w: encrypted file", errPDF)
	}
	for prev, t, n := sx, trailer, 0; ; n++ {
		p, ok := prevOffset(t)
		if !ok {
			break
		}
		if p <= 0 || p >= prev || n >= maxRevisions {
			return nil, fmt.Errorf("%w: bad /Prev", errPDF)
		}
		d.revised = true
		if t, err = d.readXref(p); err != nil {
			return nil, err
		}
		prev = p
	}
	if d.size, err = intMatch(reSize, trailer); err != nil {
		return nil, err
	}
	if d.root, err = intMatch(reRoot, trailer); err != nil {
		return nil, err
	}
	if reInfo.Match(trailer) {
		d.info, _ = intMatch(reInfo, trailer)
	}
	d.id = strings.TrimSpace(strings.TrimPrefix(string(reID.Find(trailer)), "/ID"))
	return d, nil
}

// readXref reads the table at off and returns the trailer dictionary.
func (d *pdfDoc) readXref(off int) ([]byte, error) {
	rest := d.data[off:]
	if !bytes.HasPrefix(rest, []byte("xref")) {
		return nil, fmt.Errorf("%w: no xref table at startxref", errPDF)
	}
	lines := bytes.Split(rest[len("xref"):], []byte("\n"))
	for n := 0; n < len(lines); {
		line := bytes.TrimSpace(lines[n])
		n++
		switch {
		case len(line) == 0:
			continue
		case bytes.HasPrefix(line, []byte("trailer")):
			end := bytes.Index(rest, []byte("startxref"))
			t := bytes.Index(rest, []byte("trailer"))
			return rest[t:end], nil
		}
		head := bytes.Fields(line)
		if len(head) != 2 {
			return nil, fmt.Errorf("%w: bad xref subsection %q", errPDF, line)
		}
		first, err1 := strconv.Atoi(string(head[0]))
		count, err2 := strconv.Atoi(string(head[1]))
		if err1 != nil || err2 != nil || count < 0 || n+count > len(lines) {
			return nil, fmt.Errorf("%w: bad xref subsection %q", errPDF, line)
		}
		for k := 0; k < count; k++ {
			e := bytes.Fields(lines[n+k])
			if len(e) != 3 {
				return nil, fmt.Errorf("%w: bad xref entry", errPDF)
			}
			if string(e[2]) == "n" {
				o, err := strconv.Atoi(string(e[0]))
				if err != nil || o <= 0 || o >= off {
					return nil, fmt.Errorf("%w: bad xref offset", errPDF)
				}
				if _, newer := d.offsets[first+k]; !newer {
					d.offsets[first+k] = o
				}
			}
		}
		n += count
	}
	return nil, fmt.Errorf("%w: no trailer", errPDF)
}

// dict returns the dictionary of object num, which must not be a stream.
func (d *pdfDoc) dict(num int) ([]byte, error) {
	off, ok := d.offsets[num]
	if !ok {
		return nil, fmt.Errorf("%w: object %d missing", errPDF, num)
	}
	body := d.data[off:]
	head := fmt.Sprintf("%d 0 obj", num)
	if !bytes.HasPrefix(body, []byte(head)) {
		return nil, fmt.Errorf("%w: object %d not at its offset", errPDF, num)
	}
	end := bytes.Index(body, []byte("endobj"))
	if end < 0 {
		return nil, fmt.Errorf("%w: object %d unterminated", errPDF, num)
	}
	obj := bytes.TrimSpace(body[len(head):end])
	if !bytes.HasPrefix(obj, []byte("<<")) || !bytes.HasSuffix(obj, []byte(">>")) || bytes.Contains(obj, []byte("stream")) {
		return nil, fmt.Errorf("%w: object %d is not a plain dictionary", errPDF, num)
	}
	return obj, nil
}

// firstPage returns the object number and dictionary of page 1.
func (d *pdfDoc) firstPage() (int, []byte, error) {
	cat, err := d.dict(d.root)
	if err != nil {
		return 0, nil, err
	}
	pagesNum, err := intMatch(rePages, cat)
	if err != nil {
		return 0, nil, err
	}
	pages, err := d.dict(pagesNum)
	if err != nil {
		return 0, nil, err
	}
	num, err := intMatch(reKids, pages)
	if err != nil {
		return 0, nil, err
	}
	page, err := d.dict(num)
	return num, page, err
}

func intMatch(re *regexp.Regexp, b []byte) (int, error) {
	m := re.FindSubmatch(b)
	if m == nil {
		return 0, fmt.Errorf("%w: no match for %s", errPDF, re)
	}
	return strconv.Atoi(string(m[1]))
}

// streamBytes returns the raw bytes of stream object num, as this package
// writes streams: a dictionary with a direct /Length, then "stream\n".
func (d *pdfDoc) streamBytes(num int) ([]byte, error) {
	off, ok := d.offsets[num]
	if !ok {
		return nil, fmt.Errorf("%w: object %d missing", errPDF, num)
	}
	body := d.data[off:]
	i := bytes.Index(body, []byte("stream\n"))
	if i < 0 {
		return nil, fmt.Errorf("%w: object %d is not a stream", errPDF, num)
	}
	n, err := intMatch(reLength, body[:i])
	if err != nil || n < 0 || i+len("stream\n")+n > len(body) {
		return nil, fmt.Errorf("%w: object %d: bad stream length", errPDF, num)
	}
	return body[i+len("stream\n") : i+len("stream\n")+n], nil
}

var reLength = regexp.MustCompile(`/Length\s+(\d+)`)
