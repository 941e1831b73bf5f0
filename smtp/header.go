package smtp

import (
	"bytes"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// Header lines that hold encoded words may not exceed 76 characters
// (RFC 2047 section 2); keeping each word under maxWordLen leaves room for
// the field name on the first line.
const (
	maxHeaderLine = 76
	maxWordLen    = 60
)

// encodeText returns s as it may appear in an unstructured header field or
// a display name: unchanged when it is printable ASCII (and does not look
// like an encoded word a reader would decode), otherwise as
// Q-encoded UTF-8 words short enough to fold between. Every word is encoded
// once one is, because the space between two encoded words disappears when
// decoding while the space between an encoded word and plain text stays.
func encodeText(s string) string {
	if isPrintableASCII(s) && !strings.Contains(s, "=?") {
		return s
	}
	var words []string
	var cur strings.Builder
	for _, r := range s {
		enc := qEncodeRune(r)
		if cur.Len()+len(enc) > maxWordLen-len("=?utf-8?q??=") {
			words = append(words, "=?utf-8?q?"+cur.String()+"?=")
			cur.Reset()
		}
		cur.WriteString(enc)
	}
	if cur.Len() > 0 {
		words = append(words, "=?utf-8?q?"+cur.String()+"?=")
	}
	return strings.Join(words, " ")
}

// qEncodeRune writes one rune in the Q encoding restricted to what RFC 2047
// section 5 (3) allows inside a phrase, so the same words serve in names.
func qEncodeRune(r rune) string {
	switch {
	case r == ' ':
		return "_"
	case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		strings.ContainsRune("!*+-/", r)):
		return string(r)
	}
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	var b strings.Builder
	for _, c := range buf[:n] {
		b.WriteByte('=')
		b.WriteByte("0123456789ABCDEF"[c>>4])
		b.WriteByte("0123456789ABCDEF"[c&15])
	}
	return b.String()
}

// formatAddress writes a mailbox with its display name, quoted by net/mail
// when ASCII and encoded by encodeText otherwise.
func formatAddress(name, addr string) string {
	if name == "" || isPrintableASCII(name) && !strings.Contains(name, "=?") {
		return (&mail.Address{Name: name, Address: addr}).String()
	}
	return encodeText(name) + " <" + addr + ">"
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

type field struct{ name, value string }

// writeHeaders folds each field at spaces so lines stay within 76
// characters where the value allows it; values were checked free of CR and
// LF, so folding is the only place line breaks appear.
func writeHeaders(buf *bytes.Buffer, fields []field) {
	for _, f := range fields {
		line := f.name + ":"
		for _, word := range strings.Split(f.value, " ") {
			if word != "" && len(line)+1+len(word) > maxHeaderLine && strings.Contains(line, " ") {
				buf.WriteString(line + "\r\n")
				line = ""
			}
			line += " " + word
		}
		buf.WriteString(line + "\r\n")
	}
	buf.WriteString("\r\n")
}
