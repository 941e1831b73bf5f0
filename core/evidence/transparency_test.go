package evidence_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"path/filepath"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/internal/keyfile"
	"github.com/lre-project/lre/internal/lretest"
	"github.com/lre-project/lre/rfc3161"
	"github.com/lre-project/lre/storage"
	"github.com/lre-project/lre/tlog"
)

type tlogHarness struct {
	*lretest.Env
	auth   *rfc3161.Authority
	signer *tlog.Signer
}

// newTlogHarness is newHarness with a transparency log over the same store.
func newTlogHarness(t *testing.T, wrap func(evidence.TransparencyStore) evidence.TransparencyStore) *tlogHarness {
	t.Helper()
	dir := t.TempDir()
	db, err := storage.Open(dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a := lretest.AuthorityIn(t, filepath.Join(dir, "tsa"), time.Now)
	s, err := keyfile.LoadOrCreateLogSigner(filepath.Join(dir, "log"), tlog.Origin("test"), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var store evidence.TransparencyStore = db
	if wrap != nil {
		store = wrap(db)
	}
	h := (lretest.On(t, db, a, services.WithEvidence(evidence.WithTransparencyLog(store, s))))
	return &tlogHarness{Env: h, auth: a, signer: s}
}

func TestPublishCheckpoint(t *testing.T) {
	ctx := context.Background()
	h := newTlogHarness(t, nil)
	if _, _, err := h.Svc.Evidence.PublishCheckpoint(ctx); core.ErrorCode(err) != core.ENOTFOUND {
		t.Fatalf("publish on an empty log: %v", err)
	}
	h.Deposit()
	c1, isNew, err := h.Svc.Evidence.PublishCheckpoint(ctx)
	if err != nil || !isNew || c1.Size != 1 {
		t.Fatalf("first publication: size %d, new %v, %v", c1.Size, isNew, err)
	}
	opened, err := tlog.OpenCheckpoint(c1.Note, h.signer.VerifierKey())
	if err != nil || opened.Size != 1 || string(opened.Root) != string(c1.Root) {
		t.Fatalf("the note does not open with the log key: %+v %v", opened, err)
	}
	sum := sha256.Sum256(c1.Note)
	if _, err := rfc3161.VerifyToken(c1.Token.DER, sum[:], h.auth.Roots(), nil); err != nil {
		t.Fatalf("checkpoint token: %v", err)
	}
	again, isNew, err := h.Svc.Evidence.PublishCheckpoint(ctx)
	if err != nil || isNew || again.Size != 1 {
		t.Fatalf("publication without new records: size %d, new %v, %v", again.Size, isNew, err)
	}
	n := h.Deposit()
	h.Process()
	c2, isNew, err := h.Svc.Evidence.PublishCheckpoint(ctx)
	if err != nil || !isNew || c2.Size < 3 {
		t.Fatalf("second publication: size %d, new %v, %v", c2.Size, isNew, err)
	}
	latest, err := h.Svc.Evidence.LatestCheckpoint(ctx)
	if err != nil || latest.Size != c2.Size {
		t.Fatalf("latest: %d, %v", latest.Size, err)
	}
	if got, err := h.Svc.Evidence.CheckpointAt(ctx, 1); err != nil || string(got.Note) != string(c1.Note) {
		t.Fatalf("checkpoint 1 changed: %v", err)
	}
	evs := h.Events(n.ID)
	p, err := h.Svc.Evidence.LogInclusionProof(ctx, evs[0].Seq, c2.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.VerifyInclusion(p.Index, p.Size, evs[0].Hash, p.Hashes, c2.Root); err != nil {
		t.Fatalf("inclusion proof: %v", err)
	}
	cp, err := h.Svc.Evidence.LogConsistencyProof(ctx, 1, c2.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.VerifyConsistency(1, c2.Size, cp.Hashes, c1.Root, c2.Root); err != nil {
		t.Fatalf("consistency proof: %v", err)
	}
	key, err := h.Svc.Evidence.LogKey()
	if err != nil || key != h.signer.VerifierKey() {
		t.Fatalf("log key %q, %v", key, err)
	}
}

func TestLogProofArguments(t *testing.T) {
	ctx := context.Background()
	h := newTlogHarness(t, nil)
	h.Deposit()
	for _, c := range []struct {
		name      string
		seq, size uint64
		code      string
		field     string
	}{
		{"seq 0", 0, 1, core.EINVALID, "seq"},
		{"size below seq", 2, 1, core.EINVALID, "size"},
		{"size beyond the log", 1, 5, core.ENOTFOUND, ""},
	} {
		_, err := h.Svc.Evidence.LogInclusionProof(ctx, c.seq, c.size)
		if core.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if _, err := h.Svc.Evidence.LogConsistencyProof(ctx, 2, 1); core.ErrorCode(err) != core.EINVALID {
		t.Errorf("consistency from > to: %v", err)
	}
	if _, err := h.Svc.Evidence.LogConsistencyProof(ctx, 1, 9); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("consistency beyond the log: %v", err)
	}
}

func TestTransparencyNotConfigured(t *testing.T) {
	h := lretest.New(t)
	if _, _, err := h.Svc.Evidence.PublishCheckpoint(context.Background()); core.ErrorCode(err) != core.EUNAVAILABLE {
		t.Errorf("publish: %v", err)
	}
	if _, err := h.Svc.Evidence.LogKey(); core.ErrorCode(err) != core.EUNAVAILABLE {
		t.Errorf("key: %v", err)
	}
}

// forkedTree reports another root than the stored tree's, as a store whose
// nodes were rewritten would.
type forkedTree struct {
	evidence.TransparencyStore
	fork bool
}

func (f *forkedTree) TreeHead(ctx context.Context) (evidence.TreeHead, error) {
	th, err := f.TransparencyStore.TreeHead(ctx)
	if f.fork {
		th.Root = make([]byte, 32)
	}
	return th, err
}

func TestPublishRefusesAFork(t *testing.T) {
	ctx := context.Background()
	var f *forkedTree
	h := newTlogHarness(t, func(s evidence.TransparencyStore) evidence.TransparencyStore {
		f = &forkedTree{TransparencyStore: s}
		return f
	})
	h.Deposit()
	if _, _, err := h.Svc.Evidence.PublishCheckpoint(ctx); err != nil {
		t.Fatal(err)
	}
	h.Deposit()
	f.fork = true
	if _, _, err := h.Svc.Evidence.PublishCheckpoint(ctx); core.ErrorCode(err) != core.EINTERNAL {
		t.Fatalf("signed a tree that does not extend the last checkpoint: %v", err)
	}
	if c, _ := h.Svc.Evidence.LatestCheckpoint(ctx); c.Size != 1 {
		t.Fatalf("latest checkpoint is %d", c.Size)
	}
}

func TestRunCheckpointsPublishes(t *testing.T) {
	h := newTlogHarness(t, nil)
	h.Deposit()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.Svc.Evidence.RunCheckpoints(ctx, 10*time.Millisecond); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if c, err := h.Svc.Evidence.LatestCheckpoint(context.Background()); err == nil && c.Size == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no checkpoint published by the background job")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
}

func BenchmarkPublishCheckpoint(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	db, err := storage.Open(dir, storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	s, _ := keyfile.LoadOrCreateLogSigner(filepath.Join(dir, "log"), "bench-log", rand.Reader)
	svc := lretest.Build(b, lretest.Fixture{DB: db, Clock: lretest.Following(), NoSender: true}, services.WithEvidence(evidence.WithTransparencyLog(db, s))).Svc
	ev := core.Event{Type: core.EventConsentGiven, Time: time.Now()}
	for b.Loop() {
		if err := db.ApplyChange(ctx, core.Change{Events: []core.Event{ev}}); err != nil {
			b.Fatal(err)
		}
		if _, _, err := svc.Evidence.PublishCheckpoint(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
