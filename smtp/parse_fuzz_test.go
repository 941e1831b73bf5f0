package smtp_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	lresmtp "github.com/lre-project/lre/smtp"
)

// FuzzParseVERP: the return path of a bounce comes from a stranger's mail
// server. ParseVERP must never panic, must only return ids that are safe
// in a Message-ID and a file name, and must read back what VERPAddress
// wrote. Seeds: testdata/fuzz/FuzzParseVERP.
func FuzzParseVERP(f *testing.F) {
	f.Add("bounce+lre-abcd-efgh-ijkl-mnop@bounces.example")
	f.Add("<BOUNCE+ntf-x@d.example>")
	f.Fuzz(func(t *testing.T, addr string) {
		id, ok := lresmtp.ParseVERP(addr)
		if !ok {
			if id != "" {
				t.Errorf("ParseVERP(%q) = %q, false", addr, id)
			}
			return
		}
		if id == "" || strings.ContainsAny(id, "@<>/\\ \r\n\x00") || strings.HasPrefix(id, ".") {
			t.Errorf("ParseVERP(%q) returned the unsafe id %q", addr, id)
		}
		again, ok := lresmtp.ParseVERP(lresmtp.VERPAddress(id, "bounces.example"))
		if !ok || again != id {
			t.Errorf("VERPAddress(%q) reads back as %q, %v", id, again, ok)
		}
	})
}

// FuzzParseEnhanced: enhanced status codes come from remote replies and
// DSNs. A code is only recognised when the text starts with it, with a
// class of 2, 4 or 5. Seeds: testdata/fuzz/FuzzParseEnhanced.
func FuzzParseEnhanced(f *testing.F) {
	f.Add("5.1.1 User unknown")
	f.Add("4.4.7")
	f.Fuzz(func(t *testing.T, text string) {
		class, subject, detail, ok := lresmtp.ParseEnhanced(text)
		if !ok {
			return
		}
		if class != 2 && class != 4 && class != 5 || subject < 0 || subject > 999 || detail < 0 || detail > 999 {
			t.Errorf("ParseEnhanced(%q) = %d.%d.%d", text, class, subject, detail)
		}
		if code := fmt.Sprintf("%d.", class); !strings.HasPrefix(strings.TrimSpace(text), code) {
			t.Errorf("ParseEnhanced(%q) found class %d, which the text does not start with", text, class)
		}
	})
}

// FuzzMailboxRead: /dev/mailbox/:name passes a name from the URL to
// Mailbox.Read. Whatever the name, it returns a message filed in the
// mailbox or an error, never another file. Seeds:
// testdata/fuzz/FuzzMailboxRead.
func FuzzMailboxRead(f *testing.F) {
	root := f.TempDir()
	dir := filepath.Join(root, "mailbox")
	const filed = "20260101T000000.000Z-ntf-lre-abcd.eml"
	for name, body := range map[string]string{
		filepath.Join(root, "secret.eml"):                 "SECRET outside the mailbox",
		filepath.Join(root, "20260101T000000.000Z-x.eml"): "SECRET beside the mailbox",
		filepath.Join(dir, filed):                         "Message-ID: <ntf-lre-abcd@localhost>\r\n\r\nfiled",
		filepath.Join(dir, ".20260101T000000.000Z-h.eml"): "SECRET hidden",
	} {
		if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
			f.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(body), 0o600); err != nil {
			f.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(root, "secret.eml"), filepath.Join(dir, "20260101T000000.000Z-link.eml")); err != nil {
		f.Fatal(err)
	}
	f.Add(filed)
	f.Add("../secret.eml")
	b := &lresmtp.Mailbox{Dir: dir}
	f.Fuzz(func(t *testing.T, name string) {
		raw, err := b.Read(name)
		if err == nil && strings.Contains(string(raw), "SECRET") {
			t.Fatalf("Read(%q) returned a file that is not a filed message: %q", name, raw)
		}
	})
}
