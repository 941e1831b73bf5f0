package storage_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/storetest"
	"github.com/lre-project/lre/storage"
)

var t0 = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

func openDB(t testing.TB, dir string) *storage.DB {
	t.Helper()
	return storetest.Open(t, dir, storage.Options{LockTimeout: 200 * time.Millisecond})
}

// noticeID builds a well-formed, distinct id from i (LRE-XXXX-XXXX-XXXX-XXXX).
func noticeID(i int) string {
	var b [10]byte
	binary.BigEndian.PutUint64(b[2:], uint64(i))
	s := base32.StdEncoding.EncodeToString(b[:])
	return "LRE-" + s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
}

// deposit builds a real deposit (canonical manifest, contents, digest) with
// nEvents evidence events; nEvents == 0 leaves it pending a timestamp.
func deposit(t testing.TB, i int, sender string, nEvents int) core.Deposit {
	t.Helper()
	body := []byte(fmt.Sprintf("Madame, Monsieur, lettre numéro %d.", i))
	h := sha256.Sum256(body)
	sum := hex.EncodeToString(h[:])
	n := core.Notice{
		ID:           noticeID(i),
		SenderUserID: sender,
		Sender:       core.Party{ID: sender, Name: "Alice", Email: "alice@example.org", Organisation: "ACME"},
		Recipient:    core.Party{Name: "Bob", Email: "bob@example.net"},
		Subject:      fmt.Sprintf("Mise en demeure %d", i),
		Language:     "fr",
		Body:         core.Document{Name: "body.txt", MediaType: "text/plain; charset=utf-8", Size: int64(len(body)), SHA256: sum, Key: "body"},
		Status:       core.StatusPendingTimestamp,
		SubmittedAt:  t0.Add(time.Duration(i) * time.Second),
	}
	manifest, digest, err := core.Manifest(n)
	if err != nil {
		t.Fatal(err)
	}
	n.Digest = digest
	d := core.Deposit{Notice: n, Manifest: manifest, Contents: map[string][]byte{"body": body}}
	if nEvents == 0 {
		return d
	}
	tok := token(i)
	d.Notice.Token, d.Notice.Status, d.Notice.DepositedAt = &tok, core.StatusDeposited, tok.Time
	for k := range nEvents {
		d.Events = append(d.Events, event(n.ID, digest, t0.Add(time.Duration(i*nEvents+k)*time.Millisecond)))
	}
	return d
}

func token(i int) core.Token {
	return core.Token{DER: []byte{0x30, byte(i)}, Time: t0.Add(time.Duration(i) * time.Second), Serial: fmt.Sprint(1000 + i), TSA: "CN=test TSA", Policy: "1.2.3"}
}

func event(id, digest string, at time.Time) core.Event {
	return core.Event{Type: core.EventSubmissionAcceptance, NoticeID: id, Time: at, Details: map[string]string{"deposit_digest": digest}}
}

func save(t testing.TB, db *storage.DB, d core.Deposit) core.Notice {
	t.Helper()
	n, existed, err := db.SaveDeposit(context.Background(), d)
	if err != nil {
		t.Fatalf("save deposit %d: %v", len(d.Events), err)
	}
	if existed {
		t.Fatalf("save deposit %s: reported as existing", d.Notice.ID)
	}
	return n
}

func verifyCount(t testing.TB, db *storage.DB) uint64 {
	t.Helper()
	n, err := db.VerifyLog(context.Background())
	if err != nil {
		t.Fatalf("VerifyLog: %v", err)
	}
	return n
}

func TestVerifyLogFreshLog(t *testing.T) {
	tests := []struct {
		name              string
		deposits, perEach int
	}{
		{"empty", 0, 1},
		{"one", 1, 1},
		{"many deposits", 200, 1},
		{"several events per deposit", 20, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openDB(t, t.TempDir())
			for i := range tt.deposits {
				save(t, db, deposit(t, i, "usr_a", tt.perEach))
			}
			if got, want := verifyCount(t, db), uint64(tt.deposits*tt.perEach); got != want {
				t.Errorf("VerifyLog counted %d records, want %d", got, want)
			}
		})
	}
}

// TestLogRecordsAreChained checks what the log stores against core's
// definition: seq 1..N in order, each record linked to the one before and
// hashed over its canonical bytes.
func TestLogRecordsAreChained(t *testing.T) {
	db := openDB(t, t.TempDir())
	ctx := context.Background()
	var all []core.Event
	for i := range 5 {
		d := save(t, db, deposit(t, i, "usr_a", 3))
		evs, err := db.NoticeEvents(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 3 {
			t.Fatalf("notice %s has %d events, want 3", d.ID, len(evs))
		}
		all = append(all, evs...)
	}
	prev := core.GenesisHash
	for i, e := range all {
		if e.Seq != uint64(i+1) {
			t.Errorf("event %d has seq %d, want %d", i, e.Seq, i+1)
		}
		if !bytes.Equal(e.PrevHash, prev) {
			t.Errorf("seq %d: prev hash %x, want %x", e.Seq, e.PrevHash, prev)
		}
		body, err := core.EventBytes(e)
		if err != nil {
			t.Fatal(err)
		}
		if want := core.ChainHash(e.Seq, prev, body); !bytes.Equal(e.Hash, want) {
			t.Errorf("seq %d: hash %x, want %x", e.Seq, e.Hash, want)
		}
		prev = e.Hash
	}
}

func TestConcurrentDepositsAreGapFree(t *testing.T) {
	const n = 50
	db := openDB(t, t.TempDir())
	ctx := context.Background()
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			d := deposit(t, i, fmt.Sprintf("usr_%d", i%7), 1)
			var nt core.Notice
			nt, _, errs[i] = db.SaveDeposit(ctx, d)
			ids[i] = nt.ID
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	var seqs []uint64
	for _, id := range ids {
		evs, err := db.NoticeEvents(ctx, id)
		if err != nil {
			t.Fatalf("events of %s: %v", id, err)
		}
		if len(evs) != 1 {
			t.Fatalf("notice %s has %d events, want 1", id, len(evs))
		}
		seqs = append(seqs, evs[0].Seq)
	}
	slices.Sort(seqs)
	for i, s := range seqs {
		if s != uint64(i+1) {
			t.Fatalf("sequence numbers %v are not 1..%d without gaps", seqs, n)
		}
	}
	if got := verifyCount(t, db); got != n {
		t.Errorf("VerifyLog counted %d records, want %d", got, n)
	}
}

func TestOpenInUse(t *testing.T) {
	storetest.BoltOnly(t)
	dir := t.TempDir()
	first, err := storage.Open(dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	second, err := storage.Open(dir, storage.Options{LockTimeout: 50 * time.Millisecond})
	if err == nil {
		second.Close()
		first.Close()
		t.Fatal("second Open of a held data dir succeeded")
	}
	if !errors.Is(err, storage.ErrInUse) {
		t.Errorf("second Open: %v, want an error wrapping storage.ErrInUse", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("second Open took %s with a 50ms lock timeout", d)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := storage.Open(dir, storage.Options{LockTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	again.Close()
}

func TestOpenReadOnlyMissingDir(t *testing.T) {
	storetest.BoltOnly(t)
	_, err := storage.Open(t.TempDir()+"/nothing", storage.Options{ReadOnly: true})
	if err == nil {
		t.Fatal("read-only Open of a dir without lre.db succeeded")
	}
}

func TestSaveDepositIdempotency(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name          string
		first, second string // sender ids
		wantExisted   bool
	}{
		{"same sender replays", "usr_a", "usr_a", true},
		{"other sender gets its own", "usr_a", "usr_b", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openDB(t, t.TempDir())
			d1, d2 := deposit(t, 1, tt.first, 1), deposit(t, 2, tt.second, 1)
			d1.IdempotencyKey, d2.IdempotencyKey = "key-42", "key-42"
			save(t, db, d1)
			got, existed, err := db.SaveDeposit(ctx, d2)
			if err != nil {
				t.Fatal(err)
			}
			if existed != tt.wantExisted {
				t.Fatalf("existed = %v, want %v", existed, tt.wantExisted)
			}
			wantID, wantRecords := d2.Notice.ID, uint64(2)
			if tt.wantExisted {
				wantID, wantRecords = d1.Notice.ID, 1
				if _, err := db.Notice(ctx, d2.Notice.ID); core.ErrorCode(err) != core.ENOTFOUND {
					t.Errorf("replayed deposit was stored anyway (Notice: %v)", err)
				}
			}
			if got.ID != wantID {
				t.Errorf("SaveDeposit returned %s, want %s", got.ID, wantID)
			}
			if n := verifyCount(t, db); n != wantRecords {
				t.Errorf("log has %d records, want %d", n, wantRecords)
			}
			byKey, _, err := db.NoticeByIdempotencyKey(ctx, tt.second, "key-42")
			if err != nil || byKey.ID != wantID {
				t.Errorf("NoticeByIdempotencyKey = %s, %v; want %s", byKey.ID, err, wantID)
			}
		})
	}
}

func TestSaveDepositDuplicateIDAppendsNothing(t *testing.T) {
	db := openDB(t, t.TempDir())
	d := deposit(t, 1, "usr_a", 1)
	save(t, db, d)
	_, _, err := db.SaveDeposit(context.Background(), d)
	if core.ErrorCode(err) != core.ECONFLICT {
		t.Errorf("second SaveDeposit of %s: %v, want %s", d.Notice.ID, err, core.ECONFLICT)
	}
	if n := verifyCount(t, db); n != 1 {
		t.Errorf("log has %d records after a refused duplicate, want 1", n)
	}
}

// TestPendingSurvivesReopen: a deposit kept pending (no token yet) is in the
// file and nowhere else, so a restart must find it, unchanged, and no event.
func TestPendingSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := storage.Open(dir, storetest.Options(t, dir, storage.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	d := deposit(t, 7, "usr_a", 0)
	save(t, db, d)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openDB(t, dir)
	pending, err := db.PendingTimestamps(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].ID != d.Notice.ID || pending[0].Status != core.StatusPendingTimestamp {
		t.Fatalf("PendingTimestamps = %+v, want only %s pending", pending, d.Notice.ID)
	}
	if pending[0].Digest != d.Notice.Digest || pending[0].Token != nil {
		t.Errorf("pending notice changed: digest %s token %v", pending[0].Digest, pending[0].Token)
	}
	if n := verifyCount(t, db); n != 0 {
		t.Errorf("pending deposit wrote %d log records, want 0", n)
	}
	stored, err := db.Content(ctx, d.Notice.ID, "body")
	if err != nil || !bytes.Equal(stored, d.Contents["body"]) {
		t.Errorf("body content = %q, %v; want %q", stored, err, d.Contents["body"])
	}
	manifest, err := db.Manifest(ctx, d.Notice.ID)
	if err != nil || !bytes.Equal(manifest, d.Manifest) {
		t.Errorf("manifest changed: %s, %v", manifest, err)
	}
}

func TestReopenKeepsAppending(t *testing.T) {
	dir := t.TempDir()
	db, err := storage.Open(dir, storetest.Options(t, dir, storage.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		save(t, db, deposit(t, i, "usr_a", 2))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openDB(t, dir)
	if got := verifyCount(t, db); got != 6 {
		t.Fatalf("after reopen VerifyLog counted %d, want 6", got)
	}
	d := save(t, db, deposit(t, 3, "usr_a", 1))
	evs, err := db.NoticeEvents(context.Background(), d.ID)
	if err != nil || len(evs) != 1 || evs[0].Seq != 7 {
		t.Fatalf("event after reopen = %+v, %v; want seq 7", evs, err)
	}
	if got := verifyCount(t, db); got != 7 {
		t.Errorf("VerifyLog counted %d, want 7", got)
	}
}

func TestReadersReportNotFound(t *testing.T) {
	db := openDB(t, t.TempDir())
	ctx := context.Background()
	id := noticeID(99)
	checks := map[string]func() error{
		"Notice":                 func() error { _, err := db.Notice(ctx, id); return err },
		"Manifest":               func() error { _, err := db.Manifest(ctx, id); return err },
		"NoticeEvents":           func() error { _, err := db.NoticeEvents(ctx, id); return err },
		"Content":                func() error { _, err := db.Content(ctx, id, "body"); return err },
		"NoticeByIdempotencyKey": func() error { _, _, err := db.NoticeByIdempotencyKey(ctx, "usr_a", "k"); return err },
	}
	for name, f := range checks {
		t.Run(name, func(t *testing.T) {
			if err := f(); core.ErrorCode(err) != core.ENOTFOUND {
				t.Errorf("%s of an unknown id: %v, want %s", name, err, core.ENOTFOUND)
			}
		})
	}
}

// BenchmarkVerifyLog measures one full pass over a 100k-record log, built
// once in 100 transactions of 1,000 events.
func BenchmarkVerifyLog(b *testing.B) {
	const deposits, perDeposit = 100, 1000
	db := openDB(b, b.TempDir())
	for i := range deposits {
		save(b, db, deposit(b, i, "usr_a", perDeposit))
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		n, err := db.VerifyLog(ctx)
		if err != nil || n != deposits*perDeposit {
			b.Fatalf("VerifyLog = %d, %v", n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(deposits*perDeposit), "ns/record")
}
