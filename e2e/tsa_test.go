package e2e_test

import (
	"crypto/rand"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/digitorus/timestamp"

	"github.com/lre-project/lre/rfc3161"
)

// tsaMode is how the test authority answers.
type tsaMode int32

const (
	tsaOK           tsaMode = iota
	tsa500                  // HTTP 500, as a TSA in trouble
	tsaHang                 // no answer until the mode changes (a time-out for the client)
	tsaWrongNonce           // a valid token for a request with another nonce (a replay)
	tsaWrongImprint         // a valid token over another digest
)

// tsa is an external RFC 3161 authority on loopback: the embedded authority
// of rfc3161 behind its own ServeHTTP, with scripted failures. roots
// is the PEM file to pass as --tsa-roots.
type tsa struct {
	a       *rfc3161.Authority
	srv     *httptest.Server
	roots   string
	mu      sync.Mutex
	mode    tsaMode
	hits    atomic.Int64
	granted atomic.Int64
	delay   atomic.Int64 // nanoseconds to wait before a granted answer
	// answered, when set, receives a value after each token is written
	// and flushed: the client has it, the deposit is not committed yet.
	answered atomic.Pointer[chan struct{}]
	changed  chan struct{} // closed when the mode changes: wakes hanging requests
}

func startTSA(t testing.TB) *tsa {
	t.Helper()
	dir := t.TempDir()
	a, err := rfc3161.LoadOrCreateAuthority(filepath.Join(dir, "authority"), "e2e external TSA", time.Now, rand.Reader)
	if err != nil {
		t.Fatalf("authority: %v", err)
	}
	s := &tsa{a: a, roots: filepath.Join(dir, "roots.pem"), changed: make(chan struct{})}
	if err := os.WriteFile(s.roots, a.ChainPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	s.srv = httptest.NewServer(s)
	t.Cleanup(func() {
		s.setMode(tsaOK)
		s.srv.Close()
	})
	return s
}

// flags are the lre serve flags that use this authority.
func (s *tsa) flags() []string { return []string{"--tsa", s.srv.URL, "--tsa-roots", s.roots} }

func (s *tsa) setMode(m tsaMode) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m != s.mode {
		s.mode = m
		close(s.changed)
		s.changed = make(chan struct{})
	}
}

func (s *tsa) current() (tsaMode, chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mode, s.changed
}

func (s *tsa) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.hits.Add(1)
	mode, changed := s.current()
	switch mode {
	case tsa500:
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	case tsaHang:
		select {
		case <-changed:
		case <-r.Context().Done():
			return
		}
		http.Error(w, "hung", http.StatusServiceUnavailable)
		return
	case tsaWrongNonce, tsaWrongImprint:
		s.forge(w, r, mode)
		return
	}
	if d := time.Duration(s.delay.Load()); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	rec := httptest.NewRecorder()
	s.a.ServeHTTP(rec, r)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
	w.(http.Flusher).Flush()
	s.granted.Add(1)
	if ch := s.answered.Load(); ch != nil {
		select {
		case *ch <- struct{}{}:
		default:
		}
	}
}

// forge answers with a correctly signed token for a request that differs
// from the one received: another nonce, or another imprint.
func (s *tsa) forge(w http.ResponseWriter, r *http.Request, mode tsaMode) {
	der, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req, err := timestamp.ParseRequest(der)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if mode == tsaWrongNonce {
		if req.Nonce == nil {
			req.Nonce = big.NewInt(0)
		}
		req.Nonce = new(big.Int).Add(req.Nonce, big.NewInt(1))
	} else {
		req.HashedMessage = append([]byte(nil), req.HashedMessage...)
		req.HashedMessage[0] ^= 0xff
	}
	forged, err := req.Marshal()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	resp, err := s.a.Respond(forged)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	w.Write(resp)
}
