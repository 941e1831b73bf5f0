package returned

import (
	"bytes"
	"strings"
)

// dsnFields is what a delivery-status part says: the per-message fields
// and one header per recipient.
type dsnFields struct {
	message    header
	recipients []header
}

// perRecipient names the RFC 3464 per-recipient fields (and the common
// extensions) so that a block without the blank line before it is still
// told from the per-message fields.
var perRecipient = map[string]bool{
	"final-recipient": true, "original-recipient": true, "action": true, "status": true,
	"remote-mta": true, "diagnostic-code": true, "last-attempt-date": true, "final-log-id": true,
	"will-retry-until": true, "x-actual-recipient": true, "x-supplementary-info": true,
	"x-display-name": true,
}

// parseDSNFields reads a delivery-status body. It starts a new recipient
// at a blank line after recipient fields, and at a recipient field that the
// current block already has (the field order varies by MTA), so that reports which run the blocks together
// (or put the per-message fields after a recipient) lose nothing. Lines with
// raw 8-bit bytes are kept as they are.
func parseDSNFields(body []byte) dsnFields {
	var d dsnFields
	var cur header
	flush := func() {
		if len(cur) > 0 {
			d.recipients = append(d.recipients, cur)
		}
		cur = nil
	}
	for _, f := range fieldLines(body) {
		if f.name == "" { // a blank line
			flush()
			continue
		}
		if !perRecipient[f.name] {
			d.message = append(d.message, f)
			continue
		}
		if cur.get(f.name) != "" { // Exim and SES write Action first: only a repeat opens a block

			flush()
		}
		cur = append(cur, f)
	}
	flush()
	return d
}

// fieldLines unfolds body into fields; a blank line is a field without a
// name. Lines that are neither a field nor a continuation are skipped.
func fieldLines(body []byte) []field {
	var out []field
	rest := body
	for len(rest) > 0 {
		var line []byte
		line, rest = cutLine(rest)
		line = bytes.TrimRight(line, "\r")
		switch {
		case len(bytes.TrimSpace(line)) == 0:
			if len(out) > 0 && out[len(out)-1].name != "" {
				out = append(out, field{})
			}
		case line[0] == ' ' || line[0] == '\t':
			if len(out) > 0 && out[len(out)-1].name != "" {
				out[len(out)-1].value += " " + strings.TrimSpace(string(line))
			}
		default:
			if i := bytes.IndexByte(line, ':'); i > 0 && looksLikeField(line) {
				out = append(out, field{strings.ToLower(string(line[:i])), strings.TrimSpace(string(line[i+1:]))})
			}
		}
	}
	return out
}

// looksLikeDSN tells a text part that is really a delivery-status body
// (reports sent as text/plain, or with a misspelt media type).
func looksLikeDSN(body []byte) bool {
	n := 0
	for _, f := range fieldLines(body) {
		switch f.name {
		case "final-recipient", "original-recipient":
			n += 2
		case "action", "status", "diagnostic-code", "reporting-mta":
			n++
		}
		if n >= 4 {
			return true
		}
	}
	return false
}

// stripType removes the "rfc822;", "dns;" or "smtp;" type of a DSN field.
func stripType(v string) string {
	if i := strings.IndexByte(v, ';'); i >= 0 && !strings.ContainsAny(v[:i], " <@\"") {
		v = v[i+1:]
	}
	return strings.TrimSpace(v)
}

// cleanAddress reduces "Name <a@b>", "<a@b>" or "rfc822;a@b" to a@b.
func cleanAddress(v string) string {
	v = stripType(decodeWords(v))
	if i := strings.LastIndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j > 0 {
			v = v[i+1 : i+j]
		}
	}
	v = strings.Trim(strings.TrimSpace(v), "<>.,;:'")
	if f := strings.Fields(v); len(f) > 0 && !strings.HasPrefix(v, `"`) {
		v = f[0]
	}
	return v
}

// messageID returns the id between angle brackets of a Message-ID field.
func messageID(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j > 0 {
			return v[i+1 : i+j]
		}
	}
	return ""
}
