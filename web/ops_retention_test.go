package web_test

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/rfc3161"
)

// TestRetentionPurgeThenGone: an accepted letter's content is purged when
// its retention period ends; the log verifies, the manifest still hashes
// to the deposit digest, the token still verifies, ContentPurged is in the
// letter's events, and the recipient's download answers 410 Gone.
func TestRetentionPurgeThenGone(t *testing.T) {
	ctx := context.Background()
	s := newOpsSite(t, withService(services.WithLetters(core.WithRetention(20*time.Minute))))
	key := s.user(t, "Cabinet Dupont", core.RoleSender)
	pdf := append([]byte("%PDF-1.7\n"), make([]byte, 2000)...)
	id, m := s.notified(t, key, letterFields(), upload{"facture-42.pdf", "application/pdf", pdf})
	b := s.browser(t)
	token := b.identify(m.Link, "")
	want(t, "accept", b.decide(token, "accept"), http.StatusSeeOther)
	doc := "/r/" + token + "/documents/doc-01"
	if x := want(t, "download before purge", b.get(doc), http.StatusOK); x.body != string(pdf) {
		t.Fatalf("downloaded %d bytes, want the %d of the attachment", len(x.body), len(pdf))
	}

	s.clock.Add(21 * time.Minute)
	if n, err := s.svc.Letters.PurgeExpiredContent(ctx); err != nil || n != 1 {
		t.Fatalf("PurgeExpiredContent = %d, %v; want 1", n, err)
	}

	gone := b.get(doc)
	want(t, "download after purge", gone, http.StatusGone)
	if !strings.Contains(gone.header.Get("Content-Type"), "text/html") {
		t.Errorf("the recipient gets %s, want an HTML page", gone.header.Get("Content-Type"))
	}
	if strings.Contains(gone.body, "%PDF") {
		t.Errorf("the 410 page holds the document")
	}

	if _, err := s.db.VerifyLog(ctx); err != nil {
		t.Errorf("VerifyLog after purge: %v", err)
	}
	evs := s.events(t, key, id)
	if last := evs[len(evs)-1]; last.Type != string(core.EventContentPurged) || last.Details["reason"] != "retention_period_elapsed" {
		t.Errorf("last event = %+v, want ContentPurged", last)
	}
	manifest := want(t, "manifest", s.api(t, "GET", "/api/v1/notices/"+id+"/manifest.json", key, ""), http.StatusOK).body
	notice := decodeAs[struct {
		Digest string `json:"deposit_digest"`
	}](t, "notice", s.api(t, "GET", "/api/v1/notices/"+id, key, ""), http.StatusOK)
	sum := sha256.Sum256([]byte(manifest))
	if hex.EncodeToString(sum[:]) != notice.Digest {
		t.Errorf("manifest no longer hashes to the deposit digest %s", notice.Digest)
	}
	tsr := want(t, "token", s.api(t, "GET", "/api/v1/notices/"+id+"/timestamp.tsr", key, ""), http.StatusOK).body
	roots, inter := chainOf(t, want(t, "chain", s.api(t, "GET", "/api/v1/tsa/certs.pem", "", ""), http.StatusOK).body)
	if _, err := rfc3161.VerifyToken([]byte(tsr), sum[:], roots, inter); err != nil {
		t.Errorf("token after purge: %v", err)
	}
	if _, err := s.db.Content(ctx, id, "body"); core.ErrorCode(err) != core.EGONE {
		t.Errorf("stored body after purge: %v, want %s", err, core.EGONE)
	}
}

// chainOf splits a PEM chain into self-signed roots and the rest.
func chainOf(t testing.TB, chain string) (*x509.CertPool, []*x509.Certificate) {
	t.Helper()
	roots := x509.NewCertPool()
	var inter []*x509.Certificate
	rest := []byte(chain)
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		if c.CheckSignatureFrom(c) == nil {
			roots.AddCert(c)
		} else {
			inter = append(inter, c)
		}
	}
	return roots, inter
}
