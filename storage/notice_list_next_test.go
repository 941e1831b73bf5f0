package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
)

// TestListingOffersNextOnlyWhenMoreFollow: a page's Next is set only when
// a further letter matches, so that "older letters" never leads to an
// empty page: not after an exact multiple of the limit, nor when only
// letters the filter excludes (another recipient, before From) remain.
func TestListingOffersNextOnlyWhenMoreFollow(t *testing.T) {
	db := openDB(t, t.TempDir())
	for i := range 6 {
		d := deposit(t, i, "u1", 1)
		if i == 0 {
			d.Notice.Recipient.Email = "carol@example.org"
		}
		save(t, db, d)
	}
	scope := core.NoticeScope{SenderUserID: "u1"}
	tests := []struct {
		name     string
		q        core.NoticeQuery
		letters  int
		wantNext bool
	}{
		{"limit 6 of 6", core.NoticeQuery{Limit: 6}, 6, false},
		{"limit 5 of 6", core.NoticeQuery{Limit: 5}, 5, true},
		{"bob's 5, limit 5", core.NoticeQuery{Limit: 5, Recipient: "bob@example.net"}, 5, false},
		{"bob's 5, limit 4", core.NoticeQuery{Limit: 4, Recipient: "bob@example.net"}, 4, true},
		{"from the 4th, limit 3", core.NoticeQuery{Limit: 3, From: t0.Add(3 * time.Second)}, 3, false},
		{"from the 3rd, limit 3", core.NoticeQuery{Limit: 3, From: t0.Add(2 * time.Second)}, 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := db.ListNotices(context.Background(), scope, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Notices) != tt.letters || (p.Next != "") != tt.wantNext {
				t.Fatalf("%d letters, next %q; want %d letters, next %v", len(p.Notices), p.Next, tt.letters, tt.wantNext)
			}
			if p.Next == "" {
				return
			}
			q := tt.q
			q.Cursor = p.Next
			rest, err := db.ListNotices(context.Background(), scope, q)
			if err != nil || len(rest.Notices) == 0 {
				t.Fatalf("the next page is empty (%v)", err)
			}
			if rest.Notices[0].ID == p.Notices[len(p.Notices)-1].ID {
				t.Fatal("the next page repeats the last letter")
			}
		})
	}
}
