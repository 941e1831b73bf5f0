package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
)

// TestOlderLettersOnlyWhenThereAreSome: a list of six letters, or a
// filter whose matches fit on the page, offers no "older letters" link
// (which led to an empty page).
func TestOlderLettersOnlyWhenThereAreSome(t *testing.T) {
	s := appSite(t)
	s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	b := s.browser(t)
	b.login("alice@acme.example")
	for i := range 6 {
		f := composeFields()
		f["subject"] = fmt.Sprintf("Convocation n°%d", i)
		b.send(f)
		if i == 2 {
			s.clock.Add(48 * time.Hour)
			b.login("alice@acme.example")
		}
	}
	today := s.clock.Now().In(time.FixedZone("", 0)).Format("2006-01-02")
	for _, path := range []string{"/app/letters", "/app/letters?from=" + today, "/app/letters?q=Convocation"} {
		x := want(t, path, b.get(path), http.StatusOK)
		if hasID(x.body, "next-page") {
			t.Errorf("%s offers older letters: %s", path, x)
		}
		if n := strings.Count(x.body, `<tr class="letter"`); n == 0 {
			t.Errorf("%s lists no letter", path)
		}
	}
}
