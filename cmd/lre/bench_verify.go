package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/rfc3161"
	"github.com/lre-project/lre/storage"
)

// verifyStats are the auditor's numbers: a whole-log check and token checks.
type verifyStats struct {
	logEvents           int64
	logBuild, logVerify time.Duration
	tokens1, tokensAll  float64 // tokens verified per second on 1 and on nproc goroutines
	goroutines          int
}

// eventsPerDeposit is how many events each build transaction appends, so
// that a million-event log is built in a hundred commits.
const eventsPerDeposit = 10_000

func (r *benchReport) measureVerification(ctx context.Context, cfg benchConfig, dir string, stderr io.Writer) error {
	if cfg.logEvents > 0 {
		fmt.Fprintf(stderr, "  building a log of %d events through storage...\n", cfg.logEvents)
		t0 := time.Now()
		if err := buildLog(ctx, dir, cfg.logEvents); err != nil {
			return fmt.Errorf("bench: build log: %w", err)
		}
		r.verify.logEvents, r.verify.logBuild = cfg.logEvents, time.Since(t0)
		t0 = time.Now()
		if err := run(ctx, []string{"log", "verify", "--data", dir}, io.Discard, stderr); err != nil {
			return fmt.Errorf("bench: lre log verify: %w", err)
		}
		r.verify.logVerify = time.Since(t0)
		fmt.Fprintf(stderr, "  lre log verify: %d events in %s\n", cfg.logEvents, r.verify.logVerify.Round(time.Millisecond))
	}
	fmt.Fprintln(stderr, "  verifying time-stamp tokens...")
	return r.verify.measureTokens(ctx, filepath.Join(dir, "tsa"))
}

// buildLog appends n acceptance-like events to a fresh store in dir,
// eventsPerDeposit per transaction, each batch attached to one letter.
func buildLog(ctx context.Context, dir string, n int64) error {
	db, err := storage.Open(dir, storage.Options{})
	if err != nil {
		return err
	}
	err = appendBenchEvents(ctx, db, n)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

func appendBenchEvents(ctx context.Context, db *storage.DB, n int64) error {
	now := time.Now().UTC()
	for i := int64(0); i < n; i += eventsPerDeposit {
		id := fmt.Sprintf("LRE-BNCH-%04d-%04d-0000", i/eventsPerDeposit/10000, i/eventsPerDeposit%10000)
		d, err := benchDeposit(id, i, now)
		if err != nil {
			return err
		}
		for j := i; j < min(n, i+eventsPerDeposit); j++ {
			d.Events = append(d.Events, benchEvent(d.Notice, now))
		}
		if _, _, err := db.SaveDeposit(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// benchDeposit is a deposited letter whose record agrees with its events,
// so that lre log verify checks it as it checks a real one.
func benchDeposit(id string, i int64, now time.Time) (core.Deposit, error) {
	n := core.Notice{ID: id, SenderUserID: "bench", Status: core.StatusDeposited, SubmittedAt: now, DepositedAt: now,
		Sender:    core.Party{Email: "bench@example.org", Organisation: "Bench"},
		Recipient: core.Party{Email: fmt.Sprintf("coowner-%d@example.com", i)},
		Token:     &core.Token{Time: now, Serial: fmt.Sprint(1_000_000_000 + i), TSA: "lre bench TSA (non-qualified)"}}
	manifest, digest, err := core.Manifest(n)
	if err != nil {
		return core.Deposit{}, err
	}
	n.Digest = digest
	return core.Deposit{Notice: n, Manifest: manifest}, nil
}

// benchEvent is shaped like a SubmissionAcceptance, with the same details,
// so that the bytes hashed per record are realistic.
func benchEvent(n core.Notice, now time.Time) core.Event {
	return core.Event{
		Type: core.EventSubmissionAcceptance, NoticeID: n.ID, Time: now,
		Details: map[string]string{
			"deposit_digest":   n.Digest,
			"digest_method":    "http://www.w3.org/2001/04/xmlenc#sha256",
			"submission_time":  now.Format(time.RFC3339Nano),
			"timestamp_time":   n.Token.Time.Format(time.RFC3339Nano),
			"timestamp_serial": n.Token.Serial,
			"timestamp_tsa":    n.Token.TSA,
			"sender":           n.Sender.Email,
			"recipient":        n.Recipient.Email,
		},
	}
}

// measureTokens times rfc3161.VerifyToken, the check an auditor runs on
// every stored token, on one goroutine and then on one per CPU.
func (v *verifyStats) measureTokens(ctx context.Context, dir string) error {
	a, err := rfc3161.LoadOrCreateAuthority(dir, "lre bench", time.Now, rand.Reader)
	if err != nil {
		return err
	}
	digest := sha256.Sum256([]byte("letter"))
	tok, err := rfc3161.NewLocal(a).Timestamp(ctx, digest[:])
	if err != nil {
		return err
	}
	roots := a.Roots()
	check := func() error { _, err := rfc3161.VerifyToken(tok.DER, digest[:], roots, nil); return err }
	if v.tokens1, err = rate(1, time.Second, check); err != nil {
		return err
	}
	v.goroutines = runtime.GOMAXPROCS(0)
	v.tokensAll, err = rate(v.goroutines, 2*time.Second, check)
	return err
}

// rate runs fn on g goroutines for d and returns calls per second.
func rate(g int, d time.Duration, fn func() error) (float64, error) {
	var calls atomic.Int64
	var firstErr atomic.Value
	start := time.Now()
	var wg sync.WaitGroup
	for range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(start) < d {
				if err := fn(); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				calls.Add(1)
			}
		}()
	}
	wg.Wait()
	if err, ok := firstErr.Load().(error); ok {
		return 0, err
	}
	return float64(calls.Load()) / time.Since(start).Seconds(), nil
}
