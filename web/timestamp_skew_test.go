package web_test

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/metrics"
	"github.com/lre-project/lre/rfc3161"
)

// TestDepositRefusesTokenFromWrongClock: an external authority on loopback
// whose clock is 400 days off signs perfectly valid tokens; the deposit
// stays pending_timestamp (202, no SubmissionAcceptance), the metric counts
// a gen_time rejection and the log says why. An authority on time gets 201.
func TestDepositRefusesTokenFromWrongClock(t *testing.T) {
	for _, tt := range []struct {
		name   string
		offset time.Duration
		want   int
	}{
		{"400 days ahead", 400 * 24 * time.Hour, http.StatusAccepted},
		{"400 days behind", -400 * 24 * time.Hour, http.StatusAccepted},
		{"10 minutes ahead", 10 * time.Minute, http.StatusAccepted},
		{"on time", 0, http.StatusCreated},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clock := func() time.Time { return time.Now().Add(tt.offset) }
			a, err := rfc3161.LoadOrCreateAuthority(filepath.Join(t.TempDir(), "tsa"), "skewed TSA", clock, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			tsa := httptest.NewServer(a)
			t.Cleanup(tsa.Close)
			s := newOpsSite(t, withOpsTimestamper(func(m *metrics.Metrics) (string, core.Timestamper) {
				c, err := rfc3161.NewClient([]string{tsa.URL}, a.Roots(), rfc3161.WithRetries(0, 0),
					rfc3161.WithClock(time.Now, rfc3161.DefaultMaxSkew), rfc3161.WithRejected(m.TimestampRejected))
				if err != nil {
					t.Fatal(err)
				}
				return tsa.URL, c
			}))
			key := s.user(t, "Cabinet Dupont", core.RoleSender)
			x := s.depositRaw(t, key, letterFields())
			if x.status != tt.want {
				t.Fatalf("deposit: %s, want %d", x, tt.want)
			}
			var n struct{ ID, Status string }
			if err := json.Unmarshal([]byte(x.body), &n); err != nil {
				t.Fatal(err)
			}
			scrape := want(t, "metrics", s.api(t, "GET", "/metrics", "", ""), http.StatusOK).body
			series := `lre_timestamp_rejected_total{reason="gen_time",tsa="` + tsa.URL + `"} 1`
			if tt.want == http.StatusCreated {
				if strings.Contains(scrape, `reason="gen_time"`) || n.Status != string(core.StatusDeposited) {
					t.Errorf("on-time token: status %s, metrics:\n%s", n.Status, scrape)
				}
				return
			}
			if n.Status != string(core.StatusPendingTimestamp) || s.status(t, n.ID) != core.StatusPendingTimestamp {
				t.Errorf("status %s (stored %s), want pending_timestamp", n.Status, s.status(t, n.ID))
			}
			if evs := s.events(t, key, n.ID); len(evs) != 0 {
				t.Errorf("events %+v: a refused token must not become evidence", evs)
			}
			if !strings.Contains(scrape, series) {
				t.Errorf("metrics lack %s", series)
			}
			if logs := s.logs.String(); !strings.Contains(logs, "genTime") || !strings.Contains(logs, "the local clock") {
				t.Errorf("the log does not say why the token was refused:\n%s", logs)
			}
		})
	}
}
