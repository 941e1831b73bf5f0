package web_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/lre-project/lre/web"
)

// slowUpload starts a POST /verify/upload whose file part sends first
// bytes and then stalls until stop is closed. It returns once those bytes
// were handed to the connection.
func slowUpload(t *testing.T, url string, first int, stop <-chan struct{}, wg *sync.WaitGroup) {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	sent := make(chan struct{})
	go func() {
		w, _ := mw.CreateFormFile("file", "bundle.zip")
		w.Write(append([]byte("PK\x03\x04"), make([]byte, first)...))
		close(sent)
		<-stop
		pw.CloseWithError(errors.New("client gave up"))
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		res, err := http.Post(url+"/verify/upload", mw.FormDataContentType(), pr)
		if err == nil {
			res.Body.Close()
		}
	}()
	<-sent
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestVerifyUploadBounds: slow anonymous uploads hold no memory (they are
// spooled to disk), the verification budget answers 503 with Retry-After
// when full, and an upload that stalls is cut at the read deadline.
func TestVerifyUploadBounds(t *testing.T) {
	e := newEnv(t)
	t.Run("six slow uploads", func(t *testing.T) {
		before := heapInUse()
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 6 {
			slowUpload(t, e.srv.URL, 8<<20, stop, &wg)
		}
		held := int64(heapInUse()) - int64(before)
		close(stop)
		wg.Wait()
		if held > 16<<20 {
			t.Errorf("six stalled uploads of 8 MiB each hold %d MiB of heap; they must be spooled to disk", held>>20)
		}
	})
	t.Run("budget full", func(t *testing.T) {
		if err := web.VerifyMemory.Acquire(context.Background(), web.VerifyBudget); err != nil {
			t.Fatal(err)
		}
		r := postUpload(t, e.srv.URL, []byte("%PDF-1.7 not really"))
		web.VerifyMemory.Release(web.VerifyBudget)
		if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
			t.Errorf("upload with the budget full: %s, Retry-After %q; want 503 with Retry-After", r, r.header.Get("Retry-After"))
		}
		if r := postUpload(t, e.srv.URL, []byte("%PDF-1.7 not really")); r.status != http.StatusOK {
			t.Errorf("upload once the budget is free: %s, want 200", r)
		}
	})
	t.Run("stalled upload", func(t *testing.T) {
		defer web.SetVerifyReadTimeout(300 * time.Millisecond)()
		stop := make(chan struct{})
		defer close(stop)
		done := make(chan struct{})
		var wg sync.WaitGroup
		slowUpload(t, e.srv.URL, 1<<10, stop, &wg)
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("a stalled upload is still being read after 5 s; the read deadline is 300 ms")
		}
	})
}

func postUpload(t *testing.T, url string, file []byte) response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	w, _ := mw.CreateFormFile("file", "cert.pdf")
	w.Write(file)
	mw.Close()
	res, err := http.Post(url+"/verify/upload", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}
