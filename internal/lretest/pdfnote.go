package lretest

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
)

var (
	reStartxref = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
	reSize      = regexp.MustCompile(`/Size (\d+)`)
	reRoot      = regexp.MustCompile(`/Root (\d+) 0 R`)
	rePageRef   = regexp.MustCompile(`/P (\d+) 0 R`) // signature widgets name page 1
	reAnnots    = regexp.MustCompile(`/Annots\s*\[`)
)

// AppendNote appends, by hand, the incremental update a PDF editor would
// write to stamp a visible note on a sealed certificate: a FreeText
// annotation on page 1. It reads the file with regular expressions, as an
// attacker's small script would, and shares no code with certs or audit.
func AppendNote(pdf []byte, note string) ([]byte, error) {
	m := reStartxref.FindSubmatch(pdf)
	if m == nil {
		return nil, errors.New("append note: no startxref")
	}
	size, err1 := lastInt(reSize, pdf)
	root, err2 := lastInt(reRoot, pdf)
	page, err3 := lastInt(rePageRef, pdf)
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, fmt.Errorf("append note: %w", err)
	}
	versions := regexp.MustCompile(fmt.Sprintf(`(?s)\n%d 0 obj\n(.*?)\nendobj`, page)).FindAllSubmatch(pdf, -1)
	if versions == nil {
		return nil, errors.New("append note: page 1 not found")
	}
	annot := size
	dict := reAnnots.ReplaceAll(versions[len(versions)-1][1], fmt.Appendf(nil, "/Annots [%d 0 R ", annot))
	var b bytes.Buffer
	b.Write(pdf)
	annotAt := b.Len()
	fmt.Fprintf(&b, "%d 0 obj\n<< /Type /Annot /Subtype /FreeText /Rect [60 700 400 740] /Contents (%s) /DA (/Helv 18 Tf 1 0 0 rg) /P %d 0 R /F 4 >>\nendobj\n", annot, note, page)
	pageAt := b.Len()
	fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", page, dict)
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n%d 1\n%010d 00000 n \n%d 1\n%010d 00000 n \n", page, pageAt, annot, annotAt)
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R /Prev %s >>\nstartxref\n%d\n%%%%EOF\n", size+1, root, m[1], xref)
	return b.Bytes(), nil
}

func lastInt(re *regexp.Regexp, b []byte) (int, error) {
	all := re.FindAllSubmatch(b, -1)
	if all == nil {
		return 0, fmt.Errorf("no %s", re)
	}
	return strconv.Atoi(string(all[len(all)-1][1]))
}
