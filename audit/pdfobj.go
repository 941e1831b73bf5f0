package audit

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strconv"
	"unicode/utf16"
)

// The PDF object syntax (ISO 32000-1 section 7.3), enough of it to read what
// certs writes and to refuse the rest without panicking: values are nil,
// bool, int64, float64, pdfString, pdfName, []any, pdfDict and pdfRef.

type (
	pdfName   string
	pdfString []byte
	pdfDict   map[pdfName]any
	pdfRef    struct{ num, gen int }
)

// maxDepth bounds nested arrays and dictionaries.
const maxDepth = 32

type lexer struct {
	b   []byte
	pos int
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isDelim(c byte) bool {
	return bytes.IndexByte([]byte("()<>[]{}/%"), c) >= 0
}

func (l *lexer) skipSpace() {
	for l.pos < len(l.b) {
		switch c := l.b[l.pos]; {
		case isSpace(c):
			l.pos++
		case c == '%':
			for l.pos < len(l.b) && l.b[l.pos] != '\n' && l.b[l.pos] != '\r' {
				l.pos++
			}
		default:
			return
		}
	}
}

// keyword reads a run of regular characters (a number, true, obj, R...).
func (l *lexer) keyword() string {
	l.skipSpace()
	start := l.pos
	for l.pos < len(l.b) && !isSpace(l.b[l.pos]) && !isDelim(l.b[l.pos]) {
		l.pos++
	}
	return string(l.b[start:l.pos])
}

func (l *lexer) errorf(format string, args ...any) error {
	return fmt.Errorf("%w at byte %d: %s", errPDF, l.pos, fmt.Sprintf(format, args...))
}

// value parses one object; an integer followed by "G R" is a reference.
func (l *lexer) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, l.errorf("nested too deep")
	}
	l.skipSpace()
	if l.pos >= len(l.b) {
		return nil, l.errorf("unexpected end")
	}
	switch c := l.b[l.pos]; {
	case c == '/':
		l.pos++
		return pdfName(l.rawName()), nil
	case c == '(':
		return l.literal()
	case c == '<' && l.pos+1 < len(l.b) && l.b[l.pos+1] == '<':
		return l.dict(depth)
	case c == '<':
		return l.hexString()
	case c == '[':
		return l.array(depth)
	}
	return l.scalar()
}

func (l *lexer) rawName() string {
	start := l.pos
	for l.pos < len(l.b) && !isSpace(l.b[l.pos]) && !isDelim(l.b[l.pos]) {
		l.pos++
	}
	return string(l.b[start:l.pos])
}

func (l *lexer) scalar() (any, error) {
	start := l.pos
	kw := l.keyword()
	switch kw {
	case "true", "false":
		return kw == "true", nil
	case "null":
		return nil, nil
	case "":
		return nil, l.errorf("unexpected %q", l.b[l.pos])
	}
	n, err := strconv.ParseInt(kw, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(kw, 64)
		if ferr != nil {
			l.pos = start
			return nil, l.errorf("unexpected %q", kw)
		}
		return f, nil
	}
	save := l.pos
	if gen, err := strconv.Atoi(l.keyword()); err == nil && gen >= 0 && l.keyword() == "R" && n >= 0 && n < 1<<24 {
		return pdfRef{int(n), gen}, nil
	}
	l.pos = save
	return n, nil
}

func (l *lexer) literal() (any, error) {
	l.pos++ // (
	var out []byte
	for depth := 1; l.pos < len(l.b); l.pos++ {
		c := l.b[l.pos]
		switch {
		case c == '\\' && l.pos+1 < len(l.b):
			l.pos++
			out = append(out, unescape(l.b[l.pos]))
		case c == '(':
			depth++
			out = append(out, c)
		case c == ')':
			if depth--; depth == 0 {
				l.pos++
				return pdfString(out), nil
			}
			out = append(out, c)
		default:
			out = append(out, c)
		}
	}
	return nil, l.errorf("unterminated string")
}

// unescape handles the one-character escapes; octal escapes are kept as
// their first digit, which no name certs writes needs.
func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	}
	return c
}

func (l *lexer) hexString() (any, error) {
	end := bytes.IndexByte(l.b[l.pos:], '>')
	if end < 0 {
		return nil, l.errorf("unterminated hex string")
	}
	digits := bytes.Map(func(r rune) rune {
		if isSpace(byte(r)) {
			return -1
		}
		return r
	}, l.b[l.pos+1:l.pos+end])
	if len(digits)%2 == 1 {
		digits = append(digits, '0')
	}
	out := make([]byte, hex.DecodedLen(len(digits)))
	if _, err := hex.Decode(out, digits); err != nil {
		return nil, l.errorf("bad hex string")
	}
	l.pos += end + 1
	return pdfString(out), nil
}

func (l *lexer) array(depth int) (any, error) {
	l.pos++ // [
	var out []any
	for {
		l.skipSpace()
		if l.pos >= len(l.b) {
			return nil, l.errorf("unterminated array")
		}
		if l.b[l.pos] == ']' {
			l.pos++
			return out, nil
		}
		v, err := l.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
}

func (l *lexer) dict(depth int) (any, error) {
	l.pos += 2 // <<
	out := pdfDict{}
	for {
		l.skipSpace()
		if l.pos+1 < len(l.b) && l.b[l.pos] == '>' && l.b[l.pos+1] == '>' {
			l.pos += 2
			return out, nil
		}
		if l.pos >= len(l.b) || l.b[l.pos] != '/' {
			return nil, l.errorf("dictionary key is not a name")
		}
		l.pos++
		key := pdfName(l.rawName())
		v, err := l.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out[key] = v
	}
}

// textString decodes a PDF text string: UTF-16BE with a byte order mark,
// else PDFDocEncoding, read as Latin-1 (the same for file names).
func textString(s pdfString) string {
	if len(s) >= 2 && s[0] == 0xfe && s[1] == 0xff {
		u := make([]uint16, 0, len(s)/2)
		for i := 2; i+1 < len(s); i += 2 {
			u = append(u, uint16(s[i])<<8|uint16(s[i+1]))
		}
		return string(utf16.Decode(u))
	}
	r := make([]rune, len(s))
	for i, c := range s {
		r[i] = rune(c)
	}
	return string(r)
}
