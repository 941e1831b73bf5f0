package core_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/internal/lretest"
	"github.com/lre-project/lre/storage"
)

// BenchmarkDepositGroupCommit deposits 100 KB letters through
// core.Service.Deposit (idempotency, sending policy, validation, manifest,
// token from the embedded authority, one group-committed transaction) from
// 1, 8 and 64 senders. Besides deposits/s it reports the bytes this process
// made the kernel write per letter (/proc/self/io write_bytes): every
// commit rewrites the pages it touches in some twenty buckets and the
// freelist, so letters per commit decide the disk traffic.
func BenchmarkDepositGroupCommit(b *testing.B) {
	for _, senders := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("senders=%d", senders), func(b *testing.B) {
			benchDeposit(b, storage.Options{}, senders)
		})
	}
}

func benchDeposit(b *testing.B, opts storage.Options, senders int) {
	ctx := context.Background()
	dir := b.TempDir()
	db, err := storage.Open(dir, opts)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	svc := lretest.Build(b, lretest.Fixture{DB: db, Clock: lretest.Following(), NoSender: true}, services.WithLogger(quiet)).Svc
	u, _, err := svc.Accounts.AddUser(ctx, "bench@example.org", "Bench", "Bench", core.RoleSender)
	if err != nil {
		b.Fatal(err)
	}
	up, err := core.ReadUpload("convocation.pdf", "application/pdf", bytes.NewReader(make([]byte, 100_000)), core.DefaultLimits.MaxTotalBytes)
	if err != nil {
		b.Fatal(err)
	}
	var seq atomic.Int64
	written := writeBytes()
	deposit := func() {
		req := core.DepositRequest{Sender: u, RecipientEmail: "coowner@example.com", RecipientName: "Copropriétaire", Subject: "Convocation",
			Body: "Madame, Monsieur,", Attachments: []core.Upload{up}, IdempotencyKey: fmt.Sprintf("bench-%d", seq.Add(1))}
		if _, _, err := svc.Letters.Deposit(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
	if senders == 1 {
		for b.Loop() {
			deposit()
		}
	} else {
		// RunParallel starts parallelism × GOMAXPROCS goroutines.
		b.SetParallelism((senders + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				deposit()
			}
		})
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deposits/s")
	if w := writeBytes() - written; w > 0 {
		b.ReportMetric(float64(w)/float64(b.N)/1000, "diskKB/letter")
	}
}

// writeBytes is what this process has caused to be written to storage.
func writeBytes() int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "write_bytes:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}
