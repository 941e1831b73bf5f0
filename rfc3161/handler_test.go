package rfc3161_test

import (
	"bytes"
	"crypto"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/digitorus/timestamp"

	"github.com/lre-project/lre/rfc3161"
)

func TestAuthorityServeHTTP(t *testing.T) {
	a := newAuthority(t)
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	digest := sum256("deposit")
	req := timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: digest, Certificates: true}
	query, err := req.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		method      string
		contentType string
		body        []byte
		wantStatus  int
		wantType    string
	}{
		{"query", http.MethodPost, "application/timestamp-query", query, http.StatusOK, "application/timestamp-reply"},
		{"GET", http.MethodGet, "", nil, http.StatusMethodNotAllowed, "text/plain; charset=utf-8"},
		{"wrong media type", http.MethodPost, "application/octet-stream", query, http.StatusUnsupportedMediaType, "text/plain; charset=utf-8"},
		{"no media type", http.MethodPost, "", query, http.StatusUnsupportedMediaType, "text/plain; charset=utf-8"},
		{"not a request", http.MethodPost, "application/timestamp-query", []byte("hello"), http.StatusBadRequest, "text/plain; charset=utf-8"},
		{"too large", http.MethodPost, "application/timestamp-query", make([]byte, 64<<10+1), http.StatusRequestEntityTooLarge, "text/plain; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := http.NewRequest(tt.method, srv.URL, bytes.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			resp, err := srv.Client().Do(r)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus || resp.Header.Get("Content-Type") != tt.wantType {
				t.Fatalf("got %s %q (%q), want %d %q", resp.Status, resp.Header.Get("Content-Type"), body, tt.wantStatus, tt.wantType)
			}
			if tt.wantStatus == http.StatusMethodNotAllowed && resp.Header.Get("Allow") != http.MethodPost {
				t.Errorf("Allow = %q", resp.Header.Get("Allow"))
			}
			if tt.wantStatus == http.StatusOK {
				if _, err := rfc3161.VerifyToken(body, digest, a.Roots(), nil); err != nil {
					t.Errorf("reply does not verify: %v", err)
				}
			}
		})
	}
}
