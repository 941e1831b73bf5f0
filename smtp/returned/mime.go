package returned

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"
)

// Bounds of the MIME walk: a report is a handful of parts; a message that
// nests deeper or splits wider is not one worth reading further.
const (
	maxDepth = 8
	maxParts = 64
)

// field is one unfolded header field; name is lower-cased.
type field struct{ name, value string }

// header is a header block in order (fields may repeat).
type header []field

// get returns the first value of name (lower-case), or "".
func (h header) get(name string) string {
	for _, f := range h {
		if f.name == name {
			return f.value
		}
	}
	return ""
}

// part is one leaf of the MIME tree, its body decoded from its transfer
// encoding. original marks the returned message (or its headers): its text
// is the sender's, not the reporting server's, and is never read as a
// diagnostic.
type part struct {
	ctype    string // lower-case media type, "text/plain" when absent
	params   map[string]string
	header   header
	body     []byte
	original bool
}

// splitHeader separates a header block from the body at the first empty
// line. Text that does not start with a header field has no header.
func splitHeader(raw []byte) (header, []byte) {
	if !startsWithField(raw) {
		if line, rest := cutLine(raw); len(bytes.TrimRight(line, "\r")) == 0 {
			return nil, rest // an empty header block
		}
		return nil, raw
	}
	var h header
	rest := raw
	for len(rest) > 0 {
		line, next := cutLine(rest)
		if len(bytes.TrimRight(line, "\r")) == 0 {
			return h, next
		}
		if (line[0] == ' ' || line[0] == '\t') && len(h) > 0 {
			h[len(h)-1].value += " " + strings.TrimSpace(string(line))
		} else if i := bytes.IndexByte(line, ':'); i > 0 {
			name := strings.ToLower(strings.TrimSpace(string(line[:i])))
			h = append(h, field{name, strings.TrimSpace(string(line[i+1:]))})
		} else if len(h) > 0 && !looksLikeField(line) {
			return h, rest // the body began without the empty line
		}
		rest = next
	}
	return h, nil
}

// startsWithField tells whether raw opens with "Name:" (a header field).
func startsWithField(raw []byte) bool {
	line, _ := cutLine(raw)
	return looksLikeField(line)
}

func looksLikeField(line []byte) bool {
	i := bytes.IndexByte(line, ':')
	if i <= 0 || i > 76 {
		return false
	}
	for _, c := range line[:i] {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

// cutLine returns the first line of b without its "\n" and the rest.
func cutLine(b []byte) (line, rest []byte) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i], b[i+1:]
	}
	return b, nil
}

// walk appends the leaves of the entity raw to out.
func walk(raw []byte, depth int, original bool, out *[]part) {
	h, body := splitHeader(raw)
	walkBody(h, body, depth, original, out)
}

func walkBody(h header, body []byte, depth int, original bool, out *[]part) {
	if len(*out) >= maxParts {
		return
	}
	ctype, params := contentType(h.get("content-type"))
	body = decodeTransfer(h.get("content-transfer-encoding"), body)
	switch {
	case strings.HasPrefix(ctype, "multipart/") && depth < maxDepth:
		kids := splitMultipart(body, params["boundary"])
		if kids == nil { // a broken multipart: read it as text
			*out = append(*out, part{ctype: "text/plain", header: h, body: body, original: original})
			return
		}
		for _, k := range kids {
			walk(k, depth+1, original, out)
		}
	case isOriginal(ctype):
		*out = append(*out, part{ctype: ctype, params: params, header: h, body: body, original: true})
	default:
		*out = append(*out, part{ctype: ctype, params: params, header: h, body: body, original: original})
	}
}

// isOriginal tells the media types that carry the returned message.
func isOriginal(ctype string) bool {
	switch ctype {
	case "message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers", "message/partial":
		return true
	}
	return false
}

// contentType parses a Content-Type, tolerating what mime.ParseMediaType
// refuses (duplicate or unquoted parameters with odd bytes).
func contentType(v string) (string, map[string]string) {
	if v == "" {
		return "text/plain", nil
	}
	t, params, err := mime.ParseMediaType(v)
	if err == nil {
		return t, params
	}
	t, rest, _ := strings.Cut(v, ";")
	params = map[string]string{}
	for _, p := range strings.Split(rest, ";") {
		k, val, ok := strings.Cut(p, "=")
		if ok {
			params[strings.ToLower(strings.TrimSpace(k))] = strings.Trim(strings.TrimSpace(val), `"'`)
		}
	}
	return strings.ToLower(strings.TrimSpace(t)), params
}

// splitMultipart returns the bodies between boundary lines, or nil when the
// boundary never appears. A missing closing boundary ends at the end.
func splitMultipart(body []byte, boundary string) [][]byte {
	if boundary == "" {
		return nil
	}
	delim := []byte("--" + boundary)
	var kids [][]byte
	var cur []byte
	inPart := false
	start := 0
	rest := body
	offset := 0
	for len(rest) > 0 {
		line, next := cutLine(rest)
		trimmed := bytes.TrimRight(line, " \t\r")
		if bytes.HasPrefix(trimmed, delim) {
			if inPart {
				cur = body[start:max(start, offset-1)]
				kids = append(kids, cur)
			}
			if bytes.Equal(trimmed[len(delim):], []byte("--")) {
				return kids
			}
			inPart, start = true, offset+len(line)+1
		}
		offset += len(line) + 1
		rest = next
	}
	if inPart && start < len(body) {
		kids = append(kids, body[start:])
	}
	return kids
}

// decodeTransfer undoes base64 and quoted-printable; a broken encoding
// yields what could be decoded, and the raw bytes when nothing could.
func decodeTransfer(cte string, body []byte) []byte {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		clean := make([]byte, 0, len(body))
		for _, c := range body {
			if c != '\r' && c != '\n' && c != ' ' && c != '\t' {
				clean = append(clean, c)
			}
		}
		clean = clean[:len(clean)/4*4]
		out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
		n, err := base64.StdEncoding.Decode(out, clean)
		if err != nil && n == 0 {
			return body
		}
		return out[:n]
	case "quoted-printable":
		out, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		if err != nil && len(out) == 0 {
			return body
		}
		return out
	}
	return body
}

// decodeWords decodes RFC 2047 encoded words; unknown charsets stay as they are.
func decodeWords(v string) string {
	if !strings.Contains(v, "=?") {
		return v
	}
	d := mime.WordDecoder{CharsetReader: func(_ string, r io.Reader) (io.Reader, error) { return r, nil }}
	if s, err := d.DecodeHeader(v); err == nil {
		return s
	}
	return v
}
