package audit

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// errPDF is every reason a file is not a PDF this verifier can read.
var errPDF = errors.New("unreadable PDF")

// Bounds on what one PDF may make the reader do.
const (
	maxXrefSections   = 64
	maxXrefEntries    = 1 << 20
	maxResolveDepth   = 8
	maxAttachments    = 64
	maxAttachmentSize = 64 << 20
	maxNameTreeNodes  = 256
)

// pdfFile is a PDF written with classic cross-reference tables, possibly
// updated incrementally (as certs signs), read lazily.
type pdfFile struct {
	data     []byte
	offsets  map[int]int
	trailer  pdfDict
	sections []xrefSection // newest first
}

// xrefSection is one cross-reference section, written by one revision: where
// it starts and the objects it lists as in use, with their offsets.
type xrefSection struct {
	at   int
	objs map[int]int
}

func parsePDF(data []byte) (*pdfFile, error) {
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		return nil, fmt.Errorf("%w: no %%PDF header", errPDF)
	}
	i := bytes.LastIndex(data, []byte("startxref"))
	if i < 0 {
		return nil, fmt.Errorf("%w: no startxref", errPDF)
	}
	l := &lexer{b: data, pos: i + len("startxref")}
	off, err := strconv.Atoi(l.keyword())
	if err != nil || off <= 0 || off >= len(data) {
		return nil, fmt.Errorf("%w: bad startxref", errPDF)
	}
	f := &pdfFile{data: data, offsets: map[int]int{}}
	seen := map[int]bool{}
	for n := 0; n < maxXrefSections && off > 0 && !seen[off]; n++ {
		seen[off] = true
		trailer, err := f.readXref(off)
		if err != nil {
			return nil, err
		}
		if f.trailer == nil {
			f.trailer = trailer
		}
		prev, ok := trailer["Prev"].(int64)
		if !ok || prev <= 0 || prev >= int64(len(data)) {
			break
		}
		off = int(prev)
	}
	return f, nil
}

// readXref reads one cross-reference section; entries already known (from a
// newer section) win.
func (f *pdfFile) readXref(off int) (pdfDict, error) {
	l := &lexer{b: f.data, pos: off}
	sec := xrefSection{at: off, objs: map[int]int{}}
	if l.keyword() != "xref" {
		return nil, fmt.Errorf("%w: no xref table at offset %d", errPDF, off)
	}
	for {
		kw := l.keyword()
		if kw == "trailer" {
			v, err := l.value(0)
			if err != nil {
				return nil, err
			}
			d, ok := v.(pdfDict)
			if !ok {
				return nil, fmt.Errorf("%w: trailer is not a dictionary", errPDF)
			}
			f.sections = append(f.sections, sec)
			return d, nil
		}
		first, err1 := strconv.Atoi(kw)
		count, err2 := strconv.Atoi(l.keyword())
		if err1 != nil || err2 != nil || first < 0 || count < 0 || first+count > maxXrefEntries || len(f.offsets)+count > maxXrefEntries {
			return nil, fmt.Errorf("%w: bad xref subsection", errPDF)
		}
		for k := range count {
			o, err := strconv.Atoi(l.keyword())
			l.keyword() // generation
			typ := l.keyword()
			if err != nil || (typ != "n" && typ != "f") {
				return nil, fmt.Errorf("%w: bad xref entry", errPDF)
			}
			if typ != "n" || o <= 0 || o >= len(f.data) {
				continue
			}
			sec.objs[first+k] = o
			if _, known := f.offsets[first+k]; !known {
				f.offsets[first+k] = o
			}
		}
	}
}

// object returns object num and, for a stream, its raw (undecoded) bytes.
func (f *pdfFile) object(num, depth int) (any, []byte, error) {
	off, ok := f.offsets[num]
	if !ok {
		return nil, nil, fmt.Errorf("%w: object %d missing", errPDF, num)
	}
	return f.objectAt(num, off, depth)
}

// objectAt reads the version of object num written at off.
func (f *pdfFile) objectAt(num, off, depth int) (any, []byte, error) {
	l := &lexer{b: f.data, pos: off}
	if n, err := strconv.Atoi(l.keyword()); err != nil || n != num {
		return nil, nil, fmt.Errorf("%w: object %d not at its offset", errPDF, num)
	}
	l.keyword()
	if l.keyword() != "obj" {
		return nil, nil, fmt.Errorf("%w: object %d has no obj keyword", errPDF, num)
	}
	v, err := l.value(0)
	if err != nil {
		return nil, nil, err
	}
	d, isDict := v.(pdfDict)
	l.skipSpace()
	if !isDict || !bytes.HasPrefix(f.data[l.pos:], []byte("stream")) {
		return v, nil, nil
	}
	l.pos += len("stream")
	if bytes.HasPrefix(f.data[l.pos:], []byte("\r\n")) {
		l.pos += 2
	} else if bytes.HasPrefix(f.data[l.pos:], []byte("\n")) {
		l.pos++
	}
	length, err := f.integer(d["Length"], depth+1)
	if err != nil || length < 0 || length > int64(len(f.data)-l.pos) {
		return nil, nil, fmt.Errorf("%w: object %d: bad stream length", errPDF, num)
	}
	return d, f.data[l.pos : l.pos+int(length)], nil
}

// resolve follows indirect references.
func (f *pdfFile) resolve(v any, depth int) (any, error) {
	for r, ok := v.(pdfRef); ok; r, ok = v.(pdfRef) {
		if depth++; depth > maxResolveDepth {
			return nil, fmt.Errorf("%w: references nested too deep", errPDF)
		}
		var err error
		if v, _, err = f.object(r.num, depth); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (f *pdfFile) dict(v any) (pdfDict, error) {
	v, err := f.resolve(v, 0)
	if err != nil {
		return nil, err
	}
	d, ok := v.(pdfDict)
	if !ok {
		return nil, fmt.Errorf("%w: expected a dictionary", errPDF)
	}
	return d, nil
}

func (f *pdfFile) integer(v any, depth int) (int64, error) {
	v, err := f.resolve(v, depth)
	if err != nil {
		return 0, err
	}
	n, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("%w: expected an integer", errPDF)
	}
	return n, nil
}

func (f *pdfFile) catalog() (pdfDict, error) { return f.dict(f.trailer["Root"]) }

// stream returns the decoded bytes of the stream object v refers to.
func (f *pdfFile) stream(v any) ([]byte, error) {
	r, ok := v.(pdfRef)
	if !ok {
		return nil, fmt.Errorf("%w: embedded file is not a stream", errPDF)
	}
	obj, raw, err := f.object(r.num, 0)
	if err != nil {
		return nil, err
	}
	d, _ := obj.(pdfDict)
	if raw == nil || d == nil {
		return nil, fmt.Errorf("%w: embedded file is not a stream", errPDF)
	}
	switch filter := d["Filter"].(type) {
	case nil:
		return raw, nil
	case pdfName:
		if filter == "FlateDecode" {
			return inflate(raw)
		}
	case []any:
		if len(filter) == 1 && filter[0] == pdfName("FlateDecode") {
			return inflate(raw)
		}
	}
	return nil, fmt.Errorf("%w: unsupported stream filter %v", errPDF, d["Filter"])
}

func inflate(raw []byte) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errPDF, err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxAttachmentSize+1))
	if err != nil || len(out) > maxAttachmentSize {
		return nil, fmt.Errorf("%w: bad or oversized compressed stream", errPDF)
	}
	return out, nil
}
