package core

import "time"

// RetryPolicy bounds how a temporarily refused mail is retried: exponential
// backoff from Base, capped at Max, with jitter, until MaxAge after queueing.
type RetryPolicy struct {
	Base   time.Duration
	Max    time.Duration
	MaxAge time.Duration
}
