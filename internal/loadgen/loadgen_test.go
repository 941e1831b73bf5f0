package loadgen_test

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lre-project/lre/internal/loadgen"
)

func TestRun(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if r.Header.Get("Authorization") != "Bearer k" || r.Header.Get("Idempotency-Key") == "" {
			http.Error(w, "headers", http.StatusUnauthorized)
			return
		}
		if n%10 == 0 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	var ticks atomic.Int64
	res, err := loadgen.Run(context.Background(), loadgen.Config{
		URL: srv.URL, Key: "k", Concurrency: 4, Size: 1000, Duration: 1100 * time.Millisecond,
		Progress: func(loadgen.Progress) { ticks.Add(1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Deposits == 0 || res.Errors == 0 || res.Statuses[http.StatusServiceUnavailable] != res.Errors {
		t.Errorf("deposits %d, errors %d, statuses %v: want both, the errors all 503", res.Deposits, res.Errors, res.Statuses)
	}
	if res.Rate <= 0 || res.P50 <= 0 || res.P50 > res.P95 || res.P95 > res.P99 || res.P99 > res.Max {
		t.Errorf("rate %.0f, latencies %s %s %s %s: want positive and ordered", res.Rate, res.P50, res.P95, res.P99, res.Max)
	}
	if res.Sent < res.Deposits || ticks.Load() == 0 {
		t.Errorf("sent %d < deposits %d, or %d progress calls", res.Sent, res.Deposits, ticks.Load())
	}
}

func TestLetterIsLREDeposit(t *testing.T) {
	l := loadgen.NewLetter(5000)
	_, params, err := mime.ParseMediaType(l.ContentType)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(l.Body())
	if int64(len(body)) != l.Len() {
		t.Fatalf("Len %d, body %d bytes", l.Len(), len(body))
	}
	mr := multipart.NewReader(strings.NewReader(string(body)), params["boundary"])
	parts := map[string]int{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		parts[p.FormName()] = len(b)
	}
	if parts["attachments"] != 5000 || parts["recipient_email"] == 0 || parts["subject"] == 0 || parts["body"] == 0 {
		t.Errorf("parts %v: want the deposit fields and a 5000-byte attachment", parts)
	}
}

func TestLoopbackOnly(t *testing.T) {
	for url, ok := range map[string]bool{
		"http://127.0.0.1:8080/api": true, "http://localhost:1": true, "http://[::1]:80": true,
		"http://192.0.2.1/": false, "https://example.org/": false, "ftp://127.0.0.1/": false,
	} {
		if err := loadgen.CheckLoopback(url); (err == nil) != ok {
			t.Errorf("CheckLoopback(%s) = %v", url, err)
		}
	}
}
