package web_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/lre-project/lre/core"
)

type eventPage struct {
	Events []struct {
		Seq      uint64 `json:"seq"`
		Type     string `json:"type"`
		URI      string `json:"uri"`
		LetterID string `json:"letter_id"`
		Hash     string `json:"hash"`
	} `json:"events"`
	NextCursor string `json:"next_cursor"`
}

// stream pages through /api/v1/events with limit until the cursor stops
// moving and returns the letter ids of the events in order.
func (s *opsSite) stream(t testing.TB, key string, limit int) ([]string, []uint64) {
	t.Helper()
	var ids []string
	var seqs []uint64
	cursor := ""
	for range 100 {
		path := "/api/v1/events?limit=" + strconv.Itoa(limit)
		if cursor != "" {
			path += "&after=" + cursor
		}
		p := decodeAs[eventPage](t, "events", s.api(t, "GET", path, key, ""), http.StatusOK)
		if len(p.Events) > limit {
			t.Fatalf("page of %d events with limit %d", len(p.Events), limit)
		}
		for _, e := range p.Events {
			ids = append(ids, e.LetterID)
			seqs = append(seqs, e.Seq)
		}
		if p.NextCursor == cursor {
			return ids, seqs
		}
		cursor = p.NextCursor
	}
	t.Fatal("the cursor never stopped moving")
	return nil, nil
}

// TestEventStream: an organisation's admin pages through its letters'
// events in log order; another organisation's events never appear, and a
// sender sees only the letters it sent.
func TestEventStream(t *testing.T) {
	s := newOpsSite(t)
	adminA, senderA1, senderA2 := s.user(t, "Org A", core.RoleAdmin), s.user(t, "Org A", core.RoleSender), s.user(t, "Org A", core.RoleSender)
	senderB := s.user(t, "Org B", core.RoleSender)
	mine := map[string]string{}
	for i := range 3 {
		mine[s.deposit(t, senderA1, letterFields())] = "A1"
		mine[s.deposit(t, senderB, letterFields())] = "B"
		if i == 1 {
			mine[s.deposit(t, senderA2, letterFields())] = "A2"
		}
	}
	s.outbox(t) // one NotificationForAcceptance per letter

	ids, seqs := s.stream(t, adminA, 2)
	if len(ids) != 8 {
		t.Fatalf("admin of A streamed %d events, want 8 (4 letters × 2)", len(ids))
	}
	for i, id := range ids {
		if mine[id] == "B" {
			t.Errorf("event of org B's letter %s in org A's stream", id)
		}
		if i > 0 && seqs[i] <= seqs[i-1] {
			t.Errorf("events out of log order: %v", seqs)
		}
	}
	ids, _ = s.stream(t, senderA2, 1)
	if len(ids) != 2 {
		t.Errorf("sender A2 streamed %d events, want 2", len(ids))
	}
	for _, id := range ids {
		if mine[id] != "A2" {
			t.Errorf("sender A2 saw an event of %s's letter", mine[id])
		}
	}
	ids, _ = s.stream(t, senderB, 1000)
	if len(ids) != 6 {
		t.Errorf("sender B streamed %d events, want 6", len(ids))
	}
	x := s.api(t, "GET", "/api/v1/events?limit=1001", adminA, "")
	want(t, "limit over the bound", x, http.StatusUnprocessableEntity)
	want(t, "garbage cursor", s.api(t, "GET", "/api/v1/events?after=abc", adminA, ""), http.StatusUnprocessableEntity)
	want(t, "no key", s.api(t, "GET", "/api/v1/events", "", ""), http.StatusUnauthorized)
}
