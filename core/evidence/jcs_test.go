package evidence_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
)

func TestCanonicalJSON(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"b":1, "a":[true,null,"x"]}`, `{"a":[true,null,"x"],"b":1}`},
		{`{"é":1,"z":2,"A":3}`, `{"A":3,"z":2,"é":1}`},
		// UTF-16 order: U+FB33 sorts after U+1F600 in UTF-8 but before it in UTF-16.
		{`{"\ufb33":2,"\ud83d\ude00":1}`, "{\"\U0001F600\":1,\"\uFB33\":2}"},
		{`"a\"b\\c\n\t\u0001\u007f<>&\u2028é"`, "\"a\\\"b\\\\c\\n\\t\\u0001\u007f<>&\u2028é\""},
		{`-9007199254740992`, `-9007199254740992`},
		{` { } `, `{}`},
	}
	for _, c := range cases {
		got, err := evidence.CanonicalJSON([]byte(c.in))
		if err != nil || string(got) != c.want {
			t.Errorf("CanonicalJSON(%s) = %s, %v; want %s", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{`1.5`, `1e3`, `9007199254740993`, `{"a":1} {}`, `{`, `[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`} {
		if _, err := evidence.CanonicalJSON([]byte(bad)); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("CanonicalJSON(%s): %v, want EINVALID", bad, err)
		}
	}
}

// FuzzETSISignedBytes reads evidence files from outside: it never panics,
// and what it returns is canonical (canonicalising it again changes
// nothing) and means the same as the file without its signature.
func FuzzETSISignedBytes(f *testing.F) {
	f.Add([]byte(`{"version":"EN319522v1.1.1","jadesSignature":{"compactDetached":{"protected":"e30","signature":""}},"n":[1,{"b":"\u00e9"}]}`))
	f.Add([]byte(`{"a":1,"a":2}`))
	f.Fuzz(func(t *testing.T, file []byte) {
		canon, _, err := evidence.ETSISignedBytes(file)
		if err != nil {
			return
		}
		again, err := evidence.CanonicalJSON(canon)
		if err != nil || !bytes.Equal(again, canon) {
			t.Fatalf("not canonical: %s -> %s (%v)", canon, again, err)
		}
		var in, out map[string]any
		json.Unmarshal(file, &in)
		delete(in, "jadesSignature")
		if err := json.Unmarshal(canon, &out); err != nil || !reflect.DeepEqual(in, out) {
			t.Fatalf("%s does not mean %s", canon, file)
		}
	})
}
