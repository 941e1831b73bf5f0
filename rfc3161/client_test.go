package rfc3161_test

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/rfc3161"
)

// sleepLog stands in for the wait between rounds: it records the delay and
// runs then, if set, as if the world moved on while the client waited.
type sleepLog struct {
	mu    sync.Mutex
	waits []time.Duration
	then  func()
}

func (s *sleepLog) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	if s.then != nil {
		s.then()
	}
	return ctx.Err()
}

// downURL returns the address of a port nothing listens on any more.
func downURL(t testing.TB) (string, string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr, addr
}

func newClient(t testing.TB, urls []string, roots *x509.CertPool, opts ...rfc3161.ClientOption) *rfc3161.Client {
	t.Helper()
	c, err := rfc3161.NewClient(urls, roots, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClientRoundTrip(t *testing.T) {
	a := newAuthority(t)
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	digest := sum256("deposit")
	tests := []struct {
		name      string
		opts      []rfc3161.ClientOption
		qualified bool
	}{
		{"non-qualified", nil, false},
		{"qualified", []rfc3161.ClientOption{rfc3161.WithQualified()}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := newClient(t, []string{srv.URL}, a.Roots(), tt.opts...).Timestamp(context.Background(), digest)
			if err != nil {
				t.Fatal(err)
			}
			if tok.Qualified != tt.qualified || tok.Policy != rfc3161.EmbeddedPolicy {
				t.Errorf("token = %+v", tok)
			}
			if _, err := rfc3161.VerifyToken(tok.DER, digest, a.Roots(), nil); err != nil {
				t.Errorf("stored token does not verify: %v", err)
			}
		})
	}
}

func TestClientFailsOver(t *testing.T) {
	a := newAuthority(t)
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	down, _ := downURL(t)
	var log sleepLog
	c := newClient(t, []string{down, srv.URL}, a.Roots(), rfc3161.WithSleep(log.sleep))
	if _, err := c.Timestamp(context.Background(), sum256("deposit")); err != nil {
		t.Fatal(err)
	}
	if len(log.waits) != 0 {
		t.Errorf("waited %v before trying the second authority", log.waits)
	}
}

func TestClientRetriesUntilAuthorityIsBack(t *testing.T) {
	a := newAuthority(t)
	url, addr := downURL(t)
	srv := httptest.NewUnstartedServer(a)
	log := sleepLog{then: func() {
		if srv.URL != "" {
			return
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Error(err)
			return
		}
		srv.Listener.Close()
		srv.Listener = ln
		srv.Start()
		t.Cleanup(srv.Close)
	}}
	c := newClient(t, []string{url}, a.Roots(), rfc3161.WithRetries(3, time.Second), rfc3161.WithSleep(log.sleep))
	if _, err := c.Timestamp(context.Background(), sum256("deposit")); err != nil {
		t.Fatal(err)
	}
	if want := []time.Duration{time.Second}; !slices.Equal(log.waits, want) {
		t.Errorf("waits = %v, want %v", log.waits, want)
	}
}

func TestClientBacksOffThenGivesUp(t *testing.T) {
	down1, _ := downURL(t)
	down2, _ := downURL(t)
	tests := []struct {
		name    string
		retries int
		backoff time.Duration
		want    []time.Duration
	}{
		{"no retry", 0, time.Second, nil},
		{"doubling", 2, 100 * time.Millisecond, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}},
		{"capped", 5, 3 * time.Second, []time.Duration{3 * time.Second, 6 * time.Second, 8 * time.Second, 8 * time.Second, 8 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log sleepLog
			c := newClient(t, []string{down1, down2}, x509.NewCertPool(), rfc3161.WithRetries(tt.retries, tt.backoff), rfc3161.WithSleep(log.sleep))
			_, err := c.Timestamp(context.Background(), sum256("deposit"))
			if core.ErrorCode(err) != core.EUNAVAILABLE || !strings.Contains(err.Error(), down1) || !strings.Contains(err.Error(), down2) {
				t.Fatalf("err = %v, want EUNAVAILABLE naming both authorities", err)
			}
			if !slices.Equal(log.waits, tt.want) {
				t.Errorf("waits = %v, want %v", log.waits, tt.want)
			}
		})
	}
}

func TestClientStopsWhenContextDone(t *testing.T) {
	down, _ := downURL(t)
	ctx, cancel := context.WithCancel(context.Background())
	log := sleepLog{then: cancel}
	c := newClient(t, []string{down}, x509.NewCertPool(), rfc3161.WithRetries(5, time.Second), rfc3161.WithSleep(log.sleep))
	_, err := c.Timestamp(ctx, sum256("deposit"))
	if !errors.Is(err, context.Canceled) || core.ErrorCode(err) != core.EUNAVAILABLE {
		t.Fatalf("err = %v, want EUNAVAILABLE wrapping context.Canceled", err)
	}
	if len(log.waits) != 1 {
		t.Errorf("waits = %v, want one", log.waits)
	}
}

func TestClientTransportFailures(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"server error", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) }, "HTTP status 500"},
		{"HTML page", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<p>hi"))
		}, "content type"},
		{"endless reply", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/timestamp-reply")
			w.Write(make([]byte, 1<<20+1))
		}, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			t.Cleanup(srv.Close)
			c := newClient(t, []string{srv.URL}, x509.NewCertPool(), rfc3161.WithRetries(0, 0))
			_, err := c.Timestamp(context.Background(), sum256("deposit"))
			if core.ErrorCode(err) != core.EUNAVAILABLE || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want EUNAVAILABLE saying %q", err, tt.want)
			}
		})
	}
}

func TestTimestampersRejectBadDigest(t *testing.T) {
	a := newAuthority(t)
	timestampers := map[string]core.Timestamper{
		"client": newClient(t, []string{"http://127.0.0.1:1"}, a.Roots()),
		"local":  rfc3161.NewLocal(a),
	}
	for name, ts := range timestampers {
		if _, err := ts.Timestamp(context.Background(), []byte("short")); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("%s: err = %v, want EINVALID", name, err)
		}
	}
}

func TestNewClientRejects(t *testing.T) {
	roots := x509.NewCertPool()
	tests := []struct {
		name  string
		urls  []string
		roots *x509.CertPool
		opts  []rfc3161.ClientOption
	}{
		{"no URL", nil, roots, nil},
		{"not http", []string{"ftp://tsa.example"}, roots, nil},
		{"no host", []string{"http:///tsr"}, roots, nil},
		{"unparsable", []string{"http://[::1"}, roots, nil},
		{"no roots", []string{"https://tsa.example"}, nil, nil},
		{"negative retries", []string{"https://tsa.example"}, roots, []rfc3161.ClientOption{rfc3161.WithRetries(-1, 0)}},
		{"nil HTTP client", []string{"https://tsa.example"}, roots, []rfc3161.ClientOption{rfc3161.WithHTTPClient(nil)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := rfc3161.NewClient(tt.urls, tt.roots, tt.opts...); err == nil {
				t.Fatal("NewClient accepted it")
			}
		})
	}
}
