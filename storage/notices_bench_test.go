package storage_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lre-project/lre/storage"
)

// BenchmarkSaveDeposit commits deposits of a 100 KB letter with one event
// through bbolt's group commit, for several numbers of concurrent senders
// and batch settings. MaxBatchSize=1 commits each deposit alone, as a
// sequential Update would; the default (2ms, 256) waits up to 2ms for
// companions; bbolt's own default is 10ms, 1000. Compare deposits/s per
// row: at one sender the timer is pure latency, at 64 it buys throughput.
func BenchmarkSaveDeposit(b *testing.B) {
	settings := []struct {
		name string
		opts storage.Options
	}{
		{"alone", storage.Options{MaxBatchSize: 1}},
		{"delay=500us", storage.Options{MaxBatchDelay: 500 * time.Microsecond}},
		{"default", storage.Options{}},
		{"bbolt-default", storage.Options{MaxBatchDelay: 10 * time.Millisecond, MaxBatchSize: 1000}},
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
