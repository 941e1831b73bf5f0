package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/loadgen"
)

// BenchmarkNoticeCreate deposits letters through the whole handler (auth,
// multipart intake, validation, token, one group-committed transaction) on
// a real bbolt file, without the network: what `lre bench` measures minus
// HTTP over loopback and the load generator. B/op shows what intake buffers
// per letter. Run with -cpu 1,2 and compare with BenchmarkLocalTimestamp
// (rfc3161), which every deposit pays.
func BenchmarkNoticeCreate(b *testing.B) {
	for _, size := range []int{1000, 100_000, 5_000_000} {
		for _, par := range []int{1, 32} {
			b.Run(fmt.Sprintf("size=%d/senders=%d", size, par), func(b *testing.B) {
				benchDeposits(b, size, par)
			})
		}
	}
}

func benchDeposits(b *testing.B, size, senders int) {
	e := newEnv(b)
	key := e.addUser(b, "bench@example.org", "Bench", core.RoleSender)
	letter := loadgen.NewLetter(size)
	var seq atomic.Int64
	deposit := func() {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/notices", letter.Body())
		r.Header.Set("Content-Type", letter.ContentType)
		r.Header.Set("Authorization", "Bearer "+key)
		r.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d", seq.Add(1)))
		w := httptest.NewRecorder()
		e.web.ServeHTTP(w, r)
		if w.Code != http.StatusCreated {
			b.Fatalf("deposit: %d %s", w.Code, w.Body)
		}
	}
	b.SetBytes(letter.Len())
	b.ReportAllocs()
	if senders == 1 {
		for b.Loop() {
			deposit()
		}
		return
	}
	// RunParallel starts parallelism × GOMAXPROCS goroutines.
	b.SetParallelism((senders + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			deposit()
		}
	})
}
