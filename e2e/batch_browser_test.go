package e2e_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// batchRows is the size of the syndic's convocation: a real building.
const batchRows = 300

// TestBrowserBatch plays a syndic convening 300 co-owners to a general
// assembly: in headless Chromium, against the real binary and a real SMTP
// server, they upload the co-owners' CSV (semicolons and a BOM, as a French
// spreadsheet writes it) with the convocation attached, check the preview,
// send, read the batch's page and download the proofs; every row has its
// own letter, its own notification and its own proof of deposit.
func TestBrowserBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	chromium := needTool(t, "chromium")
	needTool(t, "pdftotext")
	b := startBrowser(t, chromium)
	s := startSite(t)
	deadline := time.Now().Add(4 * time.Minute)

	dir := t.TempDir()
	csvPath := filepath.Join(dir, "coproprietaires.csv")
	var rows strings.Builder
	rows.WriteString("\ufeffname;email;reference\r\n")
	for i := 1; i <= batchRows; i++ {
		fmt.Fprintf(&rows, "\"Copropriétaire %03d; lot %d\";owner%03d@example.com;LOT-%03d\r\n", i, i, i, i)
	}
	if err := os.WriteFile(csvPath, []byte(rows.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	file, fileSHA := newAttachment(t, "convocation-AG-2027.pdf")

	syndic := openTab(t, b, "syndic", deadline)
	syndic.login(s.base, s.sender.email, s.sender.password)
	syndic.open(s.base+"/app/batches/new", http.StatusOK)
	syndic.fill("#subject", "Convocation à l’assemblée générale du 12 mars 2027")
	syndic.do("write the convocation",
		chromedp.SetValue(chromedp.CSS("#body"), "Madame, Monsieur,\nvous êtes convoqué(e) à l’assemblée générale des copropriétaires.\n"),
		chromedp.SetUploadFiles(chromedp.CSS("#recipients"), []string{csvPath}),
		chromedp.SetUploadFiles(chromedp.CSS("#attachments"), []string{file}),
	)
	syndic.submit("#batch-preview", http.StatusOK)
	if got := syndic.text("#rows-title"); !strings.Contains(got, fmt.Sprint(batchRows)) {
		t.Fatalf("the preview announces %q, want %d recipients", got, batchRows)
	}
	if got := syndic.text("tr.batch-row td:nth-child(2)"); !strings.Contains(got, "Copropriétaire 001; lot 1") {
		t.Errorf("the preview's first row reads %q", got)
	}
	began := time.Now()
	syndic.submit("#batch-send", http.StatusOK)
	t.Logf("%d letters deposited in %s", batchRows, time.Since(began).Round(time.Millisecond))
	batchID := syndic.text("#batch-id")
	if !strings.HasPrefix(batchID, "BATCH-") || syndic.location() != s.base+"/app/batches/"+batchID {
		t.Fatalf("after sending the browser is on %s showing %q", syndic.location(), batchID)
	}
	if n := syndic.count(`a[href^="/app/letters/LRE-"]`); n != batchRows {
		t.Fatalf("the batch page links %d letters, want %d", n, batchRows)
	}

	index, pdfs := readProofs(t, syndic.download("#batch-proofs"))
	if len(index) != batchRows+1 || len(pdfs) != batchRows {
		t.Fatalf("proofs.zip: %d index lines, %d deposit proofs; want %d rows", len(index)-1, len(pdfs), batchRows)
	}
	seen := map[string]bool{}
	for i, rec := range index[1:] {
		line, email, letter := rec[0], rec[1], rec[4]
		if line != fmt.Sprint(i+2) || email != fmt.Sprintf("owner%03d@example.com", i+1) || seen[letter] || pdfs[letter] == nil {
			t.Fatalf("letters.csv row %d = %q (duplicate or without proof)", i+1, rec)
		}
		seen[letter] = true
	}
	last := index[batchRows][4]
	text := pdfText(t, pdfs[last])
	for _, want := range []string{last, "owner300@example.com", fileSHA} {
		if !strings.Contains(text, want) {
			t.Errorf("the proof of deposit of %s lacks %q", last, want)
		}
	}
	for len(s.sink.messages()) < batchRows {
		if time.Now().After(deadline) {
			t.Fatalf("%d notifications reached the SMTP server, want %d", len(s.sink.messages()), batchRows)
		}
		time.Sleep(100 * time.Millisecond)
	}
	notified(t, deadline, s, last)
}

// readProofs unzips a batch's proofs: letters.csv's records and each
// letter's proof of deposit.
func readProofs(t *testing.T, b []byte) ([][]string, map[string][]byte) {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("proofs.zip: %v", err)
	}
	var index [][]string
	pdfs := map[string][]byte{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		_, err = buf.ReadFrom(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("proofs.zip %s: %v", f.Name, err)
		}
		switch {
		case f.Name == "letters.csv":
			if index, err = csv.NewReader(&buf).ReadAll(); err != nil {
				t.Fatalf("letters.csv: %v", err)
			}
		case strings.HasSuffix(f.Name, "/deposit.pdf"):
			pdfs[strings.TrimSuffix(f.Name, "/deposit.pdf")] = buf.Bytes()
		}
	}
	return index, pdfs
}
