package main

import (
	"context"
	"crypto/rand"
	"encoding/pem"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/rfc3161"
)

// fakeClock is the time every renewal part reads: injected, never the
// process's clock faked.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

const margin = 180 * 24 * time.Hour

// renewalApp wires, over the story's store and key directories, what the
// serve loop's renewal uses, on clock.
func renewalApp(t *testing.T, s *story, clock *fakeClock) *app {
	t.Helper()
	a, err := rfc3161.LoadOrCreateAuthority(filepath.Join(s.dir, "tsa"), "lre test", clock.Now, rand.Reader,
		rfc3161.WithCRLURL("https://lre.test/api/v1/tsa/crl"), rfc3161.WithRenewBefore(margin))
	if err != nil {
		t.Fatal(err)
	}
	seal, err := certs.LoadOrCreateSeal(filepath.Join(s.dir, "seal"), "lre test", clock.Now, rand.Reader,
		certs.WithCRLURL("https://lre.test/api/v1/seal/crl"), certs.WithRenewBefore(margin))
	if err != nil {
		t.Fatal(err)
	}
	p := pki{seal: seal, authority: a}
	r := certs.NewRenderer(seal, rfc3161.NewLocal(a), certs.WithClock(clock.Now), certs.WithValidationData(validationData(a, p.tsaPEM)))
	svc := services.New(s.db, rfc3161.NewLocal(a),
		services.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
		services.WithEvidence(evidence.WithRenderer(r), evidence.WithRenewal(certs.NewRenewer(r, margin), s.db)))
	return &app{pki: p, svc: svc}
}

// TestRenewalTenYearsAhead: near the end of the authority's certificate,
// the renewal renews the authority's and the seal's keys (every generation
// still published) and re-time-stamps the stored certificate. lre verify
// --at ten years after issue then passes for it and fails for the copy kept
// from before the renewal, whose only time-stamp certificate has expired.
func TestRenewalTenYearsAhead(t *testing.T) {
	s := newStory(t)
	ctx := context.Background()
	issued, err := s.svc.Evidence.CertificatePDF(ctx, s.sender, s.notice.ID, core.CertReceipt)
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: time.Now()}
	a := renewalApp(t, s, clock)
	if summary, err := a.renew(ctx, clock.Now()); err != nil || !strings.Contains(summary, "re-time-stamped: 0") || strings.Contains(summary, "renewed: true") {
		t.Fatalf("renewal right after issue: %q, %v; want nothing renewed", summary, err)
	}
	oldTSA := a.pki.authority.Certificates()[0]
	oldSeal := a.pki.seal.Certificate()
	clock.Set(oldTSA.NotAfter.Add(-90 * 24 * time.Hour)) // inside the 180-day margin
	summary, err := a.renew(ctx, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if want := "seal renewed: true, time-stamping authority renewed: true, certificates re-time-stamped: 1"; summary != want {
		t.Fatalf("renewal near the end: %q, want %q", summary, want)
	}
	tsaPEM, sealPEM := a.pki.chains()
	for name, c := range map[string][]byte{"old TSA": oldTSA.Raw, "old seal": oldSeal.Raw} {
		if !strings.Contains(string(tsaPEM)+string(sealPEM), string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c}))) {
			t.Errorf("the %s certificate is no longer published", name)
		}
	}
	if summary, _ := a.renew(ctx, clock.Now()); !strings.Contains(summary, "re-time-stamped: 0") {
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
	out, code := runVerifyCmd(t, writeTemp(t, "renewed.pdf", renewed), "--at", later)
	if code != 0 || strings.Count(out, "document time-stamp 20") != 2 {
		t.Errorf("renewed certificate --at %s: exit %d, want 0 with two document time-stamps:\n%s", later, code, out)
	}
	out, code = runVerifyCmd(t, writeTemp(t, "issued.pdf", issued), "--at", later)
	if code != 4 || !strings.Contains(out, "expired") {
		t.Errorf("never renewed certificate --at %s: exit %d, want 4 (token) saying the certificate expired:\n%s", later, code, out)
	}
	if out, code := runVerifyCmd(t, writeTemp(t, "issued.pdf", issued)); code != 0 {
		t.Errorf("without --at the issued certificate still verifies at its own time: exit %d\n%s", code, out)
	}
}
