package web_test

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
)

// knownPublic are the path parameters this test accepts to see in logs:
// ids and names that open nothing without a credential. Any other
// parameter of the route table is treated as a bearer secret.
var knownPublic = map[string]bool{"id": true, "size": true, "file": true, "key": true, "name": true, "delivery": true}

// TestLogsRedactEverySecretRoute walks the whole route table: every route
// with a parameter is requested with fresh random values (as routed, and
// with a path that matches no route but starts like it), and the access
// log must hold none of the values of a parameter not known to be public.
// A new route whose secret is not redacted fails here.
func TestLogsRedactEverySecretRoute(t *testing.T) {
	s := newOpsSite(t)
	type sent struct{ route, value string }
	var secrets []sent
	for _, r := range s.web.Routes() {
		if !strings.Contains(r.Path, ":") {
			continue
		}
		segs := strings.Split(r.Path, "/")
		for i, seg := range segs {
			if !strings.HasPrefix(seg, ":") {
				continue
			}
			v := randomHex(t)
			segs[i] = v
			if !knownPublic[seg[1:]] {
				secrets = append(secrets, sent{r.Method + " " + r.Path, v})
			}
		}
		path := strings.Join(segs, "/")
		for _, p := range []string{path, path + "/no-such-page"} {
			req, _ := http.NewRequest(r.Method, s.url+p, strings.NewReader("x=1"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res, err := s.srv.Client().Do(req)
			if err != nil {
				t.Fatalf("%s %s: %v", r.Method, p, err)
			}
			res.Body.Close()
		}
	}
	if len(secrets) < 3 {
		t.Fatalf("only %d secret-bearing routes found; the walk is broken", len(secrets))
	}
	logs := s.logs.String()
	if !strings.Contains(logs, "REDACTED") {
		t.Fatalf("no REDACTED path in the log:\n%s", logs)
	}
	for _, x := range secrets {
		if strings.Contains(logs, x.value) {
			t.Errorf("route %s: its secret %s is in the log", x.route, x.value)
		}
	}
}

func randomHex(t testing.TB) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
