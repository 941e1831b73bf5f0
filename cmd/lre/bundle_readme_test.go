package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/lre-project/lre/audit"
	"github.com/lre-project/lre/core/evidence"
)

// readmeTools are what the bundle README's commands run.
var readmeTools = []string{"bash", "openssl", "sha256sum", "python3", "certutil", "pdfsig"}

// shBlocks returns the ```sh blocks of a README, in order.
func shBlocks(readme string) []string {
	var out []string
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(readme, -1) {
		out = append(out, m[1])
	}
	return out
}

// unzipBundle writes a bundle's files under dir.
func unzipBundle(t *testing.T, files map[string][]byte, dir string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// runReadme runs every block of the README.txt in files, as written, with
// bash from the unzipped directory, stopping at the first failing command.
func runReadme(t *testing.T, files map[string][]byte) (string, error) {
	t.Helper()
	dir := t.TempDir()
	unzipBundle(t, files, dir)
	cmd := exec.Command("bash", "-e", "-o", "pipefail", "-c", strings.Join(shBlocks(string(files[evidence.BundleReadme])), "\n"))
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestBundleReadmeRunsAsWritten extracts the commands of a real bundle's
// README.txt and runs them literally in the unzipped bundle: openssl ts
// -verify with -attime, sha256sum of the documents, the Python recipe for
// the chain and the proofs, openssl for the checkpoint's signature and
// pdfsig after the NSS trust step must all pass; each tampered file must
// make them fail, with a message naming what failed.
func TestBundleReadmeRunsAsWritten(t *testing.T) {
	for _, tool := range readmeTools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is missing on CI (apt-get install openssl coreutils python3 libnss3-tools poppler-utils)", tool)
			}
			t.Skipf("%s not installed", tool)
		}
	}
	s := newStory(t)
	bd, err := audit.ReadBundle(s.bundle(0))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(bd.Files[evidence.BundleReadme])
	if n := len(shBlocks(readme)); n < 5 {
		t.Fatalf("README.txt has %d command blocks:\n%s", n, readme)
	}
	// The story's letter is French, so is its README; its commands are
	// the English README's (core/evidence TestReadmeInTheLettersLanguage).
	for _, want := range []string{"-attime", "PrevHash sous forme de ses 32 octets bruts", "Décodez la chaîne", "chaque octet", "leaf hash = SHA-256(0x00 || Hash)", "certutil -N", "pdfsig -nssdir"} {
		if !strings.Contains(readme, want) {
			t.Errorf("README.txt does not say %q", want)
		}
	}
	out, err := runReadme(t, bd.Files)
	if err != nil {
		t.Fatalf("the README's commands fail on the bundle as issued: %v\n%s\n--- README.txt\n%s", err, out, readme)
	}
	for _, want := range []string{"manifest.json: OK", "documents/01-contrat.pdf: OK", "chain and proofs OK: 4 record(s)", "Signature Verified Successfully", "Signature is Valid."} {
		if !strings.Contains(out, want) {
			t.Errorf("the commands did not print %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "Verification: OK"); n != 2 {
		t.Errorf("%d time-stamp verifications passed, want 2:\n%s", n, out)
	}
	t.Run("-attime is what keeps the token commands valid", func(t *testing.T) {
		// Thirty years on, the authority's certificate has expired: openssl
		// judging it at that date (as it judges it at today's date without
		// -attime) refuses the token the README's command accepts.
		files := map[string][]byte{}
		for k, v := range bd.Files {
			files[k] = v
		}
		later := regexp.MustCompile(`-attime (\d+)`).ReplaceAllStringFunc(readme, func(m string) string {
			n, _ := strconv.ParseInt(strings.TrimPrefix(m, "-attime "), 10, 64)
			return "-attime " + strconv.FormatInt(n+30*365*24*3600, 10)
		})
		files[evidence.BundleReadme] = []byte(later)
		out, err := runReadme(t, files)
		if err == nil || !strings.Contains(out, "certificate has expired") {
			t.Fatalf("a token checked thirty years on passed (%v):\n%s", err, out)
		}
	})
	cases := []struct {
		name, want string
		mutate     func(f map[string][]byte)
	}{
		{"a document", "documents/01-contrat.pdf: FAILED", func(f map[string][]byte) { flipIn(f, evidence.BundleDocumentsDir+"01-contrat.pdf", 3) }},
		{"the manifest", "manifest.json: FAILED", func(f map[string][]byte) {
			f[evidence.BundleManifest] = bytes.Replace(f[evidence.BundleManifest], []byte("Bob Durand"), []byte("Bob Durant"), 1)
		}},
		{"the deposit token", "Verification: FAILED", func(f map[string][]byte) { flipIn(f, evidence.BundleDepositToken, -3) }},
		{"an event", "FAILED: record", func(f map[string][]byte) {
			editJSON(t, f, evidence.BundleEvents, func(v map[string]any) {
				rec := v["Evidences"].([]any)[1].(map[string]any)["LogRecord"].(map[string]any)
				rec["CanonicalEvent"] = strings.Replace(rec["CanonicalEvent"].(string), "mx.test", "mx.example.org", 1)
			})
		}},
		{"a proof", "is not in the checkpoint's tree", func(f map[string][]byte) {
			editJSON(t, f, evidence.BundleProofs, func(v map[string]any) {
				hs := v["inclusion"].([]any)[0].(map[string]any)["hashes"].([]any)
				hs[0] = strings.Repeat("ab", 32)
			})
		}},
		{"the checkpoint", "Verification: FAILED", func(f map[string][]byte) {
			f[evidence.BundleCheckpoint] = bytes.Replace(f[evidence.BundleCheckpoint], []byte("evidence-log\n"), []byte("evidence-log\n1"), 1)
		}},
		{"a certificate", "FAILED: certificates/receipt.pdf", func(f map[string][]byte) {
			name := evidence.BundleCertificatesDir + "receipt.pdf"
			flipIn(f, name, bytes.Index(f[name], []byte("stream\n"))+40)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string][]byte{}
			for k, v := range bd.Files {
				files[k] = v
			}
			c.mutate(files)
			out, err := runReadme(t, files)
			if err == nil || !strings.Contains(out, c.want) {
				t.Fatalf("the README's commands did not fail with %q (%v):\n%s", c.want, err, out)
			}
		})
	}
}

// TestBundleReadmeSignatureStep checks the one step the tampering cases
// above cannot reach alone (the time-stamp covers the checkpoint too): the
// recipe's files make openssl refuse a checkpoint signed by another key.
func TestBundleReadmeSignatureStep(t *testing.T) {
	for _, tool := range []string{"bash", "openssl", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is missing on CI", tool)
			}
			t.Skipf("%s not installed", tool)
		}
	}
	s := newStory(t)
	bd, err := audit.ReadBundle(s.bundle(0))
	if err != nil {
		t.Fatal(err)
	}
	blocks := shBlocks(string(bd.Files[evidence.BundleReadme]))
	var logBlock string
	for _, b := range blocks {
		if strings.Contains(b, "openssl pkeyutl") {
			logBlock = b
		}
	}
	if logBlock == "" {
		t.Fatal("no block checks the checkpoint's signature")
	}
	dir := t.TempDir()
	unzipBundle(t, bd.Files, dir)
	// Another signature by the same key id: only openssl can tell.
	note := bd.Files[evidence.BundleCheckpoint]
	i := bytes.LastIndexByte(note[:len(note)-1], ' ') + 1
	sig := []byte(note[i : len(note)-1])
	sig[10] = map[bool]byte{true: 'B', false: 'A'}[sig[10] == 'A']
	bad := append(append(append([]byte{}, note[:i]...), sig...), '\n')
	if err := os.WriteFile(filepath.Join(dir, evidence.BundleCheckpoint), bad, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "-e", "-o", "pipefail", "-c", logBlock)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "Signature Verification Failure") {
		t.Fatalf("a forged checkpoint signature passed (%v):\n%s", err, out)
	}
	var p evidence.ProofsFile
	json.Unmarshal(bd.Files[evidence.BundleProofs], &p)
	if p.CheckpointSize == 0 {
		t.Fatal("proofs.json names no checkpoint")
	}
}
