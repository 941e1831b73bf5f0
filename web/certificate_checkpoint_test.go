package web_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/lre-project/lre/core"
)

// A certificate names the checkpoint that includes its event, publishing
// one on demand when none covers it yet, and carries it as an attachment.
func TestCertificateCarriesCoveringCheckpoint(t *testing.T) {
	e := newAuditEnv(t)
	u, _ := e.user(t, "alice@example.org", "Cabinet", core.RoleSender)
	n := e.deposit(t, u, "bob@example.com")
	if _, err := e.svc.Evidence.LatestCheckpoint(context.Background()); core.ErrorCode(err) != core.ENOTFOUND {
		t.Fatalf("a checkpoint exists before any certificate: %v", err)
	}
	pdf, err := e.svc.Evidence.CertificatePDF(context.Background(), u, n.ID, core.CertDeposit)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := e.svc.Evidence.LatestCheckpoint(context.Background())
	if err != nil {
		t.Fatalf("no checkpoint was published for the certificate: %v", err)
	}
	evs, _ := e.svc.Letters.NoticeEvents(context.Background(), u, n.ID)
	if cp.Size < evs[0].Seq {
		t.Fatalf("checkpoint of size %d does not cover seq %d", cp.Size, evs[0].Seq)
	}
	if _, err := exec.LookPath("pdfdetach"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdfdetach (poppler-utils) is required in CI")
		}
		t.Skip("pdfdetach not installed")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "deposit.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdfdetach", "-saveall", "-o", dir, path).CombinedOutput(); err != nil {
		t.Fatalf("pdfdetach: %v\n%s", err, out)
	}
	got, err := os.ReadFile(filepath.Join(dir, "checkpoint.txt"))
	if err != nil {
		t.Fatalf("no checkpoint.txt attachment: %v", err)
	}
	if !bytes.Equal(got, cp.Note) {
		t.Fatalf("attached checkpoint differs from the published one of size %s", strconv.FormatUint(cp.Size, 10))
	}
}
