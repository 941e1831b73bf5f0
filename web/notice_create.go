package web

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/semaphore"

	"github.com/lre-project/lre/core"
)

// Bounds of the multipart intake beyond core.Limits: text fields are small,
// the body is at most maxBodyBytes, and a request has a bounded number of
// parts (readForm) so that 10,000 tiny parts cannot exhaust the server.
const (
	maxFieldBytes     = 4 << 10
	maxBodyBytes      = 1 << 20
	multipartOverhead = 1 << 20
)

// noticeCreate is POST /api/v1/notices.
func (s *Server) noticeCreate(c echo.Context) error {
	release, err := s.takeIntake(c)
	if err != nil {
		return err
	}
	defer release()
	req, err := s.readDeposit(c)
	// Deposit returns once the letter is sealed and stored (or refused):
	// nothing reads the attachments' buffers after it.
	defer req.Release()
	if err != nil {
		return err
	}
	req.Sender, req.Auth = userOf(c), authOf(c)
	req.IdempotencyKey = c.Request().Header.Get("Idempotency-Key")
	n, replayed, err := s.svc.Letters.Deposit(c.Request().Context(), req)
	if err != nil {
		return err
	}
	if replayed {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	c.Response().Header().Set("Location", "/api/v1/notices/"+n.ID)
	status := http.StatusCreated
	if n.Status == core.StatusPendingTimestamp {
		status = http.StatusAccepted
	}
	return c.JSON(status, noticeView(n))
}

// readDeposit streams the API's multipart form: text fields into the
// request, attachments through core.ReadUpload, which hashes as it reads.
func (s *Server) readDeposit(c echo.Context) (core.DepositRequest, error) {
	var req core.DepositRequest
	fields := map[string]string{}
	spec := formSpec{
		notMultipart: core.Errorf(core.EINVALID, "send the letter as multipart/form-data"),
		fields:       letterLimits,
		file:         attachmentsInto(&req, s.svc.Letters.Limits()),
	}
	if err := s.readForm(c, spec, fields); err != nil {
		return req, err
	}
	fillDeposit(&req, fields)
	return req, nil
}

// intakeError names the limit a broken stream hit, or the malformation.
func intakeError(err error, limits core.Limits) error {
	if errors.Is(err, errTooSlow) {
		return errTooSlow
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(limits)
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		return err
	}
	if strings.Contains(err.Error(), "multipart") || errors.Is(err, io.ErrUnexpectedEOF) {
		return core.Errorf(core.EINVALID, "malformed multipart body: %v", err)
	}
	return core.Errorf(core.EINVALID, "could not read the request body: %v", err)
}

func tooLarge(limits core.Limits) error {
	return core.FieldError(core.ETOOLARGE, "attachments", "the letter exceeds the max_total_size limit of %s", core.Bytes(limits.MaxTotalBytes))
}

// rawFileName returns the file name exactly as the sender wrote it.
// multipart.Part.FileName strips directories, which would silently turn
// "../../etc/passwd" into "passwd": we want to refuse such names instead.
func rawFileName(p *multipart.Part) string {
	_, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	if err != nil {
		return ""
	}
	return params["filename"]
}

// The intake's memory budget. A deposit holds its letter in memory about
// twice over: the content from the multipart read to the end of its
// transaction (for contents of 32 KiB to 1 MiB, in a pooled buffer of the
// next power of two, core.Upload.Release), its sealed copy until it is in
// its content segment; so 64
// five-megabyte letters at once would need some 640 MiB. Deposits therefore take their
// Content-Length from a budget of intakeBudget bytes before reading the
// body, and wait, in arrival order, for earlier ones to finish; a request
// that waits longer than intakeWait gets a 503 with Retry-After. Waiting
// requests are not read, so TCP holds the senders back. One sender holds
// at most half the budget (intake_fair.go): letters of 100 KB never wait
// below 190 concurrent deposits of one sender. The budget is per process,
// as the memory it protects is.
//
// 48 MiB, not 24: with 24, one sender had two 5 MB letters in intake at a
// time and lre bench at 5 MB left a core idle; with 48 (four at a time),
// lre bench --size 5MB --targets lre measured 80 letters/s against 68-73,
// at an anonymous peak of 168-177 MiB (the target is 256 MiB).
const intakeBudget = 48 << 20

// intakeWait is a variable only so that a test can shorten it.
var intakeWait = 20 * time.Second

var intake = semaphore.NewWeighted(intakeBudget)

// letterWeight is what a deposit takes from the budget: its Content-Length,
// or the largest letter allowed when the sender did not say. Over the
// budget, it takes the whole budget, so that one letter can always pass.
func letterWeight(r *http.Request, limits core.Limits) int64 {
	n := r.ContentLength
	if n < 0 || n > limits.MaxTotalBytes+multipartOverhead {
		n = limits.MaxTotalBytes + multipartOverhead
	}
	return min(n, intakeBudget)
}

// acquireIntake takes n bytes of sem. semaphore.Weighted serves waiters in
// arrival order, so a large letter is not passed over by small ones and
// two large letters never each hold half of what both need. It waits at
// most intakeWait (then errIntakeBusy), or until the request ends (its
// context's error).
func acquireIntake(ctx context.Context, sem *semaphore.Weighted, n int64) error {
	wctx, cancel := context.WithTimeout(ctx, intakeWait)
	defer cancel()
	if err := sem.Acquire(wctx, n); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return errIntakeBusy
	}
	return nil
}

var errIntakeBusy = core.Errorf(core.EUNAVAILABLE, "too many letters are being received at once; retry later")
