package web_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
)

// TestReadyz: ready while the outbox drains; 503 naming the outbox once
// its oldest due mail has waited more than 15 minutes.
func TestReadyz(t *testing.T) {
	s := newOpsSite(t)
	key := s.user(t, "Cabinet Dupont", core.RoleSender)
	type readiness struct {
		Status string
		Checks map[string]struct {
			OK    bool
			Error string
		}
	}
	r := decodeAs[readiness](t, "readyz on an empty store", s.api(t, "GET", "/readyz", "", ""), http.StatusOK)
	if r.Status != "ready" || !r.Checks["store"].OK || !r.Checks["outbox"].OK {
		t.Fatalf("readyz = %+v", r)
	}
	s.deposit(t, key, letterFields()) // its notification waits in the outbox
	s.clock.Add(10 * time.Minute)
	want(t, "readyz with a fresh queue", s.api(t, "GET", "/readyz", "", ""), http.StatusOK)
	s.clock.Add(6 * time.Minute)
	r = decodeAs[readiness](t, "readyz with a stuck outbox", s.api(t, "GET", "/readyz", "", ""), http.StatusServiceUnavailable)
	if r.Status != "not_ready" || r.Checks["outbox"].OK || !strings.Contains(r.Checks["outbox"].Error, "16m0s") || !r.Checks["store"].OK {
		t.Errorf("readyz = %+v, want the outbox failing after 16m0s", r)
	}
	s.outbox(t)
	want(t, "readyz once the outbox drained", s.api(t, "GET", "/readyz", "", ""), http.StatusOK)
}

// TestMetrics: after one deposit the scrape shows the deposit, the
// timestamp latency of the authority, the mail outcome, the queue depths
// and the request latency by route pattern.
func TestMetrics(t *testing.T) {
	s := newOpsSite(t)
	key := s.user(t, "Cabinet Dupont", core.RoleSender)
	s.deposit(t, key, letterFields())
	s.depositRaw(t, key, map[string]string{"recipient_email": "not an address"})
	x := want(t, "first scrape", s.api(t, "GET", "/metrics", "", ""), http.StatusOK)
	for _, series := range []string{
		`lre_deposits_total{result="deposited"} 1`,
		`lre_deposits_total{result="rejected"} 1`,
		`lre_timestamp_duration_seconds_count{tsa="embedded"} 1`,
		`lre_queue_depth{queue="outbox"} 1`,
		`lre_queue_depth{queue="pending_timestamps"} 0`,
		`lre_queue_depth{queue="webhooks"} 0`,
		`lre_http_request_duration_seconds_count{method="POST",route="/api/v1/notices",status="201"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(x.body, series) {
			t.Errorf("metrics lack %s", series)
		}
	}
	s.outbox(t)
	x = want(t, "second scrape", s.api(t, "GET", "/metrics", "", ""), http.StatusOK)
	for _, series := range []string{`lre_smtp_results_total{class="accepted"} 1`, `lre_queue_oldest_due_seconds{queue="outbox"} 0`} {
		if !strings.Contains(x.body, series) {
			t.Errorf("metrics after delivery lack %s", series)
		}
	}
}

// TestAccessLog: every request is logged with its request id, and the
// secret of a recipient link never reaches the log, even on a 404.
func TestAccessLog(t *testing.T) {
	s := newOpsSite(t)
	key := s.user(t, "Cabinet Dupont", core.RoleSender)
	_, m := s.notified(t, key, letterFields())
	token := strings.TrimPrefix(m.Link, s.url+"/r/")
	b := s.browser(t)
	b.get(m.Link)
	b.get("/r/" + token + "/no-such-page?x=1")
	b.get("/consent/" + token)
	x := s.api(t, "GET", "/api/v1/notices/LRE-AAAA-AAAA-AAAA-AAAA", key, "")

	logs := s.logs.String()
	for _, secret := range []string{token, key, m.Code} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds a secret %q:\n%s", secret, logs)
		}
	}
	if strings.Contains(logs, "Mise en demeure") || strings.Contains(logs, "facture 42") {
		t.Errorf("the log holds letter content")
	}
	var found bool
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) != nil || rec["msg"] != "http request" {
			continue
		}
		if rec["request_id"] == "" || rec["request_id"] == nil {
			t.Errorf("access log line without request id: %s", sc.Text())
		}
		if strings.HasPrefix(rec["path"].(string), "/r/") && !strings.HasPrefix(rec["path"].(string), "/r/REDACTED") {
			t.Errorf("unredacted path: %s", sc.Text())
		}
		if rec["request_id"] == x.header.Get("X-Request-Id") && rec["status"] == float64(404) && rec["route"] == "/api/v1/notices/:id" {
			found = true
		}
	}
	if !found {
		t.Errorf("no access log line with request id %q and status 404:\n%s", x.header.Get("X-Request-Id"), logs)
	}
}

// TestOpenAPIMatchesRoutes: every /api/v1 route is documented in
// web/openapi.json, and every documented path and method is a route.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	s := newOpsSite(t)
	x := want(t, "openapi", s.api(t, "GET", "/api/v1/openapi.json", "", ""), http.StatusOK)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(x.body), &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi.json: %v (version %q)", err, doc.OpenAPI)
	}
	param := regexp.MustCompile(`\{([a-z_]+)\}`)
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			documented[strings.ToUpper(method)+" "+param.ReplaceAllString(path, ":$1")] = true
		}
	}
	routes := map[string]bool{}
	for _, r := range s.web.Routes() {
		routes[r.Method+" "+r.Path] = true
		if strings.HasPrefix(r.Path, "/api/v1/") && !documented[r.Method+" "+r.Path] {
			t.Errorf("route %s %s is not documented in web/openapi.json", r.Method, r.Path)
		}
	}
	for d := range documented {
		if !routes[d] {
			t.Errorf("web/openapi.json documents %s, which is not a route", d)
		}
	}
}
