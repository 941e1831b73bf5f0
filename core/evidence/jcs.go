package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/lre-project/lre/core"
)

// The bytes an evidence's JAdES signature covers are the evidence without
// its jadesSignature member in the JSON Canonicalization Scheme (RFC 8785):
// no whitespace, object members sorted by their names' UTF-16 code units,
// strings with only '"', '\\' and control characters escaped (\b \f \n \r
// \t, else \u00xx in lower case). lre's evidence holds only integers, so
// numbers are integers written in decimal; any other number is refused
// rather than canonicalised approximately. For this content Python's
// json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
// gives the same bytes.

// maxJCSDepth bounds the nesting a verifier follows in a file from outside.
const maxJCSDepth = 32

// ETSISignedBytes returns the bytes the signature of an evidence file
// covers, and the signature it carries. Errors: EINVALID when the file is
// not one JSON object or holds a non-integer number.
func ETSISignedBytes(file []byte) ([]byte, *ETSISignature, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(file, &obj); err != nil {
		return nil, nil, core.Errorf(core.EINVALID, "evidence is not a JSON object: %v", err)
	}
	var sig *ETSISignature
	if raw, ok := obj["jadesSignature"]; ok {
		sig = new(ETSISignature)
		if err := json.Unmarshal(raw, sig); err != nil {
			return nil, nil, core.Errorf(core.EINVALID, "evidence jadesSignature: %v", err)
		}
		delete(obj, "jadesSignature")
	}
	rest, err := json.Marshal(obj)
	if err != nil {
		return nil, nil, fmt.Errorf("evidence: %w", err)
	}
	canon, err := CanonicalJSON(rest)
	return canon, sig, err
}

// CanonicalJSON returns the RFC 8785 form of one JSON value (integers
// only, see above). Errors: EINVALID.
func CanonicalJSON(b []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, core.Errorf(core.EINVALID, "not JSON: %v", err)
	}
	if dec.More() {
		return nil, core.Errorf(core.EINVALID, "more than one JSON value")
	}
	var out bytes.Buffer
	if err := writeJCS(&out, v, 0); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func writeJCS(w *bytes.Buffer, v any, depth int) error {
	if depth > maxJCSDepth {
		return core.Errorf(core.EINVALID, "JSON nested deeper than %d levels", maxJCSDepth)
	}
	switch x := v.(type) {
	case nil:
		w.WriteString("null")
	case bool:
		w.WriteString(strconv.FormatBool(x))
	case json.Number:
		n, err := strconv.ParseInt(string(x), 10, 64)
		if err != nil || n > 1<<53 || n < -(1<<53) {
			return core.Errorf(core.EINVALID, "number %s is not an integer evidence may hold", x)
		}
		w.WriteString(strconv.FormatInt(n, 10))
	case string:
		writeJCSString(w, x)
	case []any:
		w.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				w.WriteByte(',')
			}
			if err := writeJCS(w, e, depth+1); err != nil {
				return err
			}
		}
		w.WriteByte(']')
	case map[string]any:
		return writeJCSObject(w, x, depth)
	}
	return nil
}

func writeJCSObject(w *bytes.Buffer, m map[string]any, depth int) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b))) })
	w.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			w.WriteByte(',')
		}
		writeJCSString(w, k)
		w.WriteByte(':')
		if err := writeJCS(w, m[k], depth+1); err != nil {
			return err
		}
	}
	w.WriteByte('}')
	return nil
}

func writeJCSString(w *bytes.Buffer, s string) {
	w.WriteByte('"')
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		switch {
		case r == '"' || r == '\\':
			w.WriteByte('\\')
			w.WriteRune(r)
		case r == '\b':
			w.WriteString(`\b`)
		case r == '\f':
			w.WriteString(`\f`)
		case r == '\n':
			w.WriteString(`\n`)
		case r == '\r':
			w.WriteString(`\r`)
		case r == '\t':
			w.WriteString(`\t`)
		case r < 0x20:
			fmt.Fprintf(w, `\u%04x`, r)
		default:
			w.WriteString(s[:n])
		}
		s = s[n:]
	}
	w.WriteByte('"')
}
