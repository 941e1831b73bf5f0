package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/lre-project/lre/core"
)

// Anonymous uploads to POST /verify/upload are bounded three ways. The
// file is spooled to a temporary file while it arrives, so a slow client
// holds a file descriptor and disk, not memory; the body must arrive
// within verifyReadTimeout (50 MiB then needs about 1 MB/s); and only the
// verification, which reads the file into memory, takes its size from a
// global budget of verifyBudget bytes. Beyond the budget the upload is
// answered 503 with Retry-After at once, rather than queued: it costs the
// client one retry, and costs the server nothing.
const (
	verifyBudget = 128 << 20
	// verifyWorkFactor: verifying holds the file, its unzipped parts and
	// the report, about twice the file.
	verifyWorkFactor = 2
)

var verifyMemory = semaphore.NewWeighted(verifyBudget)

// verifyReadTimeout is how long the whole upload may take to arrive (a
// variable only so that a test can shorten it).
var verifyReadTimeout = time.Minute

// errVerifyBusy is the answer beyond the budget.
var errVerifyBusy = core.Errorf(core.EUNAVAILABLE, "the server is verifying other uploads: retry in a moment")

// spool copies at most limit bytes of r into a temporary file and returns
// it rewound, with its size; the caller closes it with closeSpool.
func spool(r io.Reader, limit int64, field string) (*os.File, int64, error) {
	f, err := os.CreateTemp("", "lre-verify-*")
	if err != nil {
		return nil, 0, err
	}
	n, err := io.Copy(f, io.LimitReader(r, limit+1))
	if err == nil && n > limit {
		err = core.FieldError(core.ETOOLARGE, field, "%s is larger than %s", field, core.Bytes(limit))
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		closeSpool(f)
		var ce *core.Error
		if errors.As(err, &ce) {
			return nil, 0, err
		}
		return nil, 0, uploadError(err)
	}
	return f, n, nil
}

func closeSpool(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}

// withVerifyMemory reads the spooled file into memory and runs verify on
// it while holding its share of the budget, or fails with errVerifyBusy.
func withVerifyMemory(ctx context.Context, f *os.File, size int64, verify func([]byte) error) error {
	weight := min(size*verifyWorkFactor+1, verifyBudget)
	if !verifyMemory.TryAcquire(weight) {
		return errVerifyBusy
	}
	defer verifyMemory.Release(weight)
	b := make([]byte, size)
	if _, err := io.ReadFull(f, b); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return verify(b)
}

// limitReadTime ends the request body's reading verifyReadTimeout from now.
func limitReadTime(w http.ResponseWriter) {
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(verifyReadTimeout))
}
