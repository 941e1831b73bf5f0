package core

import (
	"crypto/rand"
	"sort"
	"strings"
	"testing"
	"time"
)

// Letter ids ascend with their deposit time, in upper and in lower case (the
// outbox keys carry them lower-cased), and keep the shape ValidNoticeID
// accepts.
func TestNoticeIDsAscendWithTime(t *testing.T) {
	at := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 2000 {
		id, err := newNoticeID(at.Add(time.Duration(i)*time.Millisecond), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if !ValidNoticeID(id) {
			t.Fatalf("id %q does not have the letter id shape", id)
		}
		ids = append(ids, id)
	}
	if !sort.StringsAreSorted(ids) {
		t.Fatal("ids made one millisecond apart do not sort in time order")
	}
	lower := make([]string, len(ids))
	for i, id := range ids {
		lower[i] = strings.ToLower(id)
	}
	if !sort.StringsAreSorted(lower) {
		t.Fatal("lower-cased ids do not sort in time order")
	}
	// a year later sorts after, and the random part differs within one millisecond
	later, _ := newNoticeID(at.AddDate(1, 0, 0), rand.Reader)
	if later <= ids[len(ids)-1] {
		t.Fatalf("an id a year later (%s) sorts before %s", later, ids[len(ids)-1])
	}
	a, _ := newNoticeID(at, rand.Reader)
	b, _ := newNoticeID(at, rand.Reader)
	if a == b {
		t.Fatalf("two ids in one millisecond are equal: %s", a)
	}
	if a[:12] != b[:12] {
		t.Fatalf("ids of one millisecond differ in their time part: %s, %s", a, b)
	}
}
