package rfc3161

import (
	"errors"
	"fmt"
	"time"
)

// DefaultMaxSkew is how far a fresh token's genTime may lie from the local
// clock, beyond the accuracy the authority states: two NTP-synchronised
// clocks agree to well under a second, and a few minutes leave room for a
// slow answer without letting a wrong clock date a letter.
const DefaultMaxSkew = 5 * time.Minute

// ErrGenTime means a fresh token's genTime is further from the local clock
// than the allowed skew plus the authority's accuracy: the authority's clock
// (or ours) is wrong, and the token would give a letter a false deposit
// time. Fix the clock; the deposit stays pending until a token agrees.
var ErrGenTime = errors.New("rfc3161: genTime too far from the local clock")

// freshness bounds the genTime of a token just received; the zero value
// (stored tokens, checked years later) bounds nothing.
type freshness struct {
	now     func() time.Time
	maxSkew time.Duration
}

// check compares genTime with the local clock, widened by the accuracy the
// token states.
func (f freshness) check(info tstInfo) error {
	if f.now == nil {
		return nil
	}
	now := f.now()
	allowed := f.maxSkew + info.Accuracy.duration()
	off := info.GenTime.Sub(now)
	if off <= allowed && -off <= allowed {
		return nil
	}
	dir := "ahead of"
	if off < 0 {
		dir, off = "behind", -off
	}
	return fmt.Errorf("%w: genTime %s is %s %s the local clock (%s); allowed: %s skew plus %s accuracy",
		ErrGenTime, info.GenTime.UTC().Format(time.RFC3339), off.Round(time.Second), dir, now.UTC().Format(time.RFC3339), f.maxSkew, info.Accuracy.duration())
}

// duration is the stated accuracy; absurd values count as none, so that a
// token cannot widen its own bounds without limit.
func (a accuracy) duration() time.Duration {
	if a.Seconds < 0 || a.Seconds > 60 || a.Millis < 0 || a.Millis > 999 || a.Micros < 0 || a.Micros > 999 {
		return 0
	}
	return time.Duration(a.Seconds)*time.Second + time.Duration(a.Millis)*time.Millisecond + time.Duration(a.Micros)*time.Microsecond
}
