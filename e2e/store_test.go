package e2e_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/rfc3161"
	"github.com/lre-project/lre/storage"
)

// openStore opens dir's database read-only, as an auditor would after the
// server stopped.
func openStore(t testing.TB, dir string) *storage.DB {
	t.Helper()
	db, err := storage.Open(dir, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open store read-only: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// embeddedRoots returns the roots of the data dir's embedded authority.
func embeddedRoots(t testing.TB, dir string) *x509.CertPool {
	t.Helper()
	a, err := rfc3161.LoadOrCreateAuthority(filepath.Join(dir, "tsa"), "lre", time.Now, rand.Reader)
	if err != nil {
		t.Fatalf("embedded authority of %s: %v", dir, err)
	}
	return a.Roots()
}

// bothRoots trusts the data dir's embedded authority and the external one.
func bothRoots(t testing.TB, dir string, ext *tsa) *x509.CertPool {
	t.Helper()
	roots := embeddedRoots(t, dir)
	certs := ext.a.Certificates()
	roots.AddCert(certs[len(certs)-1])
	return roots
}

// lettersOf lists every letter of a sender, all pages.
func lettersOf(t testing.TB, db *storage.DB, userID string) []core.Notice {
	t.Helper()
	var out []core.Notice
	q := core.NoticeQuery{Limit: core.MaxListLimit}
	for {
		p, err := db.ListNotices(context.Background(), core.NoticeScope{SenderUserID: userID}, q)
		if err != nil {
			t.Fatalf("list letters: %v", err)
		}
		out = append(out, p.Notices...)
		if p.Next == "" {
			return out
		}
		q.Cursor = p.Next
	}
}

// checkStored checks that the store holds the acknowledged letter l byte
// for byte: the same digest, a manifest hashing to it, the very bytes of
// the body and of each document, a token over the digest that verifies
// against roots, and exactly one SubmissionAcceptance once deposited.
func checkStored(t testing.TB, db *storage.DB, l letter, ack notice, roots *x509.CertPool) core.Notice {
	t.Helper()
	ctx := context.Background()
	n, err := db.Notice(ctx, ack.ID)
	if err != nil {
		t.Errorf("acknowledged letter %s (key %s) is missing: %v", ack.ID, l.key, err)
		return n
	}
	if n.Digest != ack.DepositDigest {
		t.Errorf("%s: stored digest %s, acknowledged %s", n.ID, n.Digest, ack.DepositDigest)
	}
	if m, err := db.Manifest(ctx, n.ID); err != nil || sha256Hex(m) != n.Digest {
		t.Errorf("%s: manifest does not hash to the deposit digest (%v)", n.ID, err)
	}
	if b, err := db.Content(ctx, n.ID, n.Body.Key); err != nil || string(b) != l.body {
		t.Errorf("%s: stored body differs from the one sent (%v)", n.ID, err)
	}
	if len(n.Documents) != len(l.files) {
		t.Errorf("%s: %d documents stored, %d sent", n.ID, len(n.Documents), len(l.files))
		return n
	}
	for i, d := range n.Documents {
		b, err := db.Content(ctx, n.ID, d.Key)
		if err != nil || !bytes.Equal(b, l.files[i].data) || d.SHA256 != l.files[i].hash {
			t.Errorf("%s: document %d differs from the one sent (%v)", n.ID, i+1, err)
		}
	}
	evs, err := db.NoticeEvents(ctx, n.ID)
	if err != nil {
		t.Fatalf("%s: events: %v", n.ID, err)
	}
	subs := storedEvents(evs, core.EventSubmissionAcceptance)
	if n.Status == core.StatusPendingTimestamp {
		if n.Token != nil || len(evs) != 0 {
			t.Errorf("%s: pending letter with token %v and %d events", n.ID, n.Token != nil, len(evs))
		}
		return n
	}
	if len(subs) != 1 || subs[0].Details["deposit_digest"] != n.Digest {
		t.Errorf("%s: %d SubmissionAcceptance events, want one over digest %s", n.ID, len(subs), n.Digest)
	}
	digest, _ := hex.DecodeString(n.Digest)
	if n.Token == nil {
		t.Errorf("%s: status %s without a token", n.ID, n.Status)
	} else if _, err := rfc3161.VerifyToken(n.Token.DER, digest, roots, nil); err != nil {
		t.Errorf("%s: stored token does not verify: %v", n.ID, err)
	}
	return n
}

func storedEvents(evs []core.Event, typ core.EventType) []core.Event {
	var out []core.Event
	for _, e := range evs {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// checkNotifiedOnce checks the notification of letter id against what the
// sink received: exactly one NotificationForAcceptance, no failure, and a
// message received more than once only if the event says an ambiguous
// attempt was retried. It reports whether the event records an ambiguous
// retry.
func checkNotifiedOnce(t testing.TB, db *storage.DB, id string, received int) bool {
	t.Helper()
	evs, err := db.NoticeEvents(context.Background(), id)
	if err != nil {
		t.Fatalf("%s: events: %v", id, err)
	}
	ok := storedEvents(evs, core.EventNotificationForAcceptance)
	if fails := storedEvents(evs, core.EventNotificationFailure); len(fails) != 0 {
		t.Errorf("%s: notification failure events %+v", id, fails)
	}
	if len(ok) != 1 {
		t.Errorf("%s: %d NotificationForAcceptance events, want 1", id, len(ok))
		return false
	}
	d := ok[0].Details
	ambiguous := d["ambiguous_retry"] != ""
	attempts, _ := strconv.Atoi(d["attempts"])
	switch {
	case received == 0:
		t.Errorf("%s: notification recorded as sent, but the mail server never accepted it", id)
	case received > 1 && !ambiguous:
		t.Errorf("%s: notification received %d times, but its event records no ambiguous retry: %v", id, received, d)
	case attempts < received:
		t.Errorf("%s: notification received %d times, event counts %d attempts", id, received, attempts)
	}
	return ambiguous
}
