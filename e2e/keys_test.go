package e2e_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMissingKeyRefusesToStart: once the data directory holds a letter,
// deleting content.key, tsa/ or log/ makes the next start fail, naming the
// missing file and how to restore it, instead of creating new keys that
// would void the evidence. Put back, the same directory starts again.
func TestMissingKeyRefusesToStart(t *testing.T) {
	dir := t.TempDir()
	_, key := addSender(t, dir, "durand@cabinet.example")
	p := newProc(t, dir)
	p.start()
	depositOne(t, newClient(p.url(""), key, 10*time.Second), "KEY1")
	p.stop()
	for _, tt := range []struct{ remove, named string }{
		{"content.key", "content.key"},
		{"tsa", "tsa/root.pem"},
		{"log", "log/checkpoint.key"},
	} {
		t.Run(tt.remove, func(t *testing.T) {
			path := filepath.Join(dir, tt.remove)
			saved := filepath.Join(t.TempDir(), tt.remove)
			if err := os.Rename(path, saved); err != nil {
				t.Fatal(err)
			}
			err := p.tryStart(15 * time.Second)
			if err == nil {
				p.stop()
				t.Fatalf("lre started without %s", tt.remove)
			}
			logs := p.logs.tail(10)
			if !strings.Contains(logs, tt.named) || !strings.Contains(logs, "restore") {
				t.Errorf("the refusal does not name %s and how to restore it:\n%s", tt.named, logs)
			}
			if _, err := os.Stat(path); err == nil {
				t.Errorf("%s was created anew", tt.remove)
			}
			if err := os.Rename(saved, path); err != nil {
				t.Fatal(err)
			}
			p.start()
			p.stop()
		})
	}
}
