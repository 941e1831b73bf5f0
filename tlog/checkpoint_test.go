package tlog_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"flag"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lre-project/lre/internal/keyfile"
	"github.com/lre-project/lre/tlog"
)

var update = flag.Bool("update", false, "rewrite the fixtures in testdata/audit")

const fixtures = "../testdata/audit"

// fixedSigner is the fixtures' log key, derived from a fixed seed so that
// -update rewrites the same key.
func fixedSigner(t testing.TB) *tlog.Signer {
	t.Helper()
	s, err := keyfile.LoadOrCreateLogSigner(t.TempDir(), "fixture-lre-evidence-log", mrand.NewChaCha8([32]byte{'l', 'r', 'e'}))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"lre":                   "lre-lre-evidence-log",
		"Cabinet Martin & Fils": "cabinet-martin-fils-lre-evidence-log",
		"Poste Électronique":    "poste-lectronique-lre-evidence-log",
		"lre.example.org":       "lre.example.org-lre-evidence-log",
		"a+b c\td":              "a-b-c-d-lre-evidence-log",
	} {
		if got := tlog.Origin(in); got != want {
			t.Errorf("Origin(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSignAndOpenCheckpoint(t *testing.T) {
	s := fixedSigner(t)
	root := bytes.Repeat([]byte{7}, 32)
	signed, err := s.SignCheckpoint(42, root)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(signed), "fixture-lre-evidence-log\n42\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n\n— fixture-lre-evidence-log ") {
		t.Errorf("not a C2SP checkpoint:\n%s", signed)
	}
	c, err := tlog.OpenCheckpoint(signed, s.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	if c.Size != 42 || !bytes.Equal(c.Root, root) || c.Origin != s.Origin() {
		t.Errorf("opened %+v", c)
	}

	other, _ := keyfile.LoadOrCreateLogSigner(t.TempDir(), s.Origin(), rand.Reader)
	tampered := bytes.Replace(signed, []byte("\n42\n"), []byte("\n43\n"), 1)
	renamed, _ := keyfile.LoadOrCreateLogSigner(t.TempDir(), "another-log", rand.Reader)
	renamedNote, _ := renamed.SignCheckpoint(42, root)
	for name, c := range map[string]struct {
		note []byte
		key  string
	}{
		"tampered size":   {tampered, s.VerifierKey()},
		"other key":       {signed, other.VerifierKey()},
		"unsigned":        {tlog.Checkpoint{Origin: s.Origin(), Size: 42, Root: root}.Marshal(), s.VerifierKey()},
		"garbage key":     {signed, "not a key"},
		"origin mismatch": {bytes.Replace(renamedNote, []byte("another-log\n"), []byte("another-lo\n"), 1), renamed.VerifierKey()},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := tlog.OpenCheckpoint(c.note, c.key); !errors.Is(err, tlog.ErrCheckpoint) {
				t.Errorf("err = %v, want ErrCheckpoint", err)
			}
		})
	}
}

func TestParseCheckpointRejects(t *testing.T) {
	root := "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="
	for name, body := range map[string]string{
		"no newline":    "o\n1\n" + root,
		"two lines":     "o\n1\n",
		"empty origin":  "\n1\n" + root + "\n",
		"negative size": "o\n-1\n" + root + "\n",
		"leading zero":  "o\n01\n" + root + "\n",
		"plus size":     "o\n+1\n" + root + "\n",
		"short root":    "o\n1\nBwcH\n",
		"bad base64":    "o\n1\n" + strings.Repeat("!", 44) + "\n",
		"empty ext":     "o\n1\n" + root + "\n\n",
		"huge":          "o\n1\n" + root + "\n" + strings.Repeat("x", 20000) + "\n",
	} {
		if _, err := tlog.ParseCheckpoint([]byte(body)); !errors.Is(err, tlog.ErrCheckpoint) {
			t.Errorf("%s: err = %v, want ErrCheckpoint", name, err)
		}
	}
	c, err := tlog.ParseCheckpoint([]byte("o\n1\n" + root + "\next one\n"))
	if err != nil || c.Size != 1 {
		t.Errorf("extension line: %+v, %v", c, err)
	}
}

func TestSignerKeyFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "log")
	s, err := keyfile.LoadOrCreateLogSigner(dir, "lre-lre-evidence-log", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "checkpoint.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key file: %v, mode %v", err, fi.Mode())
	}
	again, err := keyfile.LoadOrCreateLogSigner(dir, "a-new-provider-name", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if again.VerifierKey() != s.VerifierKey() || again.Origin() != "lre-lre-evidence-log" {
		t.Errorf("reloaded key %q, origin %q: the origin must stay fixed", again.VerifierKey(), again.Origin())
	}
	if err := os.Remove(filepath.Join(dir, "checkpoint.pub")); err != nil {
		t.Fatal(err)
	}
	if _, err := keyfile.LoadOrCreateLogSigner(dir, "x", rand.Reader); err == nil {
		t.Error("a directory holding only the private key was accepted")
	}
}

// TestFixtures keeps testdata/audit/checkpoint*.txt, the fuzz seeds, in step
// with the format; go test -run TestFixtures -update rewrites them.
func TestFixtures(t *testing.T) {
	s := fixedSigner(t)
	signed, err := s.SignCheckpoint(3, bytes.Repeat([]byte{0xab}, 32))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"checkpoint.txt": signed, "checkpoint-key.txt": []byte(s.VerifierKey() + "\n")}
	for name, want := range files {
		path := filepath.Join(fixtures, name)
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is stale (%v): run go test ./tlog -run TestFixtures -update", path, err)
		}
	}
}

func FuzzParseCheckpoint(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(fixtures, "checkpoint*.txt"))
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
			if text, err := tlog.NoteText(b); err == nil {
				f.Add(text)
			}
		}
	}
	f.Add([]byte("o\n0\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n"))
	key, _ := os.ReadFile(filepath.Join(fixtures, "checkpoint-key.txt"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := tlog.ParseCheckpoint(b)
		if err == nil {
			if again := c.Marshal(); !bytes.HasPrefix(b, again) {
				t.Errorf("parsed %+v does not marshal back to a prefix of the input", c)
			}
		}
		if c, err := tlog.OpenCheckpoint(b, string(key)); err == nil && len(c.Root) != tlog.HashSize {
			t.Errorf("opened a checkpoint with a %d-byte root", len(c.Root))
		}
	})
}
