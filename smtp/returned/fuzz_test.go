package returned_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lre-project/lre/smtp/returned"
)

// FuzzParse: returned mail comes from strangers' servers. Parse must never
// panic, never report more recipients than its bound, and always name a
// kind; a bounce's recipients carry an action and a reason. Seeds: every
// real sample of ../shared/bounces and truncations of each (a report cut
// anywhere: inside a header, a boundary, a DSN field).
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "samples", "*.eml"))
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
		for _, cut := range []int{len(raw) / 5, len(raw) / 3, len(raw) / 2, len(raw) * 4 / 5} {
			f.Add(raw[:cut])
		}
	}
	f.Add([]byte("Content-Type: multipart/report; boundary=x\r\n\r\n--x\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822;a@b.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		r := returned.Parse(raw)
		switch r.Kind {
		case returned.KindBounce, returned.KindComplaint, returned.KindAutoReply, returned.KindNone:
		default:
			t.Fatalf("kind %q", r.Kind)
		}
		if len(r.Recipients) > 100 {
			t.Fatalf("%d recipients", len(r.Recipients))
		}
		for _, rc := range r.Recipients {
			if r.Kind == returned.KindBounce && (rc.Action == "" || rc.Reason == "") {
				t.Fatalf("bounce recipient without action or reason: %+v", rc)
			}
			if rc.Hard && rc.Action != "failed" {
				t.Fatalf("hard %q recipient", rc.Action)
			}
		}
	})
}
