package accounts

import (
	"fmt"
	"github.com/lre-project/lre/core"
	"math"
	"sync"
	"time"
)

// ThrottledError is the cause of a login refused because of earlier
// failures. Answer 429 with Retry-After set to Wait, rounded up.
type ThrottledError struct{ Wait time.Duration }

func (e *ThrottledError) Error() string { return fmt.Sprintf("login throttled for %s", e.Wait) }

func throttled(wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	return core.Errorf(core.EUNAVAILABLE, "too many failed logins: try again in %d seconds", secs).WithCause(&ThrottledError{Wait: wait})
}

// Login throttling: an account gets 5 free failures and an address 20 (an
// office shares one); each failure after that doubles the wait from 30
// seconds, up to 15 minutes. An hour without failure forgets them. Both
// tables are bounded, evicting the stalest entry when full.
const (
	freeAccountFailures = 5
	freeIPFailures      = 20
	throttleBase        = 30 * time.Second
	throttleMax         = 15 * time.Minute
	throttleForget      = time.Hour
	throttleEntries     = 10000
)

type failures struct {
	n    int
	last time.Time
}

type failureTable struct {
	free int
	m    map[string]failures
}

func (t *failureTable) wait(key string, now time.Time) time.Duration {
	f, ok := t.m[key]
	if !ok || f.n < t.free || now.Sub(f.last) >= throttleForget {
		return 0
	}
	delay := throttleMax
	if shift := f.n - t.free; shift < 10 {
		delay = min(throttleBase<<shift, throttleMax)
	}
	return f.last.Add(delay).Sub(now)
}

func (t *failureTable) fail(key string, now time.Time) {
	f, ok := t.m[key]
	if !ok && len(t.m) >= throttleEntries {
		t.evict(now)
	}
	if now.Sub(f.last) >= throttleForget {
		f.n = 0
	}
	t.m[key] = failures{n: f.n + 1, last: now}
}

// evict drops forgotten entries, or the stalest one if none is.
func (t *failureTable) evict(now time.Time) {
	var oldest string
	for k, f := range t.m {
		if now.Sub(f.last) >= throttleForget {
			delete(t.m, k)
			continue
		}
		if oldest == "" || f.last.Before(t.m[oldest].last) {
			oldest = k
		}
	}
	if len(t.m) >= throttleEntries {
		delete(t.m, oldest)
	}
}

type loginThrottle struct {
	mu       sync.Mutex
	accounts failureTable
	ips      failureTable
}

func newLoginThrottle() *loginThrottle {
	return &loginThrottle{
		accounts: failureTable{free: freeAccountFailures, m: map[string]failures{}},
		ips:      failureTable{free: freeIPFailures, m: map[string]failures{}},
	}
}

// wait returns how long the next attempt for email from ip must wait.
func (l *loginThrottle) wait(email, ip string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.accounts.wait(email, now)
	if ip != "" {
		w = max(w, l.ips.wait(ip, now))
	}
	return w
}

func (l *loginThrottle) fail(email, ip string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.accounts.fail(email, now)
	if ip != "" {
		l.ips.fail(ip, now)
	}
}

// succeed forgets an account's failures. An address's are kept: logging in
// to one's own account must not reset a guesser's budget for others.
func (l *loginThrottle) succeed(email string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.accounts.m, email)
}
