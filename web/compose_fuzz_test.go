package web_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
)

// FuzzComposeMultipart feeds arbitrary bytes to the sender's compose form
// as a logged-in browser of the same origin would post them: whatever
// comes in, the answer is a page, never a 5xx (a panic is a 500 too).
// Seeds: the API's multipart bodies (testdata/api) and
// testdata/fuzz/FuzzComposeMultipart.
func FuzzComposeMultipart(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(seedDir, "*.multipart"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	s := appSite(f)
	s.account(f, "alice@acme.example", "ACME", core.RoleSender)
	b := s.browser(f)
	b.login("alice@acme.example")
	u, _ := url.Parse(s.url)
	cookies := b.c.Jar.Cookies(u)
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, s.url+"/app/letters/preview", bytes.NewReader(body))
		req.Header.Set("Content-Type", multipartType)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		served := make(chan struct{})
		go func() {
			defer close(served)
			s.srv.Config.Handler.ServeHTTP(rec, req)
		}()
		select {
		case <-served:
		case <-time.After(10 * time.Second):
			var stacks bytes.Buffer
			pprof.Lookup("goroutine").WriteTo(&stacks, 2)
			t.Fatalf("no answer within 10s for %q\n%s", body, stacks.String())
		}
		if rec.Code >= 500 {
			t.Fatalf("HTTP %d for %q: %s", rec.Code, body, rec.Body)
		}
	})
}
