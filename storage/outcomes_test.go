package storage

import (
	"fmt"
	"slices"
	"testing"

	"github.com/lre-project/lre/core"
)

func TestOutcomeRing(t *testing.T) {
	var r ring
	want := []string{}
	for i := range maxOutcomes + 5 {
		o := []string{core.OutcomeDelivered, core.OutcomeSoftBounce, core.OutcomeHardBounce}[i%3]
		if _, err := r.add(fmt.Sprintf("LRE-%d", i), o); err != nil {
			t.Fatal(err)
		}
		want = append(want, o)
	}
	want = want[5:]
	if got := r.outcomes(); !slices.Equal(got, want) {
		t.Fatalf("after %d adds: %d outcomes, want the last %d oldest first", maxOutcomes+5, len(got), len(want))
	}
	// A late bounce replaces the notice's outcome in place; one without a
	// notice is always new.
	if _, err := r.add("LRE-6", core.OutcomeHardBounce); err != nil {
		t.Fatal(err)
	}
	want[1] = core.OutcomeHardBounce
	if _, err := r.add("", core.OutcomeDelivered); err != nil {
		t.Fatal(err)
	}
	want = append(want[1:], core.OutcomeDelivered)
	if got := r.outcomes(); !slices.Equal(got, want) || len(r.b) != ringSize {
		t.Errorf("replace then append: got %v... (%d bytes)", got[:3], len(r.b))
	}
	if _, err := r.add("LRE-x", "bounced somehow"); err == nil {
		t.Error("an unknown outcome was recorded")
	}
}

// Values written before the ring (a JSON list) are read and converted.
func TestOutcomeRingFromJSON(t *testing.T) {
	r, err := readRing([]byte(`[{"n":"A","o":"delivered"},{"n":"B","o":"hard_bounce"}]`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.add("A", core.OutcomeSoftBounce); err != nil {
		t.Fatal(err)
	}
	if got := r.outcomes(); !slices.Equal(got, []string{core.OutcomeSoftBounce, core.OutcomeHardBounce}) {
		t.Errorf("converted list = %v", got)
	}
	if _, err := readRing([]byte{9, 0, 0}); err == nil {
		t.Error("a value of unknown layout was read")
	}
}
