package core

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Field limits for text that ends up in headers, pages and PDFs.
const (
	maxEmailBytes     = 254 // RFC 5321 path limit
	MaxNameRunes      = 200
	maxSubjectRunes   = 255
	maxReferenceRunes = 100
	maxIdemKeyBytes   = 255
)

// CheckHeaderText validates a single-line field that may end up in an email
// header or a PDF: valid UTF-8, no CR/LF or other control characters, no
// bidirectional overrides that could disguise it.
func CheckHeaderText(field, v string, maxRunes int, required bool) error {
	if !utf8.ValidString(v) {
		return FieldError(EINVALID, field, "%s is not valid UTF-8", field)
	}
	if strings.TrimSpace(v) == "" {
		if required {
			return FieldError(EINVALID, field, "%s is required", field)
		}
		return nil
	}
	if n := utf8.RuneCountInString(v); n > maxRunes {
		return FieldError(EINVALID, field, "%s is %d characters long; the limit is %d", field, n, maxRunes)
	}
	for _, r := range v {
		if r == '\r' || r == '\n' {
			return FieldError(EINVALID, field, "%s must be a single line (no CR or LF)", field)
		}
		if unicode.IsControl(r) || isBidiControl(r) {
			return FieldError(EINVALID, field, "%s contains a control character (U+%04X)", field, r)
		}
	}
	return nil
}

// isBidiControl reports the invisible direction marks used to disguise file
// names and addresses (e.g. "invoice\u202Efdp.exe").
func isBidiControl(r rune) bool {
	return r == '\u200e' || r == '\u200f' || r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069'
}

// CheckEmail accepts exactly one bare address (no display name, no list, no
// group) whose domain has at least one dot.
func CheckEmail(field, v string) (string, error) {
	if err := CheckHeaderText(field, v, maxEmailBytes, true); err != nil {
		return "", err
	}
	v = strings.TrimSpace(v)
	if len(v) > maxEmailBytes {
		return "", FieldError(EINVALID, field, "%s is longer than %s", field, Bytes(maxEmailBytes))
	}
	// The mailer does not negotiate SMTPUTF8, so such an address could
	// never be notified: refuse it now rather than after the deposit.
	if strings.IndexFunc(v, func(r rune) bool { return r > unicode.MaxASCII }) >= 0 {
		return "", FieldError(EINVALID, field, "%s must be written in ASCII: internationalised addresses are not supported (write the domain in its xn-- form)", field)
	}
	addr, err := mail.ParseAddress(v)
	if err != nil || addr.Name != "" || addr.Address != v {
		return "", FieldError(EINVALID, field, "%s must be exactly one email address like name@example.org", field)
	}
	at := strings.LastIndexByte(v, '@')
	local, domain := v[:at], v[at+1:]
	if local == "" || !validDomain(domain) {
		return "", FieldError(EINVALID, field, "%s must be exactly one email address like name@example.org", field)
	}
	return v, nil
}

// validDomain accepts a DNS host name of at least two labels, each 1-63
// letters, digits or inner hyphens (RFC 1035, RFC 5321 section 4.1.2): no
// IP literal, no underscore, so that every accepted address can be mailed.
func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 || len(d) > 253 {
		return false
	}
	for _, l := range labels {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// CheckFileName validates an attachment's name as the sender gave it. The name
// is only a label: contents are stored under generated keys.
func CheckFileName(name string, maxBytes int) error {
	const field = "attachments"
	if name == "" {
		return FieldError(EINVALID, field, "an attachment has no file name")
	}
	if len(name) > maxBytes {
		return FieldError(ETOOLARGE, field, "file name is %s long; the limit (max_file_name) is %s", Bytes(len(name)), Bytes(maxBytes))
	}
	if !utf8.ValidString(name) {
		return FieldError(EINVALID, field, "file name is not valid UTF-8")
	}
	if name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
		return FieldError(EINVALID, field, "file name %q must not contain a path separator", name)
	}
	for _, r := range name {
		if unicode.IsControl(r) || isBidiControl(r) {
			return FieldError(EINVALID, field, "file name contains a control character (U+%04X)", r)
		}
	}
	return nil
}

// checkIdempotencyKey bounds the Idempotency-Key header to printable ASCII.
func checkIdempotencyKey(k string) error {
	if len(k) > maxIdemKeyBytes {
		return FieldError(EINVALID, "Idempotency-Key", "Idempotency-Key is longer than %s", Bytes(maxIdemKeyBytes))
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return FieldError(EINVALID, "Idempotency-Key", "Idempotency-Key must be printable ASCII without spaces")
		}
	}
	return nil
}
