package lretest

import (
	"sync"
	"time"
)

// Clock is a fake clock that tests move by hand; it is safe for the
// services' background workers to read concurrently. A clock made by
// Following moves with the real time as well, for the tests whose other
// parts read the real time (a browser's cookie jar, a real binary's
// session cookies, an authority's genTime) and would otherwise disagree
// with the services by the test's whole run.
type Clock struct {
	mu     sync.Mutex
	t      time.Time
	real   bool
	offset time.Duration // with real: how far ahead of the real time
}

// NewClock returns a Clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Following returns a Clock at the real time, which only Add and Set move
// away from it.
func Following() *Clock { return &Clock{real: true} }

// Now returns the clock's time, in UTC for a Following clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.real {
		return time.Now().Add(c.offset).UTC()
	}
	return c.t
}

// Add moves the clock forward by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.offset += d
	c.mu.Unlock()
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.offset = time.Until(t)
	c.mu.Unlock()
}
