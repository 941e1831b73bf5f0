package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestPagesAgreeAtTheDeadline puts the clock one nanosecond before the
// deadline, on it, and one nanosecond after, and asks both pages that tell
// a letter's stage: the recipient's link and the public verification page.
// The deadline is the last instant of the period, so the letter is open on
// it; both pages must say the same at every instant.
func TestPagesAgreeAtTheDeadline(t *testing.T) {
	s := newSite(t)
	key := s.sender(t, "Cabinet Dupont Avocats", "Dupont & Associés")
	id, m := s.notified(t, key, letterFields())
	b := s.browser(t)
	for _, tt := range []struct {
		name   string
		offset time.Duration
		open   bool
	}{
		{"1ns before", -time.Nanosecond, true},
		{"at the deadline", 0, true},
		{"1ns after", time.Nanosecond, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s.clock.Add(m.Deadline.Add(tt.offset).Sub(s.clock.Now()))
			link := want(t, "open link", b.get(m.Link), http.StatusOK)
			if got := hasID(link.body, "request-code"); got != tt.open {
				t.Errorf("link page offers a code = %v, want %v:\n%s", got, tt.open, text(link.body))
			}
			if got := strings.Contains(text(link.body), "la lettre n’a pas été réclamée"); got == tt.open {
				t.Errorf("link page says not claimed = %v, want %v", got, !tt.open)
			}
			check := text(want(t, "verify", b.post("/verify", url.Values{"notice_id": {id}, "code": {m.Code}}), http.StatusOK).body)
			if got := strings.Contains(check, "attend son destinataire jusqu’au"); got != tt.open {
				t.Errorf("verification page says it awaits = %v, want %v:\n%s", got, tt.open, check)
			}
			if got := strings.Contains(check, "ou le délai est passé"); got == tt.open {
				t.Errorf("verification page says closed = %v, want %v", got, !tt.open)
			}
		})
	}
}
