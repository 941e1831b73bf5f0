package storage_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
)

// benchEvents is shaped like a SubmissionAcceptance, so that the bytes
// hashed per record are realistic.
func benchEvents(id string, from, n int) []core.Event {
	evs := make([]core.Event, 0, n)
	for i := from; i < from+n; i++ {
		sum := sha256.Sum256(fmt.Appendf(nil, "letter %d", i))
		evs = append(evs, core.Event{
			Type: core.EventSubmissionAcceptance, NoticeID: id, Time: t0,
			Details: map[string]string{
				"deposit_digest":   fmt.Sprintf("%x", sum),
				"digest_method":    "http://www.w3.org/2001/04/xmlenc#sha256",
				"submission_time":  t0.Format(time.RFC3339Nano),
				"timestamp_time":   t0.Format(time.RFC3339Nano),
				"timestamp_serial": fmt.Sprint(1_000_000_000 + i),
				"timestamp_tsa":    "lre bench TSA (non-qualified)",
				"sender":           "alice@example.org",
				"recipient":        fmt.Sprintf("coowner-%d@example.com", i),
			},
		})
	}
	return evs
}

// BenchmarkAppendEvents measures appending events in large transactions
// (hash chain, notice index, transparency tree), without the fsync cost
// dominating: 1,000 events per commit.
func BenchmarkAppendEvents(b *testing.B) {
	db := openDB(b, b.TempDir())
	const perTx = 1000
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d := deposit(b, i, "alice", 0)
		d.Events = benchEvents(d.Notice.ID, i*perTx, perTx)
		if _, _, err := db.SaveDeposit(context.Background(), d); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(perTx)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
