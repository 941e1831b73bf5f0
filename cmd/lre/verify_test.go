package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lre-project/lre/audit"
	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/internal/keyfile"
)

var updateAudit = flag.Bool("update-audit", false, "rewrite testdata/audit/evidence.zip and receipt.pdf from a fresh story")

// runVerify runs `lre verify args...` and returns its output and exit code.
func runVerifyCmd(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"verify"}, args...), &out, &errb)
	switch {
	case err == nil:
		return out.String(), 0
	case errors.Is(err, errUsage), errors.Is(err, flag.ErrHelp):
		return out.String() + errb.String(), 2
	}
	return out.String() + errb.String(), exitCode(err)
}

func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVerifyBundleRoundTrip(t *testing.T) {
	s := newStory(t)
	b := s.bundle(0)
	if again := s.bundle(0); !bytes.Equal(b, again) {
		t.Fatal("two downloads of the same bundle differ")
	}
	p := writeTemp(t, "evidence.zip", b)
	out, code := runVerifyCmd(t, p)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, want := range []string{
		"Result: OK", "deposited 20", "accepted 20", "by the identified recipient (email_otp, low)",
		"Alice Martin <alice@example.org> (Cabinet Martin) to Bob Durand <bob@example.com>",
		"content handed over", "contrat.pdf", "checkpoint of", "certificates/receipt.pdf was sealed",
		"TSA root SHA-256:", "log key:", "prove integrity, not authorship",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report does not say %q:\n%s", want, out)
		}
	}
	out, code = runVerifyCmd(t, "--json", p)
	var r audit.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != 0 || !r.OK || r.NoticeID != s.notice.ID {
		t.Fatalf("--json: exit %d, %v, %+v", code, err, r)
	}
	if *updateAudit {
		s.writeFixtures(b)
	}
}

// writeFixtures saves a bundle and a certificate for audit's tests and
// fuzz seeds: go test ./cmd/lre -run TestVerifyBundleRoundTrip -update-audit
func (s *story) writeFixtures(bundle []byte) {
	pdf, err := s.svc.Evidence.CertificatePDF(context.Background(), s.sender, s.notice.ID, core.CertReceipt)
	if err != nil {
		s.t.Fatal(err)
	}
	for name, b := range map[string][]byte{"evidence.zip": bundle, "receipt.pdf": pdf, "earlier-checkpoint.txt": s.earlier.Note} {
		if err := os.WriteFile(filepath.Join("..", "..", "testdata", "audit", name), b, 0o644); err != nil {
			s.t.Fatal(err)
		}
	}
}

func TestVerifyCertificatePDF(t *testing.T) {
	s := newStory(t)
	pdf, err := s.svc.Evidence.CertificatePDF(context.Background(), s.sender, s.notice.ID, core.CertReceipt)
	if err != nil {
		t.Fatal(err)
	}
	out, code := runVerifyCmd(t, writeTemp(t, "receipt.pdf", pdf))
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, want := range []string{"certificate PDF of letter " + s.notice.ID, "accepted 20", "this certificate was sealed by", "checked against their own signer certificate", "[skip]"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report does not say %q:\n%s", want, out)
		}
	}
	pdf[len(pdf)/3] ^= 0x01
	if _, code := runVerifyCmd(t, writeTemp(t, "bad.pdf", pdf)); code == 0 {
		t.Error("a modified certificate verified")
	}
}

// rezip rewrites a bundle after mutate changed some of its files.
func rezip(t *testing.T, b []byte, mutate func(files map[string][]byte)) []byte {
	t.Helper()
	bd, err := audit.ReadBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	mutate(bd.Files)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range bd.Names {
		if content, ok := bd.Files[name]; ok {
			w, _ := zw.Create(name)
			w.Write(content)
		}
	}
	zw.Close()
	return buf.Bytes()
}

// flipIn flips one bit of the byte at offset off of f (negative: from the end).
func flipIn(files map[string][]byte, name string, off int) {
	b := bytes.Clone(files[name])
	if off < 0 {
		off += len(b)
	}
	b[off] ^= 0x01
	files[name] = b
}

func editJSON(t *testing.T, files map[string][]byte, name string, edit func(v map[string]any)) {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(files[name], &v); err != nil {
		t.Fatal(err)
	}
	edit(v)
	files[name], _ = json.Marshal(v)
}

func TestVerifyDetectsTampering(t *testing.T) {
	s := newStory(t)
	b := s.bundle(0)
	doc := evidence.BundleDocumentsDir + "01-contrat.pdf"
	cases := []struct {
		name   string
		mutate func(files map[string][]byte)
		kind   audit.Kind
	}{
		{"a byte of a document", func(f map[string][]byte) { flipIn(f, doc, 10) }, audit.KindDocumentDigest},
		{"a byte of the manifest", func(f map[string][]byte) {
			f[evidence.BundleManifest] = bytes.Replace(f[evidence.BundleManifest], []byte("Mise en demeure"), []byte("Mise en Demeure"), 1)
		}, audit.KindDocumentDigest},
		{"a byte of the deposit token's signature", func(f map[string][]byte) { flipIn(f, evidence.BundleDepositToken, -2) }, audit.KindToken},
		{"a byte of an event", func(f map[string][]byte) {
			editJSON(t, f, evidence.BundleEvents, func(v map[string]any) {
				rec := v["Evidences"].([]any)[1].(map[string]any)["LogRecord"].(map[string]any)
				rec["CanonicalEvent"] = strings.Replace(rec["CanonicalEvent"].(string), "mx.test", "mx.example.org", 1)
			})
		}, audit.KindChain},
		{"an event's shown time", func(f map[string][]byte) {
			editJSON(t, f, evidence.BundleEvents, func(v map[string]any) {
				v["Evidences"].([]any)[2].(map[string]any)["EventTime"] = "2020-01-01T00:00:00Z"
			})
		}, audit.KindChain},
		{"a byte of a proof", func(f map[string][]byte) {
			editJSON(t, f, evidence.BundleProofs, func(v map[string]any) {
				hs := v["inclusion"].([]any)[0].(map[string]any)["hashes"].([]any)
				h := []byte(hs[0].(string))
				h[0] = "10"[min(1, int(h[0]-'0'))] // any other hex digit
				hs[0] = string(h)
			})
		}, audit.KindProof},
		{"a byte of the checkpoint", func(f map[string][]byte) {
			f[evidence.BundleCheckpoint] = bytes.Replace(f[evidence.BundleCheckpoint], []byte("evidence-log\n"), []byte("evidence-log\n1"), 1)
		}, audit.KindCheckpoint},
		{"the checkpoint's signature", func(f map[string][]byte) { flipIn(f, evidence.BundleCheckpoint, -5) }, audit.KindCheckpoint},
		{"a byte of a certificate PDF", func(f map[string][]byte) {
			name := evidence.BundleCertificatesDir + "receipt.pdf"
			pdf := f[name]
			i := bytes.Index(pdf, []byte("stream\n")) + 40
			flipIn(f, name, i)
		}, audit.KindSignature},
		{"the log key", func(f map[string][]byte) { f[evidence.BundleLogKey] = []byte("someone+00000000+AQ==\n") }, audit.KindCheckpoint},
		{"a missing manifest", func(f map[string][]byte) { delete(f, evidence.BundleManifest) }, audit.KindFormat},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, code := runVerifyCmd(t, writeTemp(t, "evidence.zip", rezip(t, b, c.mutate)))
			if code != c.kind.ExitCode() {
				t.Fatalf("exit %d, want %d (%s):\n%s", code, c.kind.ExitCode(), c.kind, out)
			}
		})
	}
	t.Run("truncated zip", func(t *testing.T) {
		if _, code := runVerifyCmd(t, writeTemp(t, "evidence.zip", b[:len(b)/2])); code != audit.KindFormat.ExitCode() {
			t.Fatalf("exit %d", code)
		}
	})
}

func TestVerifyAgainstEarlierCheckpoint(t *testing.T) {
	s := newStory(t)
	earlier := writeTemp(t, "earlier.txt", s.earlier.Note)
	if out, code := runVerifyCmd(t, writeTemp(t, "e.zip", s.bundle(s.earlier.Size)), "--checkpoint", earlier); code != 0 {
		t.Fatalf("with the consistency proof: exit %d:\n%s", code, out)
	}
	out, code := runVerifyCmd(t, writeTemp(t, "e.zip", s.bundle(0)), "--checkpoint", earlier)
	if code != audit.KindCheckpoint.ExitCode() || !strings.Contains(out, "?consistency_from=1") {
		t.Fatalf("without the consistency proof: exit %d:\n%s", code, out)
	}
	s.logNoise("later", 4)
	later, _, err := s.svc.Evidence.PublishCheckpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	laterFile := writeTemp(t, "later.txt", later.Note)
	if out, code := runVerifyCmd(t, writeTemp(t, "e.zip", s.bundle(later.Size)), "--checkpoint", laterFile); code != 0 {
		t.Fatalf("a later checkpoint, with the consistency proof: exit %d:\n%s", code, out)
	}
}

// An operator who rewrites the log in a copy of the data dir (records
// removed, others appended, checkpoints dropped) gets bundles that verify
// alone but not against a checkpoint an auditor saved before.
func TestVerifyDetectsRewrittenLog(t *testing.T) {
	s := newStory(t)
	s.logNoise("honest", 5)
	saved, _, err := s.svc.Evidence.PublishCheckpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s.db.Close()
	forged := copyTree(t, s.dir)
	rewindLog(t, forged, saved.Size-3)
	f := &story{t: t, sender: s.sender, notice: s.notice}
	f.open(forged)
	f.logNoise("forged", 6)
	b := f.bundle(saved.Size)
	if out, code := runVerifyCmd(t, writeTemp(t, "alone.zip", b)); code != 0 {
		t.Fatalf("the forged bundle should verify on its own: exit %d\n%s", code, out)
	}
	out, code := runVerifyCmd(t, writeTemp(t, "forged.zip", b), "--checkpoint", writeTemp(t, "saved.txt", saved.Note))
	if code != audit.KindCheckpoint.ExitCode() || !strings.Contains(out, "the log was rewritten") {
		t.Fatalf("exit %d, want %d:\n%s", code, audit.KindCheckpoint.ExitCode(), out)
	}
}

func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if fi.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, fi.Mode())
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// rewindLog drops the records after keep and every checkpoint, keeping the
// store otherwise consistent: what an operator rewriting history would do.
func rewindLog(t *testing.T, dir string, keep uint64) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, "lre.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		ev, meta := tx.Bucket([]byte("events")), tx.Bucket([]byte("meta"))
		for seq := ev.Sequence(); seq > keep; seq-- {
			if err := ev.Delete(binary.BigEndian.AppendUint64(nil, seq)); err != nil {
				return err
			}
		}
		rec := ev.Get(binary.BigEndian.AppendUint64(nil, keep))
		if err := meta.Put([]byte("log_head"), append(binary.BigEndian.AppendUint64(nil, keep), rec[32:64]...)); err != nil {
			return err
		}
		if err := meta.Put([]byte("tlog_size"), binary.BigEndian.AppendUint64(nil, keep)); err != nil {
			return err
		}
		if err := tx.DeleteBucket([]byte("checkpoints")); err != nil {
			return err
		}
		if _, err := tx.CreateBucket([]byte("checkpoints")); err != nil {
			return err
		}
		return ev.SetSequence(keep)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestBundleTokensVerifyWithOpenSSL runs the README's commands.
func TestBundleTokensVerifyWithOpenSSL(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("openssl is missing on CI")
		}
		t.Skip("openssl not installed")
	}
	s := newStory(t)
	bd, err := audit.ReadBundle(s.bundle(0))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, content := range bd.Files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"ts", "-verify", "-data", "manifest.json", "-in", "deposit.tsr", "-CAfile", "tsa-chain.pem"},
		{"ts", "-verify", "-data", "checkpoint.txt", "-in", "checkpoint.tsr", "-CAfile", "tsa-chain.pem"},
	} {
		readme := string(bd.Files[evidence.BundleReadme])
		if !strings.Contains(readme, "openssl "+strings.Join(args, " ")) {
			t.Errorf("README.txt does not give the command openssl %s", strings.Join(args, " "))
		}
		cmd := exec.Command("openssl", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Verification: OK") {
			t.Errorf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

func TestVerifyUsage(t *testing.T) {
	if out, code := runVerifyCmd(t); code != 2 || !strings.Contains(out, "Exit codes:") {
		t.Errorf("no file: exit %d\n%s", code, out)
	}
	if _, code := runVerifyCmd(t, "a", "b"); code != 2 {
		t.Errorf("two files: exit %d", code)
	}
	if _, code := runVerifyCmd(t, filepath.Join(t.TempDir(), "missing.zip")); code != 1 {
		t.Errorf("missing file: exit %d", code)
	}
	out, code := runVerifyCmd(t, writeTemp(t, "x.txt", []byte("hello")))
	if code != audit.KindFormat.ExitCode() || !strings.Contains(out, "neither an evidence bundle") {
		t.Errorf("text file: exit %d\n%s", code, out)
	}
	var help bytes.Buffer
	run(context.Background(), []string{"verify", "--help"}, io.Discard, &help)
	for _, k := range audit.Kinds {
		if !strings.Contains(help.String(), string(k)) {
			t.Errorf("--help does not document exit code of %s", k)
		}
	}
}

// lre log verify recomputes the tree and checks every checkpoint's root
// and signature with the key in DATA/log.
func TestLogVerifyChecksCheckpoints(t *testing.T) {
	s := newStory(t)
	s.logNoise("more", 3)
	if _, _, err := s.svc.Evidence.PublishCheckpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.db.Close()
	out, _, err := runCLI(t, "log", "verify", "--data", s.dir)
	if err != nil || !strings.Contains(out, "transparency log OK: tree recomputed, 2 checkpoints") {
		t.Fatalf("log verify: %v\n%s", err, out)
	}
	other := t.TempDir()
	if _, err := keyfile.LoadOrCreateLogSigner(other, "someone-else", rand.Reader); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"checkpoint.key", "checkpoint.pub"} {
		b, _ := os.ReadFile(filepath.Join(other, f))
		if err := os.WriteFile(filepath.Join(s.dir, "log", f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if out, _, err := runCLI(t, "log", "verify", "--data", s.dir); err == nil || !strings.Contains(err.Error(), "checkpoint 1") {
		t.Fatalf("checkpoints accepted under another key: %v\n%s", err, out)
	}
}
