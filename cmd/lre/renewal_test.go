package main

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/audit"
	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/internal/lretest"
	"github.com/lre-project/lre/rfc3161"
	"github.com/lre-project/lre/storage"
	"github.com/lre-project/lre/web"
)

const margin = 180 * 24 * time.Hour

// renewalApp wires, over the story's store and key directories, what lre
// serve wires for renewal and publication, on clock: the authority and the
// seal with the renewal margin, the renderer and renewer, the transparency
// log, and the live chains that certs.pem and bundles read.
func renewalApp(t *testing.T, s *story, clock *lretest.Clock) *app {
	t.Helper()
	a := lretest.AuthorityIn(t, filepath.Join(s.dir, "tsa"), clock.Now, rfc3161.WithCRLURL("https://lre.test/api/v1/tsa/crl"), rfc3161.WithRenewBefore(margin))
	seal, err := certs.LoadOrCreateSeal(filepath.Join(s.dir, "seal"), "lre test", clock.Now, rand.Reader,
		certs.WithCRLURL("https://lre.test/api/v1/seal/crl"), certs.WithRenewBefore(margin))
	if err != nil {
		t.Fatal(err)
	}
	p := pki{seal: seal, authority: a}
	ts := rfc3161.NewLocal(a)
	r := certs.NewRenderer(seal, ts, certs.WithClock(clock.Now), certs.WithValidationData(validationData(a, p.tsaPEM)))
	svc := lretest.Build(t, lretest.Fixture{DB: s.db, Authority: a, Clock: clock, NoSender: true},
		services.WithProvider(core.Provider{Name: "lre test", FromEmail: "noreply@lre.test"}),
		services.WithEvidence(evidence.WithRenderer(r), evidence.WithRenewal(certs.NewRenewer(r, margin), s.db),
			evidence.WithETSIEvidence(certs.NewEvidenceSigner(seal, clock.Now, rand.Reader), s.db),
			evidence.WithTransparencyLog(s.db, s.signer), evidence.WithAuditMaterial(evidence.AuditMaterial{Live: p.chains}))).Svc
	return &app{pki: p, svc: svc}
}

// get fetches url from the real HTTP server.
func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(b)
}

func pemOf(c *x509.Certificate) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
}

// TestRenewalTenYearsAhead: near the end of the authority's certificate,
// the renewal rotates the authority's and the seal's keys (every
// generation still served by certs.pem over HTTP and shipped in bundles),
// re-time-stamps the stored certificate and adds an archive token to every
// checkpoint. lre verify --at ten years after issue then passes for the
// refreshed certificate and bundle, and fails for the copies kept from
// before the renewal, whose only time-stamp certificates have expired.
func TestRenewalTenYearsAhead(t *testing.T) {
	s := newStory(t)
	ctx := context.Background()
	issued, err := s.svc.Evidence.CertificatePDF(ctx, s.sender, s.notice.ID, core.CertReceipt)
	if err != nil {
		t.Fatal(err)
	}
	oldBundle := s.bundle(0)
	clock := lretest.NewClock(time.Now())
	a := renewalApp(t, s, clock)
	srv := httptest.NewServer(web.NewServer(a.svc, web.Config{Chains: a.pki.chains}))
	defer srv.Close()
	if summary, err := a.renew(ctx, clock.Now(), false); err != nil || summary != "seal renewed: false, time-stamping authority renewed: false, certificates re-time-stamped: 0, checkpoints re-time-stamped: 0" {
		t.Fatalf("renewal right after issue: %q, %v; want nothing renewed", summary, err)
	}
	oldTSA := a.pki.authority.Certificates()[0]
	oldSeal := a.pki.seal.Certificate()
	checkpoints, err := s.db.CheckpointsAfter(ctx, 0, 100)
	if err != nil || len(checkpoints) < 2 {
		t.Fatalf("the story published %d checkpoints (%v), want at least 2", len(checkpoints), err)
	}
	stored, err := s.db.CertificatesAfter(ctx, evidence.CertificateRef{}, 100)
	if err != nil || len(stored) < 2 {
		t.Fatalf("%d certificates stored (%v), want the receipt and those the bundle carries", len(stored), err)
	}

	clock.Set(oldTSA.NotAfter.Add(-90 * 24 * time.Hour)) // inside the 180-day margin
	summary, err := a.renew(ctx, clock.Now(), false)
	if err != nil {
		t.Fatal(err)
	}
	want := "seal renewed: true, time-stamping authority renewed: true, certificates re-time-stamped: " + strconv.Itoa(len(stored)) + ", checkpoints re-time-stamped: " + strconv.Itoa(len(checkpoints))
	if summary != want {
		t.Fatalf("renewal near the end: %q, want %q", summary, want)
	}
	newTSA, newSeal := a.pki.authority.Certificates()[0], a.pki.seal.Certificate()
	if newTSA.Equal(oldTSA) || newSeal.Equal(oldSeal) {
		t.Fatal("the renewal kept the old TSA or seal certificate as the current one")
	}
	refreshed, err := a.svc.Evidence.EvidenceBundle(ctx, s.sender, s.notice.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	bd, err := audit.ReadBundle(refreshed)
	if err != nil {
		t.Fatal(err)
	}
	for _, pub := range []struct{ name, served, shipped string }{
		{"TSA", get(t, srv.URL+"/api/v1/tsa/certs.pem"), string(bd.Files[evidence.BundleTSAChain])},
		{"seal", get(t, srv.URL+"/api/v1/seal/certs.pem"), string(bd.Files[evidence.BundleSeal])},
	} {
		gens := map[string][]*x509.Certificate{"TSA": {oldTSA, newTSA}, "seal": {oldSeal, newSeal}}[pub.name]
		for i, c := range gens {
			if !strings.Contains(pub.served, pemOf(c)) || !strings.Contains(pub.shipped, pemOf(c)) {
				t.Errorf("%s generation %d: served by certs.pem %v, shipped in the bundle %v; want both", pub.name, i+1, strings.Contains(pub.served, pemOf(c)), strings.Contains(pub.shipped, pemOf(c)))
			}
		}
	}
	if _, ok := bd.Files[evidence.BundleArchiveToken(1)]; !ok {
		t.Fatalf("the refreshed bundle has no %s: %v", evidence.BundleArchiveToken(1), bd.Names)
	}
	if summary, _ := a.renew(ctx, clock.Now(), false); !strings.HasSuffix(summary, "certificates re-time-stamped: 0, checkpoints re-time-stamped: 0") {
		t.Errorf("a second run renewed again: %s", summary)
	}

	renewed, err := s.db.StoredCertificate(ctx, s.notice.ID, core.CertReceipt)
	if err != nil {
		t.Fatal(err)
	}
	if len(renewed) <= len(issued) || string(renewed[:len(issued)]) != string(issued) {
		t.Fatal("the renewed certificate does not keep the issued bytes")
	}
	later := oldTSA.NotBefore.AddDate(10, 1, 0).Format(time.RFC3339) // ten years and a month after issue
	for _, c := range []struct {
		name    string
		data    []byte
		code    int
		contain string
	}{
		{"refreshed certificate", renewed, 0, "document time-stamp 20"},
		{"refreshed bundle", refreshed, 0, "1 archive token(s)"},
		{"never refreshed certificate", issued, 4, "expired"},
		{"never refreshed bundle", oldBundle, 4, "no archive token renews it"},
	} {
		out, code := runVerifyCmd(t, writeTemp(t, "proof", c.data), "--at", later)
		if code != c.code || !strings.Contains(out, c.contain) {
			t.Errorf("%s --at %s: exit %d, want %d saying %q:\n%s", c.name, later, code, c.code, c.contain, out)
		}
	}
	swapped := rezip(t, refreshed, func(f map[string][]byte) { f[evidence.BundleArchiveToken(1)] = f[evidence.BundleCheckpointToken] })
	if out, code := runVerifyCmd(t, writeTemp(t, "proof", swapped), "--at", later); code == 0 || !strings.Contains(out, "checkpoint-archive-1.tsr does not time-stamp checkpoint.txt") {
		t.Errorf("an archive token over other data: exit %d\n%s", code, out)
	}
	for name, b := range map[string][]byte{"issued certificate": issued, "old bundle": oldBundle, "refreshed bundle": refreshed} {
		if out, code := runVerifyCmd(t, writeTemp(t, "proof", b)); code != 0 {
			t.Errorf("without --at the %s verifies at its tokens' own times: exit %d\n%s", name, code, out)
		}
	}
	if readmeToolsPresent(t) {
		// deposit.tsr and checkpoint.tsr at their own times, then checkpoint.tsr
		// as of its archive token and the archive token itself
		if out, err := runReadme(t, bd.Files); err != nil || strings.Count(out, "Verification: OK") != 4 {
			t.Errorf("the refreshed bundle's README run as written: %v\n%s\n--- README.txt\n%s", err, out, bd.Files[evidence.BundleReadme])
		}
	}
}

// readmeToolsPresent reports whether the bundle README's tools are
// installed; on CI a missing one fails the test.
func readmeToolsPresent(t *testing.T) bool {
	for _, tool := range readmeTools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is missing on CI", tool)
			}
			return false
		}
	}
	return true
}

// TestEvidenceRefreshRotate runs lre evidence refresh as an operator does,
// over the data directory of a letter that went all the way: without
// --rotate nothing is due; with it the seal and the embedded authority get
// new keys and certificates, every earlier generation stays what they
// publish, and every stored certificate and checkpoint gets a time-stamp
// from the new authority key, after which the certificate still verifies.
func TestEvidenceRefreshRotate(t *testing.T) {
	s := newStory(t)
	ctx := context.Background()
	if _, err := s.svc.Evidence.CertificatePDF(ctx, s.sender, s.notice.ID, core.CertReceipt); err != nil {
		t.Fatal(err)
	}
	checkpoints, err := s.db.CheckpointsAfter(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	s.db.Close()
	refresh := func(args ...string) string {
		t.Helper()
		out, _, err := runCLI(t, append([]string{"evidence", "refresh", "--data", s.dir, "--provider-name", "lre test", "--provider-address", "1 rue de la Paix, 75002 Paris", "--base-url", "https://lre.test", "--smtp", "127.0.0.1:1"}, args...)...)
		if err != nil {
			t.Fatalf("lre evidence refresh %v: %v", args, err)
		}
		return out
	}
	if out := refresh(); !strings.Contains(out, "seal renewed: false, time-stamping authority renewed: false, certificates re-time-stamped: 0, checkpoints re-time-stamped: 0") {
		t.Errorf("refresh with nothing due: %s", out)
	}
	for range 2 {
		want := "seal renewed: true, time-stamping authority renewed: true, certificates re-time-stamped: 1, checkpoints re-time-stamped: " + strconv.Itoa(len(checkpoints))
		if out := refresh("--rotate"); !strings.Contains(out, want) {
			t.Errorf("refresh --rotate: %s, want %s", out, want)
		}
	}
	seal, err := certs.LoadOrCreateSeal(filepath.Join(s.dir, "seal"), "lre test", time.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	a, err := rfc3161.LoadOrCreateAuthority(filepath.Join(s.dir, "tsa"), "lre test", time.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(seal.Previous()); n != 2 {
		t.Errorf("%d earlier seal generations kept, want 2", n)
	}
	if n := strings.Count(string(a.GenerationsPEM()), "BEGIN CERTIFICATE"); n != 4 {
		t.Errorf("the authority publishes %d certificates, want its root and 3 signer generations", n)
	}
	db := openStory(t, s.dir)
	pdf, err := db.StoredCertificate(ctx, s.notice.ID, core.CertReceipt)
	if err != nil {
		t.Fatal(err)
	}
	if out, code := runVerifyCmd(t, writeTemp(t, "receipt.pdf", pdf)); code != 0 || strings.Count(out, "document time-stamp 20") != 3 {
		t.Errorf("the twice re-time-stamped certificate: exit %d, want 0 with three document time-stamps:\n%s", code, out)
	}
	cp, err := db.Checkpoint(ctx, checkpoints[0].Size)
	if err != nil || len(cp.Archive) != 2 || cp.Archive[1].Serial == cp.Archive[0].Serial {
		t.Errorf("checkpoint %d after two rotations: %d archive tokens, %v; want 2", checkpoints[0].Size, len(cp.Archive), err)
	}
}

// openStory reopens the store of a story's data directory.
func openStory(t *testing.T, dir string) *storage.DB {
	t.Helper()
	db, err := storage.Open(dir, storage.Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
