// Package loadgen drives an lre-shaped deposit endpoint with concurrent
// senders and measures what they see: deposits per second and the latency
// distribution. Every target gets the very same multipart request, so the
// numbers of lre and of its reference servers can be compared. It talks
// only to loopback addresses: it is a benchmark, not a load tester to aim
// at someone else's server.
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Config describes one run.
type Config struct {
	URL         string        // the deposit endpoint, e.g. http://127.0.0.1:8080/api/v1/notices
	Key         string        // API key sent as a bearer token; empty sends none
	Concurrency int           // senders, each with one request in flight
	Size        int           // attachment bytes per letter
	Duration    time.Duration // how long senders keep sending
	// Progress, when set, is called about once a second while measuring.
	Progress func(Progress)
}

// Progress is a one-second snapshot.
type Progress struct {
	Elapsed  time.Duration
	LastRate float64 // deposits/s over the last interval
	Deposits int64
	Errors   int64
}

// Result is what the senders measured.
type Result struct {
	Deposits   int           // 2xx answers completed within the measured window
	Sent       int           // 2xx answers, including those completed after it
	Errors     int           // other answers and transport errors
	Elapsed    time.Duration // measured window
	Rate       float64       // Deposits per second
	P50, P95   time.Duration
	P99, Max   time.Duration
	Statuses   map[int]int // HTTP status -> count; 0 is a transport error
	FirstError string      // the first error seen, for the report
}

// MaxDuration bounds a run so that a typo cannot keep a machine busy.
const MaxDuration = 10 * time.Minute

// Run sends letters until cfg.Duration has passed or ctx ends, then waits
// for the requests in flight.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.check(); err != nil {
		return Result{}, err
	}
	letter := NewLetter(cfg.Size)
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: cfg.Concurrency,
		MaxConnsPerHost:     cfg.Concurrency,
		DisableCompression:  true,
		Proxy:               nil,
	}}
	defer client.CloseIdleConnections()
	start := time.Now()
	r := &recorder{from: start, until: start.Add(cfg.Duration)}
	ctx, cancel := context.WithDeadline(ctx, r.until.Add(time.Minute))
	defer cancel()
	stop := r.report(cfg.Progress)
	var wg sync.WaitGroup
	for w := range cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 0; time.Now().Before(r.until) && ctx.Err() == nil; seq++ {
				t0 := time.Now()
				status, err := send(ctx, client, cfg, letter, fmt.Sprintf("%d-%d-%d", start.UnixNano(), w, seq))
				r.record(t0, time.Now(), status, err)
			}
		}()
	}
	wg.Wait()
	stop()
	return r.result(), ctx.Err()
}

func (cfg *Config) check() error {
	switch {
	case cfg.Concurrency < 1:
		return errors.New("loadgen: concurrency must be at least 1")
	case cfg.Size < 0:
		return errors.New("loadgen: size must not be negative")
	case cfg.Duration <= 0 || cfg.Duration > MaxDuration:
		return fmt.Errorf("loadgen: duration must be positive and at most %s", MaxDuration)
	}
	return CheckLoopback(cfg.URL)
}

// CheckLoopback refuses any URL whose host is not a loopback address.
func CheckLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("loadgen: %q is not an http(s) URL", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("loadgen: %s is not a loopback address; the benchmark only sends traffic to this machine", host)
}

// recorder collects the answers completed inside the measured window,
// whenever their request started.
type recorder struct {
	from, until time.Time

	mu        sync.Mutex
	latencies []time.Duration
	statuses  map[int]int
	errors    int
	firstErr  string

	deposits, failures atomic.Int64 // measured window, for progress
	sent               atomic.Int64 // every 2xx
}

func (r *recorder) record(t0, t1 time.Time, status int, err error) {
	ok := err == nil && status/100 == 2
	if ok {
		r.sent.Add(1)
	}
	if t1.Before(r.from) || t1.After(r.until) {
		return
	}
	if ok {
		r.deposits.Add(1)
	} else {
		r.failures.Add(1)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.statuses == nil {
		r.statuses = map[int]int{}
	}
	r.statuses[status]++
	if !ok {
		r.errors++
		if r.firstErr == "" {
			r.firstErr = describe(status, err)
		}
		return
	}
	r.latencies = append(r.latencies, t1.Sub(t0))
}

func describe(status int, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("HTTP %d", status)
}

// report calls progress once a second until the returned stop is called.
func (r *recorder) report(progress func(Progress)) (stop func()) {
	if progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		var prev int64
		prevAt := r.from
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				if now.Before(r.from) {
					continue
				}
				n := r.deposits.Load()
				progress(Progress{Elapsed: now.Sub(r.from), LastRate: float64(n-prev) / now.Sub(prevAt).Seconds(), Deposits: n, Errors: r.failures.Load()})
				prev, prevAt = n, now
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

func (r *recorder) result() Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := Result{Deposits: len(r.latencies), Sent: int(r.sent.Load()), Errors: r.errors, Statuses: r.statuses, FirstError: r.firstErr}
	end := r.until
	if now := time.Now(); now.Before(end) {
		end = now
	}
	res.Elapsed = end.Sub(r.from)
	if res.Elapsed > 0 {
		res.Rate = float64(res.Deposits) / res.Elapsed.Seconds()
	}
	slices.Sort(r.latencies)
	res.P50, res.P95, res.P99 = quantile(r.latencies, 0.50), quantile(r.latencies, 0.95), quantile(r.latencies, 0.99)
	if n := len(r.latencies); n > 0 {
		res.Max = r.latencies[n-1]
	}
	return res
}

// quantile returns the nearest-rank q-quantile of sorted.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
