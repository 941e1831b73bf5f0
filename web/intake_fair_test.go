package web_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/web"
)

// trickle starts a deposit that declares a 24 MiB body, sends its first
// bytes and then writes one byte per interval (never, for interval 0);
// the returned channel gets the answer's status (0: connection cut).
func trickle(t *testing.T, e *env, key string, interval time.Duration, stop <-chan struct{}) <-chan int {
	pr, pw := io.Pipe()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/notices", pr)
	req.ContentLength = 24 << 20
	req.Header.Set("Content-Type", multipartType)
	req.Header.Set("Authorization", "Bearer "+key)
	go func() {
		pw.Write(multipartBody(letter().parts()...)[:200])
		for interval > 0 {
			select {
			case <-stop:
				pw.Close()
				return
			case <-time.After(interval):
				if _, err := pw.Write([]byte("x")); err != nil {
					return
				}
			}
		}
		<-stop
		pw.Close()
	}()
	done := make(chan int, 1)
	go func() {
		res, err := e.srv.Client().Do(req)
		if err != nil {
			done <- 0
			return
		}
		res.Body.Close()
		done <- res.StatusCode
	}()
	return done
}

// TestIntakeFairness: a sender trickling a 24 MiB deposit no longer holds
// the whole intake budget: another organisation's letter goes through at
// once; and the trickle is cut (408) when it stalls or falls below the
// minimum rate, which gives its budget back.
func TestIntakeFairness(t *testing.T) {
	defer web.SetIntakePace(500*time.Millisecond, 500*time.Millisecond, 64<<10)()
	e := newEnv(t)
	slow := e.addUser(t, "slow@greedy.example", "Greedy", core.RoleSender)
	other := e.addUser(t, "alice@acme.example", "ACME", core.RoleSender)
	t.Run("another sender is served while one trickles", func(t *testing.T) {
		stop := make(chan struct{})
		defer close(stop)
		cut := trickle(t, e, slow, 100*time.Millisecond, stop)
		time.Sleep(100 * time.Millisecond)
		start := time.Now()
		if r := e.post(t, other, multipartBody(letter().parts()...)); r.status != http.StatusCreated {
			t.Errorf("other sender: %s, want 201", r)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("other sender waited %s behind the trickle", d)
		}
		select {
		case st := <-cut:
			if st != http.StatusRequestTimeout && st != 0 {
				t.Errorf("trickle below the minimum rate answered %d, want 408", st)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a trickle of 10 bytes/s was not cut after 5 s (minimum 64 KiB/s after 0.5 s)")
		}
	})
	t.Run("a stalled upload is cut", func(t *testing.T) {
		stop := make(chan struct{})
		defer close(stop)
		cut := trickle(t, e, slow, 0, stop)
		select {
		case st := <-cut:
			if st != http.StatusRequestTimeout && st != 0 {
				t.Errorf("stalled upload answered %d, want 408", st)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a stalled upload was not cut after 5 s (stall limit 0.5 s)")
		}
		if r := e.post(t, slow, multipartBody(letter().parts()...)); r.status != http.StatusCreated {
			t.Errorf("the same sender afterwards: %s, want 201 (its budget was given back)", r)
		}
	})
}
