package smtp

import "time"

// SetSessionIdle shortens how long an idle connection stays open; the
// returned function restores it.
func SetSessionIdle(d time.Duration) func() {
	old := sessionIdle
	sessionIdle = d
	return func() { sessionIdle = old }
}
