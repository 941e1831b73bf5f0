package audit

import (
	"bytes"
	"fmt"
)

// Attachment is a file embedded in a PDF.
type Attachment struct {
	Name string
	Data []byte
}

// PDFAttachments returns the files embedded in a PDF through its
// EmbeddedFiles name tree, in tree order. It reads PDFs with classic
// cross-reference tables, as lre's certificates are written, and returns an
// error wrapping the reason for anything else.
func PDFAttachments(pdf []byte) ([]Attachment, error) {
	f, err := parsePDF(pdf)
	if err != nil {
		return nil, err
	}
	return f.attachments()
}

func (f *pdfFile) attachments() ([]Attachment, error) {
	cat, err := f.catalog()
	if err != nil {
		return nil, err
	}
	names, err := f.dict(cat["Names"])
	if err != nil {
		return nil, fmt.Errorf("%w: no attachments (no /Names)", errPDF)
	}
	tree, err := f.dict(names["EmbeddedFiles"])
	if err != nil {
		return nil, fmt.Errorf("%w: no attachments (no /EmbeddedFiles)", errPDF)
	}
	var out []Attachment
	visited := 0
	if err := f.walkNames(tree, 0, &visited, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// walkNames collects the leaves of a name tree (/Names pairs, /Kids).
func (f *pdfFile) walkNames(node pdfDict, depth int, visited *int, out *[]Attachment) error {
	if *visited++; *visited > maxNameTreeNodes || depth > maxDepth {
		return fmt.Errorf("%w: name tree too large", errPDF)
	}
	pairs, _ := node["Names"].([]any)
	for i := 0; i+1 < len(pairs); i += 2 {
		key, _ := pairs[i].(pdfString)
		a, err := f.attachment(textString(key), pairs[i+1])
		if err != nil {
			return err
		}
		if len(*out) >= maxAttachments {
			return fmt.Errorf("%w: more than %d attachments", errPDF, maxAttachments)
		}
		*out = append(*out, a)
	}
	kids, _ := node["Kids"].([]any)
	for _, k := range kids {
		kid, err := f.dict(k)
		if err != nil {
			return err
		}
		if err := f.walkNames(kid, depth+1, visited, out); err != nil {
			return err
		}
	}
	return nil
}

// attachment reads one file specification: its name (/UF, else /F, else
// the tree's key) and its embedded stream (/EF /F, else /EF /UF).
func (f *pdfFile) attachment(key string, spec any) (Attachment, error) {
	fs, err := f.dict(spec)
	if err != nil {
		return Attachment{}, err
	}
	name := key
	for _, k := range []pdfName{"F", "UF"} {
		if s, ok := fs[k].(pdfString); ok && len(s) > 0 {
			name = textString(s)
		}
	}
	ef, err := f.dict(fs["EF"])
	if err != nil {
		return Attachment{}, fmt.Errorf("%w: attachment %q has no /EF", errPDF, name)
	}
	ref := ef["F"]
	if ref == nil {
		ref = ef["UF"]
	}
	data, err := f.stream(ref)
	if err != nil {
		return Attachment{}, fmt.Errorf("attachment %q: %w", name, err)
	}
	return Attachment{Name: name, Data: data}, nil
}

// pdfSignature is a signature dictionary and where its /Contents sits.
type pdfSignature struct {
	ref       pdfRef // the signature dictionary
	byteRange [4]int64
	contents  []byte
	subFilter string
	time      string // /M, as written
}

// signatures returns the signature dictionaries of the AcroForm fields.
func (f *pdfFile) signatures() ([]pdfSignature, error) {
	cat, err := f.catalog()
	if err != nil {
		return nil, err
	}
	form, err := f.dict(cat["AcroForm"])
	if err != nil {
		return nil, fmt.Errorf("%w: not signed (no /AcroForm)", errPDF)
	}
	fields, _ := form["Fields"].([]any)
	var out []pdfSignature
	for i, fv := range fields {
		if i >= maxAttachments {
			break
		}
		field, err := f.dict(fv)
		if err != nil || field["FT"] != pdfName("Sig") {
			continue
		}
		sig, err := f.dict(field["V"])
		if err != nil {
			return nil, fmt.Errorf("%w: signature field without value", errPDF)
		}
		s, err := signatureOf(sig)
		if err != nil {
			return nil, err
		}
		s.ref, _ = field["V"].(pdfRef)
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: not signed (no signature field)", errPDF)
	}
	return out, nil
}

func signatureOf(sig pdfDict) (pdfSignature, error) {
	var s pdfSignature
	br, _ := sig["ByteRange"].([]any)
	if len(br) != 4 {
		return s, fmt.Errorf("%w: /ByteRange is not four numbers", errPDF)
	}
	for i, v := range br {
		n, ok := v.(int64)
		if !ok || n < 0 {
			return s, fmt.Errorf("%w: /ByteRange is not four numbers", errPDF)
		}
		s.byteRange[i] = n
	}
	contents, ok := sig["Contents"].(pdfString)
	if !ok {
		return s, fmt.Errorf("%w: signature without /Contents", errPDF)
	}
	s.contents = bytes.Clone(contents)
	sub, _ := sig["SubFilter"].(pdfName)
	s.subFilter = string(sub)
	m, _ := sig["M"].(pdfString)
	s.time = string(m)
	return s, nil
}

// end is where the revision the signature covers ends.
func (s pdfSignature) end() int64 { return s.byteRange[2] + s.byteRange[3] }
