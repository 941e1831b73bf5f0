package smtp_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	lresmtp "github.com/lre-project/lre/smtp"
)

// TestQuarantineBounds: kept messages are files an operator can read, with
// the reason first; beyond the bounds nothing more is written.
func TestQuarantineBounds(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bounces")
	q := &lresmtp.Quarantine{Dir: dir, MaxFiles: 2, MaxBytes: 1 << 20, Now: clock}
	if err := q.Keep([]byte("Subject: one\r\n\r\nbody\r\n"), "not a report:\r\nline two"); err != nil {
		t.Fatal(err)
	}
	if err := q.Keep([]byte("Subject: two\r\n\r\nbody\r\n"), "report for x not recorded"); err != nil {
		t.Fatal(err)
	}
	if err := q.Keep([]byte("Subject: three\r\n\r\nbody\r\n"), "x"); !errors.Is(err, lresmtp.ErrQuarantineFull) {
		t.Fatalf("third message: %v, want ErrQuarantineFull", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("%d files, want 2", len(entries))
	}
	raw, _ := os.ReadFile(filepath.Join(dir, entries[0].Name()))
	if !strings.HasPrefix(string(raw), "X-Lre-Kept: not a report: line two\r\nSubject: ") {
		t.Errorf("kept file starts %q", raw[:40])
	}
	small := &lresmtp.Quarantine{Dir: filepath.Join(t.TempDir(), "b"), MaxBytes: 10}
	if err := small.Keep([]byte("Subject: too big for the bound\r\n"), "x"); !errors.Is(err, lresmtp.ErrQuarantineFull) {
		t.Errorf("over the byte bound: %v", err)
	}
}
