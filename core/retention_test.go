package core_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/rfc3161"
	"github.com/lre-project/lre/storage"
)

// TestRetentionPurge: once the retention period has passed, a settled
// letter's content is destroyed with a ContentPurged event, while the log,
// the manifest's digest and the token still verify; a letter still
// awaiting its recipient keeps its content.
func TestRetentionPurge(t *testing.T) {
	ctx := context.Background()
	db, err := storage.Open(t.TempDir(), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	auth := newAuthority(t)
	h := harnessOn(t, db, auth, services.WithLetters(core.WithRetention(10*24*time.Hour)))
	n := h.deposit()
	h.process() // notified: 15 days to answer
	body, err := db.Content(ctx, n.ID, "body")
	if err != nil || string(body) != "Madame, Monsieur," {
		t.Fatalf("content before purge = %q, %v", body, err)
	}

	h.clock.Add(11 * 24 * time.Hour)
	if got := purge(t, h); got != 0 {
		t.Fatalf("purged %d letters still awaiting their recipient", got)
	}
	if _, err := db.Content(ctx, n.ID, "body"); err != nil {
		t.Fatalf("content of a letter awaiting its recipient: %v", err)
	}

	h.clock.Add(10 * 24 * time.Hour)
	if _, err := h.svc.Letters.ExpireDeadlines(ctx); err != nil {
		t.Fatal(err)
	}
	if got := purge(t, h); got != 1 {
		t.Fatalf("purged %d letters, want 1", got)
	}
	if got := purge(t, h); got != 0 {
		t.Errorf("a second run purged %d letters again", got)
	}
	if _, err := db.Content(ctx, n.ID, "body"); core.ErrorCode(err) != core.EGONE {
		t.Errorf("content after purge: %v, want %s", err, core.EGONE)
	}
	evs := h.events(n.ID)
	last := evs[len(evs)-1]
	if last.Type != core.EventContentPurged || last.Type.URI() != "urn:lre:event:ContentPurged" || last.Details["deposit_digest"] != n.Digest {
		t.Errorf("last event = %s %v, want ContentPurged naming the deposit digest", last.Type, last.Details)
	}
	if _, err := db.VerifyLog(ctx); err != nil {
		t.Errorf("VerifyLog after purge: %v", err)
	}
	manifest, err := db.Manifest(ctx, n.ID)
	sum := sha256.Sum256(manifest)
	if err != nil || hex.EncodeToString(sum[:]) != n.Digest {
		t.Errorf("manifest after purge no longer hashes to the deposit digest (%v)", err)
	}
	stored := h.notice(n.ID)
	tok, err := rfc3161.VerifyToken(stored.Token.DER, sum[:], auth.Roots(), auth.Certificates())
	if err != nil || !tok.Time.Equal(stored.Token.Time) {
		t.Errorf("token after purge: %v", err)
	}
	if bytes.Contains(mustBackup(t, db), []byte("Madame, Monsieur,")) {
		t.Errorf("the body is readable in the database file")
	}
}

func purge(t *testing.T, h *harness) int {
	t.Helper()
	n, err := h.svc.Letters.PurgeExpiredContent(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func mustBackup(t *testing.T, db *storage.DB) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := db.Backup(&b, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
