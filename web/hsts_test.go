package web_test

import (
	"testing"
)

// TestStrictTransportSecurity: with an https base URL every answer (pages,
// API, errors) carries Strict-Transport-Security; over plain http none does,
// since browsers ignore it there and a local set-up must stay reachable.
func TestStrictTransportSecurity(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts []siteOption
		want string
	}{
		{"https base URL", []siteOption{withTLS()}, "max-age=31536000"},
		{"http base URL", nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t, tt.opts...)
			for _, path := range []string{"/", "/verify", "/api/v1/notices", "/r/unknown-token", "/healthz"} {
				res, err := s.srv.Client().Get(s.url + path)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if got := res.Header.Get("Strict-Transport-Security"); got != tt.want {
					t.Errorf("GET %s (%d): Strict-Transport-Security %q, want %q", path, res.StatusCode, got, tt.want)
				}
			}
		})
	}
}
