package web_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
)

type listPage struct {
	Notices []struct {
		ID          string      `json:"id"`
		Status      core.Status `json:"status"`
		SubmittedAt string      `json:"submitted_at"`
		Recipient   struct {
			Email string `json:"email"`
		} `json:"recipient"`
	} `json:"notices"`
	NextCursor string `json:"next_cursor"`
}

func (e *auditEnv) list(t *testing.T, key string, q url.Values) listPage {
	t.Helper()
	resp, b := e.get(t, "/api/v1/notices?"+q.Encode(), key)
	var p listPage
	if err := json.Unmarshal(b, &p); err != nil || resp.StatusCode != 200 {
		t.Fatalf("list %v: %d %s", q, resp.StatusCode, b)
	}
	return p
}

// listAll follows the cursors and returns the ids in order.
func (e *auditEnv) listAll(t *testing.T, key string, q url.Values) []string {
	t.Helper()
	var ids []string
	for range 50 {
		p := e.list(t, key, q)
		for _, n := range p.Notices {
			ids = append(ids, n.ID)
		}
		if p.NextCursor == "" {
			return ids
		}
		q.Set("cursor", p.NextCursor)
	}
	t.Fatal("cursors never end")
	return nil
}

func TestNoticeList(t *testing.T) {
	e := newAuditEnv(t)
	a1, key1 := e.user(t, "a1@example.org", "Cabinet X", core.RoleSender)
	a2, _ := e.user(t, "a2@example.org", "Cabinet X", core.RoleSender)
	_, auditorKey := e.user(t, "audit@example.org", "Cabinet X", core.RoleAuditor)
	b, keyB := e.user(t, "b@example.org", "Cabinet Y", core.RoleSender)

	var mine, org []string // newest first
	for i := range 7 {
		n := e.deposit(t, a1, []string{"bob@example.com", "carol@example.com"}[i%2])
		mine, org = append([]string{n.ID}, mine...), append([]string{n.ID}, org...)
		n = e.deposit(t, a2, "bob@example.com")
		org = append([]string{n.ID}, org...)
		time.Sleep(2 * time.Millisecond)
	}
	e.tsa.down.Store(true)
	pending := e.deposit(t, a1, "dave@example.com")
	e.tsa.down.Store(false)
	mine, org = append([]string{pending.ID}, mine...), append([]string{pending.ID}, org...)
	other := e.deposit(t, b, "bob@example.com")

	if got := e.listAll(t, key1, url.Values{"limit": {"3"}}); !slices.Equal(got, mine) {
		t.Errorf("sender's letters, 3 a page:\n got %v\nwant %v", got, mine)
	}
	if got := e.listAll(t, auditorKey, url.Values{"limit": {"4"}}); !slices.Equal(got, org) {
		t.Errorf("auditor's organisation:\n got %v\nwant %v", got, org)
	}
	if got := e.listAll(t, keyB, url.Values{}); !slices.Equal(got, []string{other.ID}) {
		t.Errorf("another organisation's sender sees %v", got)
	}
	p := e.list(t, key1, url.Values{"status": {"pending_timestamp"}})
	if len(p.Notices) != 1 || p.Notices[0].ID != pending.ID {
		t.Errorf("status filter: %+v", p)
	}
	if got := e.listAll(t, key1, url.Values{"recipient": {"CAROL@example.com"}}); len(got) != 3 {
		t.Errorf("recipient filter: %d letters", len(got))
	}
	first := e.list(t, key1, url.Values{"limit": {"200"}}).Notices
	from := first[3].SubmittedAt
	if got := e.listAll(t, key1, url.Values{"from": {from}}); len(got) < 4 {
		t.Errorf("from %s: %d letters", from, len(got))
	}
	if got := e.listAll(t, key1, url.Values{"to": {"2000-01-01"}}); len(got) != 0 {
		t.Errorf("to 2000: %v", got)
	}
	for q, field := range map[string]string{
		"status=lost": "status", "limit=0": "limit", "limit=500": "limit", "limit=x": "limit",
		"from=yesterday": "from", "from=2026-01-02&to=2026-01-01": "to", "cursor=!!": "cursor",
	} {
		resp, body := e.get(t, "/api/v1/notices?"+q, key1)
		if code, f := errorField(body); resp.StatusCode != 422 || code != core.EINVALID || f != field {
			t.Errorf("%s: %d %s", q, resp.StatusCode, body)
		}
	}
	if resp, _ := e.get(t, "/api/v1/notices", ""); resp.StatusCode != 401 {
		t.Errorf("without a key: %d", resp.StatusCode)
	}
}
