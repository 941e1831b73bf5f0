package webhook_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lre-project/lre/core/webhooks"
	"github.com/lre-project/lre/webhook"
)

func server(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestPostSignsTheBody(t *testing.T) {
	body := []byte(`{"seq":1}`)
	var sig, delivery, ctype string
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		sig, delivery, ctype = r.Header.Get(webhook.SignatureHeader), r.Header.Get(webhook.DeliveryHeader), r.Header.Get("Content-Type")
		if string(b) != string(body) {
			t.Errorf("body = %s", b)
		}
		w.WriteHeader(http.StatusNoContent)
	})
	c := webhook.New(webhook.Options{AllowPrivate: true})
	resp, err := c.Post(context.Background(), webhooks.Webhook{URL: srv.URL, Secret: "whsec_x"}, "42", body)
	if err != nil || resp.Status != http.StatusNoContent {
		t.Fatalf("Post = %+v, %v", resp, err)
	}
	if err := webhook.Verify(sig, "whsec_x", body, time.Now(), time.Minute); err != nil {
		t.Errorf("signature %q: %v", sig, err)
	}
	if delivery != "42" || ctype != "application/json" {
		t.Errorf("headers: delivery %q, content type %q", delivery, ctype)
	}
}

// TestPostRefusesPrivateTargets: without the allowance no connection to a
// loopback address is even opened, whether the URL names the address or a
// host name that resolves to it.
func TestPostRefusesPrivateTargets(t *testing.T) {
	srv, hits := server(t, func(w http.ResponseWriter, r *http.Request) {})
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	c := webhook.New(webhook.Options{})
	for _, u := range []string{srv.URL, "http://localhost" + port + "/"} {
		_, err := c.Post(context.Background(), webhooks.Webhook{URL: u, Secret: "s"}, "1", []byte("{}"))
		if !errors.Is(err, webhook.ErrForbiddenAddress) {
			t.Errorf("Post to %s: %v, want ErrForbiddenAddress", u, err)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("the loopback server was reached %d times", hits.Load())
	}
}

func TestPostBounds(t *testing.T) {
	t.Run("no redirect followed", func(t *testing.T) {
		var followed atomic.Bool
		srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/elsewhere" {
				followed.Store(true)
			}
			http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
		})
		resp, err := webhook.New(webhook.Options{AllowPrivate: true}).Post(context.Background(), webhooks.Webhook{URL: srv.URL + "/hook"}, "1", []byte("{}"))
		if err != nil || resp.Status != http.StatusTemporaryRedirect || followed.Load() {
			t.Errorf("Post = %+v, %v; followed=%v", resp, err, followed.Load())
		}
	})
	t.Run("response body kept short", func(t *testing.T) {
		srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, strings.Repeat("x", 1<<20))
		})
		resp, err := webhook.New(webhook.Options{AllowPrivate: true}).Post(context.Background(), webhooks.Webhook{URL: srv.URL}, "1", []byte("{}"))
		if err != nil || resp.Status != http.StatusBadGateway || len(resp.Body) != 1<<10 {
			t.Errorf("Post = status %d, %d body bytes, %v", resp.Status, len(resp.Body), err)
		}
	})
	t.Run("slow endpoint times out", func(t *testing.T) {
		release := make(chan struct{})
		srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) { <-release })
		defer close(release)
		start := time.Now()
		_, err := webhook.New(webhook.Options{AllowPrivate: true, Timeout: 200 * time.Millisecond}).Post(context.Background(), webhooks.Webhook{URL: srv.URL}, "1", []byte("{}"))
		if err == nil || time.Since(start) > 3*time.Second {
			t.Errorf("Post to a silent endpoint = %v after %s", err, time.Since(start))
		}
	})
}

func TestVerifyRejectsMalformedHeaders(t *testing.T) {
	body := []byte("{}")
	now := time.Now()
	for _, h := range []string{"", "t=abc,v1=00", "v1=00", "t=1", "garbage", "t=" + "1,v1=zz"} {
		if err := webhook.Verify(h, "s", body, now, time.Minute); !errors.Is(err, webhook.ErrNoSignature) {
			t.Errorf("Verify(%q) = %v, want ErrNoSignature", h, err)
		}
	}
	good := webhook.Sign("s", now, body)
	if err := webhook.Verify(good+",v1=00", "s", body, now, time.Minute); err != nil {
		t.Errorf("a header with one matching v1 among several: %v", err)
	}
}
