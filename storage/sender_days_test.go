package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/storetest"
	"github.com/lre-project/lre/storage"
)

// TestSenderDays: a notification counts once in its day, whatever
// outcomes replace its first; complaints count in the day they arrive;
// days are UTC and a sender's other days stay apart.
func TestSenderDays(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := storage.Open(dir, storetest.Options(t, dir, storage.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	day := time.Date(2026, 12, 2, 23, 30, 0, 0, time.UTC)
	add := func(notice, outcome string, at time.Time) {
		t.Helper()
		o := core.SenderOutcome{UserID: "usr_a", NoticeID: notice, Outcome: outcome, At: at}
		if err := db.ApplyChange(ctx, core.Change{Outcome: &o}); err != nil {
			t.Fatal(err)
		}
	}
	add("LRE-1", core.OutcomeDelivered, day)
	add("LRE-2", core.OutcomeDelivered, day)
	add("LRE-1", core.OutcomeComplaint, day.Add(40*time.Minute)) // the next UTC day
	add("LRE-2", core.OutcomeHardBounce, day)
	got, err := db.SenderDay(ctx, "usr_a", day)
	if err != nil || got != (core.DayCount{Mails: 2}) {
		t.Fatalf("day 1: %+v, %v; want 2 mails, no complaint", got, err)
	}
	if got, _ := db.SenderDay(ctx, "usr_a", day.Add(time.Hour)); got != (core.DayCount{Complaints: 1}) {
		t.Fatalf("day 2: %+v; want the complaint only", got)
	}
	if got, _ := db.SenderDay(ctx, "usr_b", day); got != (core.DayCount{}) {
		t.Fatalf("another sender: %+v", got)
	}
	outs, _ := db.RecentOutcomes(ctx, "usr_a")
	if len(outs) != 2 || outs[0] != core.OutcomeComplaint || outs[1] != core.OutcomeHardBounce {
		t.Fatalf("ring %v: one slot per notice, replaced in place", outs)
	}
}
