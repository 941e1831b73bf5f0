package audit_test

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lre-project/lre/audit"
	"github.com/lre-project/lre/core/evidence"
)

// The fixtures are a real bundle and certificate, written by
// go test ./cmd/lre -run TestVerifyBundleRoundTrip -update-audit.
const fixtures = "../testdata/audit"

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVerifyFixtures(t *testing.T) {
	for _, name := range []string{"evidence.zip", "receipt.pdf"} {
		r := audit.Verify(fixture(t, name), audit.Options{})
		if !r.OK || r.ExitCode() != 0 || len(r.Proves) == 0 {
			var b strings.Builder
			r.WriteText(&b)
			t.Errorf("%s:\n%s", name, b.String())
		}
	}
}

func TestEarlierCheckpointNeedsConsistencyProof(t *testing.T) {
	r := audit.Verify(fixture(t, "evidence.zip"), audit.Options{EarlierCheckpoint: fixture(t, "earlier-checkpoint.txt")})
	if r.OK || r.Failed[0] != audit.KindCheckpoint {
		t.Fatalf("failed %v, want checkpoint", r.Failed)
	}
	// A checkpoint of another log does not open with the bundle's key.
	r = audit.Verify(fixture(t, "evidence.zip"), audit.Options{EarlierCheckpoint: fixture(t, "checkpoint.txt")})
	if r.OK || r.Failed[0] != audit.KindCheckpoint {
		t.Fatalf("failed %v, want checkpoint", r.Failed)
	}
}

func TestExitCodesAreDistinct(t *testing.T) {
	seen := map[int]audit.Kind{}
	for _, k := range audit.Kinds {
		c := k.ExitCode()
		if c < 3 || seen[c] != "" {
			t.Errorf("%s has exit code %d (taken by %q)", k, c, seen[c])
		}
		seen[c] = k
	}
}

func TestPDFAttachmentsOfACertificate(t *testing.T) {
	atts, err := audit.PDFAttachments(fixture(t, "receipt.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	bd, err := audit.ReadBundle(fixture(t, "evidence.zip"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]byte{}
	for _, a := range atts {
		got[a.Name] = a.Data
	}
	if !bytes.Equal(got["manifest.json"], bd.Files[evidence.BundleManifest]) || !bytes.Equal(got["timestamp.tsr"], bd.Files[evidence.BundleDepositToken]) {
		t.Errorf("attachments %d: manifest or token differ from the bundle's", len(atts))
	}
	if !bytes.Contains(got["events.json"], []byte("ConsignmentAcceptance")) {
		t.Error("events.json does not hold the attested event")
	}
}

// pdfWith writes a minimal PDF whose name tree holds one file, in a leaf
// node under /Kids, compressed when flate is set: shapes certs does not
// write but that the reader accepts.
func pdfWith(name string, content []byte, flate bool) []byte {
	stream, filter := content, ""
	if flate {
		var z bytes.Buffer
		w := zlib.NewWriter(&z)
		w.Write(content)
		w.Close()
		stream, filter = z.Bytes(), " /Filter /FlateDecode"
	}
	objs := []string{
		"<< /Type /Catalog /Names << /EmbeddedFiles 2 0 R >> >>",
		"<< /Kids [3 0 R] >>",
		fmt.Sprintf("<< /Names [(%s) 4 0 R] >>", name),
		"<< /Type /Filespec /F (" + name + ") /EF << /F 5 0 R >> >>",
		fmt.Sprintf("<< /Type /EmbeddedFile /Length 6 0 R%s >>\nstream\n%s\nendstream", filter, stream),
		fmt.Sprint(len(stream)),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offsets := []int{}
	for i, o := range objs {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

func TestPDFAttachmentsShapes(t *testing.T) {
	for _, flate := range []bool{false, true} {
		atts, err := audit.PDFAttachments(pdfWith("a.txt", []byte("hello (world)"), flate))
		if err != nil || len(atts) != 1 || atts[0].Name != "a.txt" || string(atts[0].Data) != "hello (world)" {
			t.Errorf("flate %v: %+v, %v", flate, atts, err)
		}
	}
	bad := map[string][]byte{
		"not a PDF":        []byte("hello"),
		"no startxref":     []byte("%PDF-1.7\n"),
		"xref loop":        []byte("%PDF-1.7\nxref\n0 0\ntrailer\n<< /Prev 9 >>\nstartxref\n9\n%%EOF"),
		"deep nesting":     []byte("%PDF-1.7\nxref\n0 0\ntrailer\n" + strings.Repeat("[", 100) + "\nstartxref\n9\n%%EOF"),
		"unsigned sig":     pdfWith("a", nil, false)[:40],
		"huge xref counts": []byte("%PDF-1.7\nxref\n0 99999999\ntrailer\n<<>>\nstartxref\n9\n%%EOF"),
	}
	for name, b := range bad {
		if _, err := audit.PDFAttachments(b); err == nil {
			t.Errorf("%s: read without error", name)
		}
	}
}

func TestReadBundleRefusesUnsafeZips(t *testing.T) {
	for name, entries := range map[string][]string{
		"path traversal": {"../etc/passwd"},
		"absolute path":  {"/etc/passwd"},
		"duplicate":      {"a.txt", "a.txt"},
		"backslash":      {`documents\..\x`},
	} {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, e := range entries {
			w, _ := zw.Create(e)
			w.Write([]byte("x"))
		}
		zw.Close()
		if _, err := audit.ReadBundle(buf.Bytes()); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestReportWithoutInput(t *testing.T) {
	r := audit.Verify(nil, audit.Options{})
	if r.OK || r.ExitCode() != audit.KindFormat.ExitCode() {
		t.Errorf("empty input: %+v", r)
	}
}

func FuzzReadBundle(f *testing.F) {
	f.Add(fixture(f, "evidence.zip"))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range []string{evidence.BundleIndexFile, evidence.BundleManifest, evidence.BundleEvents} {
		w, _ := zw.Create(n)
		w.Write([]byte(`{"notice_id":"x"}`))
	}
	zw.Close()
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		bd, err := audit.ReadBundle(b)
		if err != nil {
			return
		}
		for name := range bd.Files {
			if strings.HasPrefix(name, "/") || slices.Contains(strings.Split(name, "/"), "..") {
				t.Fatalf("unsafe name %q accepted", name)
			}
		}
		if r := audit.Verify(b, audit.Options{}); r.OK && len(r.Checks) < 5 {
			t.Fatalf("a bundle passed %d checks only", len(r.Checks))
		}
	})
}

func FuzzPDFAttachments(f *testing.F) {
	f.Add(fixture(f, "receipt.pdf"))
	f.Add(pdfWith("manifest.json", []byte(`{"notice_id":"x"}`), false))
	f.Add(pdfWith("events.json", []byte(`{}`), true))
	f.Fuzz(func(t *testing.T, b []byte) {
		atts, err := audit.PDFAttachments(b)
		if err == nil && len(atts) > 64 {
			t.Fatalf("%d attachments", len(atts))
		}
		audit.Verify(b, audit.Options{})
	})
}
