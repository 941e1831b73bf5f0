package storage_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/storage"
)

// TestSaveDepositGroupCommit has 64 senders share commits: new letters,
// letters saved twice (ECONFLICT for the second, alone, without failing
// the letters committed with it) and retries under one Idempotency-Key
// (every retry gets the first letter). It sits beside the benchmark that
// motivated the group commit.
func TestSaveDepositGroupCommit(t *testing.T) {
	db := openDB(t, t.TempDir())
	const n = 64
	var wg sync.WaitGroup
	errs := make([]error, 2*n)
	replays := make([]core.Notice, n)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, _, errs[i] = db.SaveDeposit(context.Background(), deposit(t, i, "alice", 1))
		}()
		go func() {
			defer wg.Done()
			if i%2 == 0 { // the same letter again
				_, _, errs[n+i] = db.SaveDeposit(context.Background(), deposit(t, i, "alice", 1))
				return
			}
			d := deposit(t, 1000+i, "alice", 1)
			d.IdempotencyKey = "retry"
			replays[i], _, errs[n+i] = db.SaveDeposit(context.Background(), d)
		}()
	}
	wg.Wait()
	conflicts, first := 0, ""
	for i, err := range errs {
		switch {
		case core.ErrorCode(err) == core.ECONFLICT && i%2 == 0:
			conflicts++
		case err != nil:
			t.Errorf("deposit %d: %v", i, err)
		}
	}
	if conflicts != n/2 {
		t.Errorf("%d conflicts, want %d: each letter saved twice is refused once", conflicts, n/2)
	}
	for i := 1; i < n; i += 2 {
		if first == "" {
			first = replays[i].ID
		}
		if replays[i].ID != first {
			t.Errorf("retry %d got letter %s, another retry got %s: one Idempotency-Key, one letter", i, replays[i].ID, first)
		}
	}
	if got := verifyCount(t, db); got != n+1 {
		t.Errorf("log holds %d records, want %d (one per letter, one for the retried one)", got, n+1)
	}
}

// BenchmarkSaveDeposit commits deposits of a 100 KB letter with one event
// for several numbers of concurrent senders and group-commit sizes.
// MaxBatchSize=1 commits each deposit alone, as sequential Updates would;
// the default commits, at once, whatever queued while the previous commit
// ran (up to 256). Compare deposits/s per row.
func BenchmarkSaveDeposit(b *testing.B) {
	settings := []struct {
		name string
		opts storage.Options
	}{
		{"alone", storage.Options{MaxBatchSize: 1}},
		{"size=16", storage.Options{MaxBatchSize: 16}},
		{"default", storage.Options{}},
	}
	letter := make([]byte, 100_000)
	for _, senders := range []int{1, 8, 64} {
		for _, s := range settings {
			b.Run(fmt.Sprintf("senders=%d/%s", senders, s.name), func(b *testing.B) {
				db, err := storage.Open(b.TempDir(), s.opts)
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				var seq atomic.Int64
				save := func() {
					d := deposit(b, int(seq.Add(1)), "alice", 1)
					d.Contents["doc-01"] = letter
					if _, _, err := db.SaveDeposit(context.Background(), d); err != nil {
						b.Fatal(err)
					}
				}
				if senders == 1 {
					for b.Loop() {
						save()
					}
				} else {
					// RunParallel starts parallelism × GOMAXPROCS goroutines.
					b.SetParallelism((senders + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							save()
						}
					})
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deposits/s")
			})
		}
	}
}
