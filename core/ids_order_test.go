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

// A notification's link token and verification code are stored under
// their letter (keys that start with its compact id, so they sort with its
// other records) and are found again from what the recipient has: the
// token, or the letter id and the code; a token or code of an older
// notification, stored under its bare hash, is still found.
func TestLetterSecretsKeyedByLetter(t *testing.T) {
	s := &Service{rand: rand.Reader}
	id, err := newNoticeID(time.Now(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	token, key, err := s.newLinkToken(id)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(key), compactID(id)) || len(key) != 16+32 {
		t.Fatalf("link key %x does not start with the letter's compact id %s", key, compactID(id))
	}
	if got := linkTokenKey(token); string(got) != string(key) {
		t.Fatalf("the token resolves to key %x, stored under %x", got, key)
	}
	legacy, legacyHash, _ := NewSecret(rand.Reader, "")
	if got := linkTokenKey(legacy); string(got) != string(legacyHash) {
		t.Fatal("an older token is not looked up under its bare hash")
	}
	// a token of the new length whose prefix is no letter id: the bare hash
	bad := strings.Repeat("1", 16) + legacy
	if got := linkTokenKey(bad); string(got) != string(HashSecret(bad)) {
		t.Fatal("a token with a foreign prefix is looked up under a letter")
	}
}
