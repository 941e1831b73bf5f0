package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
)

// TestLinkViewsBoundTheLog: a link opened in a loop (a scanner, a script)
// makes the first view evidence and then at most one per AccessPeriod per
// letter, however many tokens or clients open it; every view still shows
// the page.
func TestLinkViewsBoundTheLog(t *testing.T) {
	s := newSite(t)
	key := s.sender(t, "Maître Dupont", "Cabinet Dupont Avocats")
	id, m := s.notified(t, key, letterFields())
	token := strings.TrimPrefix(m.Link, s.url+"/r/")
	before := s.logRecords(t)
	for i := range 12 {
		want(t, "link view", s.browser(t).get("/r/"+token), http.StatusOK)
		if i == 5 {
			s.clock.Add(core.AccessPeriod / 2)
		}
	}
	if got := len(eventsOf(s.events(t, key, id), core.EventNotificationAccessTracking)); got != 1 {
		t.Fatalf("%d NotificationAccessTracking events after 12 views within a period, want 1", got)
	}
	if grew := s.logRecords(t) - before; grew != 1 {
		t.Errorf("the log grew by %d records for 12 views, want 1", grew)
	}
	s.clock.Add(core.AccessPeriod/2 + time.Second)
	want(t, "view in the next period", s.browser(t).get("/r/"+token), http.StatusOK)
	want(t, "another view", s.browser(t).get("/r/"+token), http.StatusOK)
	if got := len(eventsOf(s.events(t, key, id), core.EventNotificationAccessTracking)); got != 2 {
		t.Errorf("%d NotificationAccessTracking events after the next period, want 2", got)
	}
}
