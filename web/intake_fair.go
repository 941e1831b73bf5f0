package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/semaphore"
)

// Fairness of the intake budget (notice_create.go). One sender holds at
// most intakeShare of it at a time: its further deposits wait behind its
// own, not in everyone's queue, so other senders always find the rest. A
// letter larger than the share counts as the share, which lets memory
// exceed the budget by at most one large letter per share (about 50 MiB
// in all by default). And a body must keep moving: no byte for
// intakeStall, or less than intakeMinRate once intakeGrace has passed,
// ends the request with 408 and gives its budget back at once.
const intakeShare = intakeBudget / 2

var (
	intakeStall   = 10 * time.Second
	intakeGrace   = 10 * time.Second
	intakeMinRate = int64(128 << 10) // bytes per second
)

// errTooSlow is what a body that stalls or trickles gets.
var errTooSlow = echo.NewHTTPError(http.StatusRequestTimeout, "the upload was too slow: send the letter at 128 KiB/s or faster, without pauses of 10 s")

// senderShares holds one semaphore of intakeShare bytes per sender with a
// deposit in progress; an entry goes when its last user leaves.
type senderShares struct {
	mu sync.Mutex
	m  map[string]*senderShare
}

type senderShare struct {
	sem   *semaphore.Weighted
	users int
}

var shares = &senderShares{m: map[string]*senderShare{}}

func (s *senderShares) acquire(ctx context.Context, sender string, n int64) (func(), error) {
	s.mu.Lock()
	sh := s.m[sender]
	if sh == nil {
		sh = &senderShare{sem: semaphore.NewWeighted(intakeShare)}
		s.m[sender] = sh
	}
	sh.users++
	s.mu.Unlock()
	leave := func() {
		s.mu.Lock()
		if sh.users--; sh.users == 0 {
			delete(s.m, sender)
		}
		s.mu.Unlock()
	}
	if err := acquireIntake(ctx, sh.sem, n); err != nil {
		leave()
		return nil, err
	}
	return func() { sh.sem.Release(n); leave() }, nil
}

// takeIntake reserves a deposit's share of the intake budget, its
// sender's first, and paces the request body; release gives both back.
func (s *Server) takeIntake(c echo.Context) (release func(), err error) {
	r := c.Request()
	n := min(letterWeight(r, s.svc.Letters.Limits()), intakeShare)
	mine, err := shares.acquire(r.Context(), userOf(c).ID, n)
	if err != nil {
		return nil, err
	}
	if err := acquireIntake(r.Context(), intake, n); err != nil {
		mine()
		return nil, err
	}
	all := func() { intake.Release(n) }
	r.Body = &pacedBody{ReadCloser: r.Body, rc: http.NewResponseController(c.Response().Writer), start: time.Now()}
	return func() { all(); mine() }, nil
}

// pacedBody enforces intakeStall (a read deadline renewed at each read)
// and intakeMinRate on a request body.
type pacedBody struct {
	io.ReadCloser
	rc    *http.ResponseController
	start time.Time
	read  int64
}

func (p *pacedBody) Read(b []byte) (int, error) {
	_ = p.rc.SetReadDeadline(time.Now().Add(intakeStall))
	n, err := p.ReadCloser.Read(b)
	p.read += int64(n)
	if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		return n, errTooSlow
	}
	if el := time.Since(p.start); el > intakeGrace && p.read < int64(el.Seconds()*float64(intakeMinRate)) && err == nil {
		return n, errTooSlow
	}
	return n, err
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
