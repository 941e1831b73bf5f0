package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// The front door leads to the verification page and the login, in the
// browser's language.
func TestHomePage(t *testing.T) {
	e := newAuditEnv(t)
	for _, tt := range []struct{ lang, want string }{{"fr", "Vérifiez qu’il est authentique"}, {"en", "Check that it is genuine"}} {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/", nil)
		req.Header.Set("Accept-Language", tt.lang)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		body := string(b)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, tt.want) || !strings.Contains(body, `href="/verify"`) || !strings.Contains(body, `href="/login"`) {
			t.Fatalf("%s: GET / = %d\n%s", tt.lang, res.StatusCode, body)
		}
	}
}
