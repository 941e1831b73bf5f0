package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBounceParse: `lre bounce parse --json` prints one object per file
// with the fields issue 15 names, and a file it cannot read fails the
// command after the others were printed.
func TestBounceParse(t *testing.T) {
	dir := t.TempDir()
	bounce := filepath.Join(dir, "qmail.eml")
	raw := "From: MAILER-DAEMON@mx.example.net\nSubject: failure notice\n\nHi. This is the qmail-send program at mx.example.net.\n" +
		"I'm afraid I wasn't able to deliver your message to the following addresses.\n\n<carol@example.org>:\n" +
		"Remote host said: 550 5.1.1 <carol@example.org>: Mailbox does not exist\n\n--- Below this line is a copy of the message.\n\nMessage-ID: <ntf-9@lre.example>\n"
	if err := os.WriteFile(bounce, []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "bounce", "parse", "--json", bounce)
	if err != nil {
		t.Fatal(err)
	}
	var got bounceReport
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := bounceRecipient{Address: "carol@example.org", Action: "failed", Status: "5.1.1", ReplyCode: 550, Reason: "user_unknown", Hard: true}
	if got.File != bounce || got.Kind != "bounce" || got.MessageID != "ntf-9@lre.example" || len(got.Recipients) != 1 || got.Recipients[0] != want {
		t.Errorf("got %+v", got)
	}
	for _, field := range []string{`"file"`, `"kind"`, `"feedback_type"`, `"recipients"`, `"address"`, `"action"`, `"status"`, `"reply_code"`, `"reason"`, `"hard"`} {
		if !strings.Contains(out, field) {
			t.Errorf("output lacks %s: %s", field, out)
		}
	}
	out, stderr, err := runCLI(t, "bounce", "parse", filepath.Join(dir, "missing.eml"), bounce)
	if err == nil || !strings.Contains(stderr, "missing.eml") || !strings.Contains(out, "carol@example.org\tfailed\t5.1.1\t550\tuser_unknown\thard") {
		t.Errorf("err %v, stderr %q, stdout %q", err, stderr, out)
	}
	if _, _, err := runCLI(t, "bounce", "parse"); err == nil {
		t.Error("no file: no usage error")
	}
}
