package core_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/internal/lretest"
	"github.com/lre-project/lre/rfc3161"
	"github.com/lre-project/lre/storage"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// tsa is the embedded authority served over loopback HTTP, with a switch
// that makes it answer 503 like an authority under maintenance.
type tsa struct {
	a    *rfc3161.Authority
	down atomic.Bool
	srv  *httptest.Server
}

func newTSA(t *testing.T) *tsa {
	t.Helper()
	a := lretest.NewAuthority(t)
	s := &tsa{a: a}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.down.Load() {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		a.ServeHTTP(w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *tsa) client(t *testing.T) core.Timestamper {
	t.Helper()
	c, err := rfc3161.NewClient([]string{s.srv.URL}, s.a.Roots(), rfc3161.WithRetries(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func openStore(t *testing.T, dir string) *storage.DB {
	t.Helper()
	db, err := storage.Open(dir, storage.Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newService builds lretest's services over db on the real time, with ts
// (a client of the authority on loopback) in place of the embedded one.
func newService(t *testing.T, db *storage.DB, ts core.Timestamper, opts ...services.Option) *services.Set {
	t.Helper()
	return lretest.Build(t, lretest.Fixture{DB: db, Timestamper: ts, Clock: lretest.Following(), NoSender: true},
		append([]services.Option{services.WithLogger(quiet), services.WithTimestampTimeout(5 * time.Second)}, opts...)...).Svc
}

func addUser(t *testing.T, svc *services.Set, email string, role core.Role) core.User {
	t.Helper()
	u, _, err := svc.Accounts.AddUser(context.Background(), email, "Test User", "ACME", role)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func mustUpload(t *testing.T, name string, data []byte) core.Upload {
	t.Helper()
	u, err := core.ReadUpload(name, "application/pdf", bytes.NewReader(data), core.DefaultLimits.MaxTotalBytes)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func letterRequest(sender core.User, files ...core.Upload) core.DepositRequest {
	return core.DepositRequest{
		Sender:         sender,
		RecipientEmail: "bob@example.net",
		RecipientName:  "Bob Martin",
		Subject:        "Mise en demeure",
		Body:           "Madame, Monsieur,\n",
		Attachments:    files,
	}
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func logRecords(t *testing.T, db *storage.DB) uint64 {
	t.Helper()
	n, err := db.VerifyLog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDepositRoles(t *testing.T) {
	tests := []struct {
		role     core.Role
		wantCode string
	}{
		{core.RoleSender, ""},
		{core.RoleAdmin, ""},
		{core.RoleAuditor, core.EFORBIDDEN},
	}
	for _, tt := range tests {
		t.Run(string(tt.role), func(t *testing.T) {
			db := openStore(t, t.TempDir())
			svc := newService(t, db, newTSA(t).client(t))
			u := addUser(t, svc, "user@acme.example", tt.role)
			n, _, err := svc.Letters.Deposit(context.Background(), letterRequest(u))
			if tt.wantCode == "" {
				if err != nil || n.Status != core.StatusDeposited {
					t.Fatalf("Deposit = %s, %v; want deposited", n.Status, err)
				}
				return
			}
			if core.ErrorCode(err) != tt.wantCode {
				t.Errorf("Deposit: %v, want %s", err, tt.wantCode)
			}
			if got := logRecords(t, db); got != 0 {
				t.Errorf("refused deposit logged %d records", got)
			}
		})
	}
}

// TestDepositValidatesForEveryEntryPoint: the service checks names and
// limits itself, so an entry point other than the web form cannot bypass
// them.
func TestDepositValidatesForEveryEntryPoint(t *testing.T) {
	limits := core.Limits{MaxTotalBytes: 1024, MaxFiles: 2, MaxNameBytes: 16}
	small := []byte("%PDF")
	tests := []struct {
		name      string
		edit      func(*core.DepositRequest)
		wantCode  string
		wantField string
		wantText  string
	}{
		{"file name with slash", func(r *core.DepositRequest) { r.Attachments = []core.Upload{mustUpload(t, "a/b.pdf", small)} }, core.EINVALID, "attachments", ""},
		{"file name dot dot", func(r *core.DepositRequest) { r.Attachments = []core.Upload{mustUpload(t, "..", small)} }, core.EINVALID, "attachments", ""},
		{"file name with NUL", func(r *core.DepositRequest) { r.Attachments = []core.Upload{mustUpload(t, "a\x00.pdf", small)} }, core.EINVALID, "attachments", ""},
		{"three files", func(r *core.DepositRequest) {
			r.Attachments = []core.Upload{mustUpload(t, "a", small), mustUpload(t, "b", small), mustUpload(t, "c", small)}
		}, core.ETOOLARGE, "attachments", "max_files"},
		{"total over the limit", func(r *core.DepositRequest) {
			r.Attachments = []core.Upload{mustUpload(t, "a.pdf", make([]byte, 1100))}
		}, core.ETOOLARGE, "attachments", "max_total_size"},
		{"long file name", func(r *core.DepositRequest) { r.Attachments = []core.Upload{mustUpload(t, "abcdefghijklm.pdf", small)} }, core.ETOOLARGE, "attachments", "max_file_name"},
		{"two addresses", func(r *core.DepositRequest) { r.RecipientEmail = "a@b.com, c@d.com" }, core.EINVALID, "recipient_email", ""},
		{"LF in name", func(r *core.DepositRequest) { r.RecipientName = "Bob\nBcc: x" }, core.EINVALID, "recipient_name", ""},
		{"bad language", func(r *core.DepositRequest) { r.Language = "de" }, core.EINVALID, "language", ""},
	}
	db := openStore(t, t.TempDir())
	svc := newService(t, db, newTSA(t).client(t), services.WithLetters(core.WithLimits(limits)))
	u := addUser(t, svc, "alice@acme.example", core.RoleSender)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := letterRequest(u)
			tt.edit(&req)
			_, _, err := svc.Letters.Deposit(context.Background(), req)
			var ce *core.Error
			if core.ErrorCode(err) != tt.wantCode || !errors.As(err, &ce) || ce.Field != tt.wantField || !strings.Contains(ce.Message, tt.wantText) {
				t.Errorf("Deposit: %v, want %s on field %s naming %q", err, tt.wantCode, tt.wantField, tt.wantText)
			}
			if got := logRecords(t, db); got != 0 {
				t.Errorf("refused deposit logged %d records", got)
			}
		})
	}
}

// TestPendingDepositSurvivesRestart: a deposit made while the authority is
// down lives only in the store; after the process stops and a new one opens
// the same directory, the retry completes it with the documents unchanged.
func TestPendingDepositSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	authority := newTSA(t)
	authority.down.Store(true)
	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("contract "), 500)...)

	db, err := storage.Open(dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc := newService(t, db, authority.client(t))
	u := addUser(t, svc, "alice@acme.example", core.RoleSender)
	n, _, err := svc.Letters.Deposit(ctx, letterRequest(u, mustUpload(t, "contrat.pdf", pdf)))
	if err != nil {
		t.Fatalf("deposit while the TSA is down: %v", err)
	}
	if n.Status != core.StatusPendingTimestamp || n.Token != nil {
		t.Fatalf("deposit while the TSA is down = %s with token %v, want pending without token", n.Status, n.Token)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	authority.down.Store(false)
	db = openStore(t, dir)
	svc = newService(t, db, authority.client(t))
	done, err := svc.Letters.RetryPendingTimestamps(ctx)
	if err != nil || done != 1 {
		t.Fatalf("retry after restart = %d, %v; want 1", done, err)
	}
	got, err := db.Notice(ctx, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != core.StatusDeposited || got.Token == nil || got.Digest != n.Digest {
		t.Fatalf("after retry: status %s token %v digest %s (was %s)", got.Status, got.Token, got.Digest, n.Digest)
	}
	if _, err := rfc3161.VerifyToken(got.Token.DER, mustHex(t, got.Digest), authority.a.Roots(), nil); err != nil {
		t.Errorf("stored token does not verify: %v", err)
	}
	if len(got.Documents) != 1 || got.Documents[0].SHA256 != hexSum(pdf) {
		t.Fatalf("documents = %+v, want contrat.pdf with sha256 %s", got.Documents, hexSum(pdf))
	}
	stored, err := db.Content(ctx, n.ID, got.Documents[0].Key)
	if err != nil || hexSum(stored) != hexSum(pdf) {
		t.Errorf("stored document sha256 %s, %v; want %s", hexSum(stored), err, hexSum(pdf))
	}
	manifest, err := db.Manifest(ctx, n.ID)
	if err != nil || hexSum(manifest) != n.Digest {
		t.Errorf("sha256(manifest) = %s, %v; want the deposit digest %s", hexSum(manifest), err, n.Digest)
	}
	evs, err := db.NoticeEvents(ctx, n.ID)
	if err != nil || len(evs) != 1 || evs[0].Type != core.EventSubmissionAcceptance {
		t.Errorf("events = %+v, %v; want one SubmissionAcceptance", evs, err)
	}
	if pending, _ := db.PendingTimestamps(ctx); len(pending) != 0 {
		t.Errorf("%d deposits still pending", len(pending))
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRetryPendingConcurrently: several workers retrying at once complete
// each pending deposit exactly once.
func TestRetryPendingConcurrently(t *testing.T) {
	const deposits, workers = 3, 8
	ctx := context.Background()
	authority := newTSA(t)
	db := openStore(t, t.TempDir())
	svc := newService(t, db, authority.client(t))
	u := addUser(t, svc, "alice@acme.example", core.RoleSender)
	authority.down.Store(true)
	var ids []string
	for range deposits {
		n, _, err := svc.Letters.Deposit(ctx, letterRequest(u))
		if err != nil || n.Status != core.StatusPendingTimestamp {
			t.Fatalf("deposit while down = %s, %v", n.Status, err)
		}
		ids = append(ids, n.ID)
	}
	authority.down.Store(false)
	var total atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			done, err := svc.Letters.RetryPendingTimestamps(ctx)
			if err != nil {
				t.Errorf("retry: %v", err)
			}
			total.Add(int64(done))
		})
	}
	wg.Wait()
	if total.Load() != deposits {
		t.Errorf("workers completed %d deposits in all, want %d", total.Load(), deposits)
	}
	for _, id := range ids {
		evs, err := db.NoticeEvents(ctx, id)
		if err != nil || len(evs) != 1 {
			t.Errorf("notice %s has %d events (%v), want 1", id, len(evs), err)
		}
	}
	if got := logRecords(t, db); got != deposits {
		t.Errorf("log holds %d records, want %d", got, deposits)
	}
}

func TestIdempotentReplayWhilePending(t *testing.T) {
	ctx := context.Background()
	authority := newTSA(t)
	authority.down.Store(true)
	db := openStore(t, t.TempDir())
	svc := newService(t, db, authority.client(t))
	u := addUser(t, svc, "alice@acme.example", core.RoleSender)
	req := letterRequest(u)
	req.IdempotencyKey = "pending-1"
	first, replayed, err := svc.Letters.Deposit(ctx, req)
	if err != nil || replayed {
		t.Fatalf("first deposit: replayed %v, %v", replayed, err)
	}
	second, replayed, err := svc.Letters.Deposit(ctx, req)
	if err != nil || !replayed || second.ID != first.ID {
		t.Errorf("replay while pending = %s replayed %v, %v; want %s replayed", second.ID, replayed, err, first.ID)
	}
	if pending, _ := db.PendingTimestamps(ctx); len(pending) != 1 {
		t.Errorf("%d pending deposits, want 1", len(pending))
	}
}
