package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/audit"
	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/internal/etsicheck"
)

// TestBundleETSIEvidence follows a real letter (deposit, notification,
// identification, acceptance, download) through the wired service: its
// bundle holds one sealed ETSI evidence per event, named
// etsi/<seq>-<EventName>.json, which python3-jsonschema and
// python3-jwcrypto accept; a second download serves the same bytes.
func TestBundleETSIEvidence(t *testing.T) {
	s := newStory(t)
	b, err := audit.ReadBundle(s.bundle(0))
	if err != nil {
		t.Fatal(err)
	}
	var events struct {
		Evidences []struct {
			LogRecord struct{ Seq uint64 } `json:"LogRecord"`
			EventURI  string               `json:"EventURI"`
		} `json:"Evidences"`
	}
	if err := json.Unmarshal(b.Files[evidence.BundleEvents], &events); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var files []string
	kinds := map[string]bool{}
	for _, e := range events.Evidences {
		name := evidence.ETSIFileName(e.LogRecord.Seq, core.EventType(path.Base(e.EventURI)))
		data, ok := b.Files[name]
		if !ok {
			t.Fatalf("the bundle has no %s (files: %v)", name, b.Names)
		}
		f := filepath.Join(dir, path.Base(name))
		if err := os.WriteFile(f, data, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
		kinds[path.Base(e.EventURI)] = true
	}
	for _, want := range []string{"SubmissionAcceptance", "NotificationForAcceptance", "ConsignmentAcceptance", "ContentHandover"} {
		if !kinds[want] {
			t.Errorf("the story has no %s event: %v", want, kinds)
		}
	}
	out, ok := etsicheck.Check(t, files...)
	if !ok || strings.Count(out, "OK ") != len(files) {
		t.Fatalf("independent check failed:\n%s", out)
	}
	again, _ := audit.ReadBundle(s.bundle(0))
	for _, n := range b.Names {
		if strings.HasPrefix(n, evidence.BundleETSIDir) && string(again.Files[n]) != string(b.Files[n]) {
			t.Errorf("%s changed between two downloads", n)
		}
	}
}

// TestVerifyETSIEvidence checks that lre verify refuses ETSI evidence that
// is changed, missing, misfiled, signed by someone else, or sealed by the
// provider's own key but saying something the chained events do not.
func TestVerifyETSIEvidence(t *testing.T) {
	s := newStory(t)
	b := s.bundle(0)
	bd, err := audit.ReadBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range bd.Names {
		if strings.HasPrefix(n, evidence.BundleETSIDir) {
			names = append(names, n)
		}
	}
	accept := names[2] // the ConsignmentAcceptance
	if !strings.HasSuffix(accept, "-ConsignmentAcceptance.json") {
		t.Fatalf("evidence files %v", names)
	}
	seal, err := certs.LoadOrCreateSeal(filepath.Join(s.dir, "seal"), "lre test", time.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, err := certs.LoadOrCreateSeal(filepath.Join(t.TempDir(), "seal"), "lre test", time.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// resign rewrites the acceptance's evidence, changed by edit, sealed by
	// the given seal's key.
	resign := func(with *certs.Seal, edit func(ev *evidence.ETSIEvidence)) func(map[string][]byte) {
		return func(f map[string][]byte) {
			var ev evidence.ETSIEvidence
			if err := json.Unmarshal(f[accept], &ev); err != nil {
				t.Fatal(err)
			}
			edit(&ev)
			out, err := evidence.SealETSIEvidence(context.Background(), certs.NewEvidenceSigner(with, time.Now, rand.Reader), ev)
			if err != nil {
				t.Fatal(err)
			}
			f[accept] = out
		}
	}
	cases := []struct {
		name   string
		mutate func(map[string][]byte)
		kind   audit.Kind
	}{
		{"a changed event time", func(f map[string][]byte) {
			f[accept] = bytes.Replace(f[accept], []byte(`"EventTime": "20`), []byte(`"EventTime": "19`), 1)
		}, audit.KindSignature},
		{"a missing evidence", func(f map[string][]byte) { delete(f, accept) }, audit.KindFormat},
		{"an evidence filed under another event", func(f map[string][]byte) { f[accept] = f[names[1]] }, audit.KindChain},
		{"re-sealed unchanged by another seal", resign(other, func(*evidence.ETSIEvidence) {}), audit.KindSignature},
		{"sealed by the provider's key but a stronger identification", resign(seal, func(ev *evidence.ETSIEvidence) {
			ev.RecipientDetails[0].AssuranceLevels.GlobalAssuranceLevel.AssuranceLevel = "http://eidas.europa.eu/LoA/high"
		}), audit.KindChain},
		{"sealed by the provider's key but another letter part", resign(seal, func(ev *evidence.ETSIEvidence) {
			ev.UserContentInfo.PartsInfo.PartInfo[1].DigestValue = "AAAA"
		}), audit.KindChain},
	}
	receipt := evidence.BundleCertificatesDir + string(core.CertReceipt) + ".pdf"
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The receipt attaches the original evidence: without it, the
			// bundle's own copy is what is checked.
			out, code := runVerifyCmd(t, writeTemp(t, "evidence.zip", rezip(t, b, func(f map[string][]byte) { c.mutate(f); delete(f, receipt) })))
			if code != c.kind.ExitCode() || !strings.Contains(out, "ETSI evidence") {
				t.Fatalf("exit %d, want %d (%s):\n%s", code, c.kind.ExitCode(), c.kind, out)
			}
		})
	}
	t.Run("control: re-sealed unchanged by the provider's key", func(t *testing.T) {
		out, code := runVerifyCmd(t, writeTemp(t, "evidence.zip", rezip(t, b, func(f map[string][]byte) { resign(seal, func(*evidence.ETSIEvidence) {})(f); delete(f, receipt) })))
		if code != 0 {
			t.Fatalf("exit %d:\n%s", code, out)
		}
	})
	t.Run("the receipt attaches other evidence than the bundle's", func(t *testing.T) {
		out, code := runVerifyCmd(t, writeTemp(t, "evidence.zip", rezip(t, b, resign(seal, func(*evidence.ETSIEvidence) {}))))
		if code != audit.KindSignature.ExitCode() || !strings.Contains(out, "etsi-3-ConsignmentAcceptance.json differs") {
			t.Fatalf("exit %d:\n%s", code, out)
		}
	})
	t.Run("a bundle from before ETSI evidence", func(t *testing.T) {
		old := rezip(t, b, func(f map[string][]byte) {
			for n := range f {
				if strings.HasPrefix(n, evidence.BundleETSIDir) || strings.HasPrefix(n, evidence.BundleCertificatesDir) {
					delete(f, n)
				}
			}
		})
		out, code := runVerifyCmd(t, writeTemp(t, "evidence.zip", old))
		if code != 0 || !strings.Contains(out, "[skip] signature        ETSI evidence: none") {
			t.Fatalf("exit %d:\n%s", code, out)
		}
	})
	t.Run("the receipt's own evidence", func(t *testing.T) {
		pdf, err := s.svc.Evidence.CertificatePDF(context.Background(), s.sender, s.notice.ID, core.CertReceipt)
		if err != nil {
			t.Fatal(err)
		}
		out, code := runVerifyCmd(t, writeTemp(t, "receipt.pdf", pdf))
		if code != 0 || !strings.Contains(out, "ETSI evidence: 1 evidence file(s) JAdES-sealed") {
			t.Fatalf("exit %d:\n%s", code, out)
		}
	})
}
