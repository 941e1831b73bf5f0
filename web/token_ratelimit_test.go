package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// One link token is rate-limited across clients, and its bucket is its
// own: hammering one token does not slow another.
func TestLinkTokenRateLimit(t *testing.T) {
	e := newAuditEnv(t)
	get := func(token string) int {
		res, err := http.Get(e.srv.URL + "/r/" + token)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	hammered := strings.Repeat("a", 52)
	limited := 0
	for i := 0; i < 30; i++ {
		if get(hammered) == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Fatal("30 quick requests on one token were never limited")
	}
	if got := get(strings.Repeat("b", 52)); got != http.StatusNotFound {
		t.Fatalf("another token answered %d, want its own 404", got)
	}
}
