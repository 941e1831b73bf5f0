package core

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The canonical event bytes are what encoding/json writes for eventBody:
// every record already in a log is hashed over them, so they can never
// change. Reading and writing them through reflection dominated `lre log
// verify` (a million decodes) and showed on every deposit, so the two
// functions below do it by hand for the bytes encoding/json copies
// unchanged, and report false for anything else (an escaped character, an
// unexpected field), which then goes through encoding/json as before.
// FuzzEventBytes holds both to encoding/json's output.

// plainJSON reports whether encoding/json writes s between its quotes
// byte for byte, and reads such a literal back unchanged: valid UTF-8
// without control characters, `"`, `\`, the HTML-escaped `<`, `>`, `&`, nor
// U+2028 and U+2029.
func plainJSON(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if !plainASCII[c] {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += size
	}
	return true
}

// plainASCII marks the ASCII bytes encoding/json copies unchanged.
var plainASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendEventJSON appends the canonical bytes of b to dst, or reports
// false when a string needs escaping.
func appendEventJSON(dst []byte, b eventBody) ([]byte, bool) {
	keys := make([]string, 0, len(b.Details))
	for k, v := range b.Details {
		if !plainJSON(k) || !plainJSON(v) {
			return nil, false
		}
		keys = append(keys, k)
	}
	if !plainJSON(string(b.Type)) || !plainJSON(b.URI) || !plainJSON(b.NoticeID) || !plainJSON(b.Time) {
		return nil, false
	}
	slices.Sort(keys)
	dst = appendQuoted(append(dst, `{"type":`...), string(b.Type))
	dst = appendQuoted(append(dst, `,"uri":`...), b.URI)
	dst = appendQuoted(append(dst, `,"notice_id":`...), b.NoticeID)
	dst = appendQuoted(append(dst, `,"time":`...), b.Time)
	if len(keys) > 0 {
		dst = append(dst, `,"details":{`...)
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendQuoted(append(appendQuoted(dst, k), ':'), b.Details[k])
		}
		dst = append(dst, '}')
	}
	return append(dst, '}'), true
}

func appendQuoted(dst []byte, s string) []byte {
	return append(append(append(dst, '"'), s...), '"')
}

// parseEventJSON reads canonical event bytes whose strings are all plain,
// in encoding/json's field order, or reports false. Every string it
// returns shares one copy of b.
func parseEventJSON(b []byte) (eventBody, bool) {
	p := eventParser{s: string(b)}
	var body eventBody
	var typ string
	if !p.lit(`{"type":`) || !p.str(&typ) || !p.lit(`,"uri":`) || !p.str(&body.URI) ||
		!p.lit(`,"notice_id":`) || !p.str(&body.NoticeID) || !p.lit(`,"time":`) || !p.str(&body.Time) {
		return eventBody{}, false
	}
	body.Type = EventType(typ)
	if p.lit(`}`) {
		return body, p.done()
	}
	if !p.lit(`,"details":{`) {
		return eventBody{}, false
	}
	body.Details = make(map[string]string, strings.Count(p.s[p.i:], `":"`))
	for !p.lit(`}`) {
		var k, v string
		if len(body.Details) > 0 && !p.lit(`,`) || !p.str(&k) || !p.lit(`:`) || !p.str(&v) {
			return eventBody{}, false
		}
		body.Details[k] = v
	}
	return body, p.lit(`}`) && p.done()
}

// eventParser walks canonical event bytes.
type eventParser struct {
	s string
	i int
}

func (p *eventParser) lit(l string) bool {
	if !strings.HasPrefix(p.s[p.i:], l) {
		return false
	}
	p.i += len(l)
	return true
}

// str reads a plain string literal into *out.
func (p *eventParser) str(out *string) bool {
	if !p.lit(`"`) {
		return false
	}
	end := strings.IndexByte(p.s[p.i:], '"')
	if end < 0 || !plainJSON(p.s[p.i:p.i+end]) {
		return false
	}
	*out = p.s[p.i : p.i+end]
	p.i += end + 1
	return true
}

func (p *eventParser) done() bool { return p.i == len(p.s) }

// eventTime is the time as the canonical bytes write it.
func eventTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// eventJSONSize is the length of b's plain canonical bytes.
func eventJSONSize(b eventBody) int {
	n := len(`{"type":"","uri":"","notice_id":"","time":""}`) + len(b.Type) + len(b.URI) + len(b.NoticeID) + len(b.Time)
	if len(b.Details) > 0 {
		n += len(`,"details":{}`)
		for k, v := range b.Details {
			n += len(`"":"",`) + len(k) + len(v)
		}
	}
	return n
}
