package web_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
)

// TestCodeRequestsNeverLockOut: someone holding the link requests codes as
// fast as allowed. The waits grow (1 min, then doubling up to an hour) but
// never become a refusal for good: after 12 codes the real recipient still
// gets one and identifies. The slowdown is evidence of the letter.
func TestCodeRequestsNeverLockOut(t *testing.T) {
	f := newOTPFlow(t, letterFields())
	attacker := f.s.browser(t)
	want(t, "attacker opens the link", attacker.get("/r/"+f.token), http.StatusOK)
	for i := range 12 {
		want(t, fmt.Sprintf("code %d", i+1), attacker.post("/r/"+f.token+"/code", nil), http.StatusSeeOther)
		f.s.clock.Add(time.Hour) // the longest wait: a new code is always due by then
	}
	f.s.clock.Add(-time.Hour)
	x := want(t, "code 13 at once", attacker.post("/r/"+f.token+"/code", nil), http.StatusTooManyRequests)
	if wait, err := strconv.Atoi(x.header.Get("Retry-After")); err != nil || wait != 3600 {
		t.Errorf("after 12 codes Retry-After is %q, want 3600 (the wait grew to its cap)", x.header.Get("Retry-After"))
	}
	f.s.outbox(t)
	evs := f.s.events(t, f.key, f.id)
	if len(eventsOf(evs, core.EventCodeRequestsThrottled)) != 1 {
		t.Errorf("events %+v: want one CodeRequestsThrottled", evs)
	}
	f.s.clock.Add(time.Hour)
	c := f.code(t)
	want(t, "the recipient's own code", f.verify(c, ""), http.StatusSeeOther)
}

// TestWrongCodesAreEvidence: five wrong tries on a code and ten on the
// letter are recorded (CodeVoided, IdentificationLocked with its
// end); the lock ends, and the recipient then identifies.
func TestWrongCodesAreEvidence(t *testing.T) {
	f := newOTPFlow(t, letterFields())
	c := f.code(t)
	for i := range 5 {
		f.wantWrong(t, fmt.Sprintf("code 1, wrong try %d", i+1), f.verify(wrong(c, i), ""), msgWrongCode)
	}
	f.s.clock.Add(61 * time.Second)
	c = f.code(t)
	for i := range 4 {
		f.wantWrong(t, fmt.Sprintf("code 2, wrong try %d", i+1), f.verify(wrong(c, i), ""), msgWrongCode)
	}
	want(t, "tenth wrong try", f.verify(wrong(c, 4), ""), http.StatusTooManyRequests)
	evs := f.s.events(t, f.key, f.id)
	failed, locked := eventsOf(evs, core.EventCodeVoided), eventsOf(evs, core.EventIdentificationLocked)
	if len(failed) != 2 || len(locked) != 1 {
		t.Fatalf("%d CodeVoided and %d IdentificationLocked events, want 2 and 1: %+v", len(failed), len(locked), evs)
	}
	until, err := time.Parse(time.RFC3339, locked[0].Details["locked_until"])
	if err != nil || locked[0].Details["failed_tries"] != "10" || locked[0].Details["ip"] == "" {
		t.Errorf("IdentificationLocked details %v", locked[0].Details)
	}
	f.s.clock.Add(until.Sub(f.s.clock.Now()) + time.Second)
	c = f.code(t)
	want(t, "right code once the lock ended", f.verify(c, ""), http.StatusSeeOther)
}
