package main

import (
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lre-project/lre/audit"
	"github.com/lre-project/lre/core"
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
	if err := json.Unmarshal(b.Files[core.BundleEvents], &events); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var files []string
	kinds := map[string]bool{}
	for _, e := range events.Evidences {
		name := core.ETSIFileName(e.LogRecord.Seq, core.EventType(path.Base(e.EventURI)))
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
		if strings.HasPrefix(n, core.BundleETSIDir) && string(again.Files[n]) != string(b.Files[n]) {
			t.Errorf("%s changed between two downloads", n)
		}
	}
}
