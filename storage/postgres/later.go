package postgres

import "github.com/lre-project/lre/storage/kv"

var _ kv.LaterGetter = (*tx)(nil)

// laterRead is a read whose answer is wanted before the next flush.
type laterRead struct {
	bucket string
	key    []byte
	fn     func(v []byte) error
	v      []byte // the value at the call, when the transaction knew it
	known  bool
	// scanned are the buckets scanned from what the transaction knew
	// while the read was kept: fn must not write them.
	scanned map[string]bool
}

// GetLater answers at once from what the transaction knows; otherwise it
// keeps the read until the next flush, which reads every kept key in one
// query before it sends any write (so each is read as it was at the call:
// a write staged after the call is not yet in the database). Kept reads
// run in call order, so a read known at once is kept too while earlier
// ones wait: fn's writes then land in the order the calls were made.
//
// A group commit's notifications each create reminder entries, and
// putOutbox looks for an earlier version of each to drop its due-index
// key: lre bench showed 100 such reads in a row, one round trip each,
// half of a 260 ms commit.
func (t *tx) GetLater(bucket, key []byte, fn func(v []byte) error) {
	if t.failed() {
		return
	}
	name := string(bucket)
	v, known := t.known(name, key)
	if t.cache == nil || (known && len(t.later) == 0) {
		if !known {
			v = t.Bucket(bucket).Get(key)
		}
		t.fail("read "+name, fn(v))
		return
	}
	t.later = append(t.later, laterRead{bucket: name, key: append([]byte(nil), key...), fn: fn, v: v, known: known})
}

// scannedEarly notes a scan of bucket answered from what the transaction
// knows while reads are kept, without running them first.
//
// kv.GetLater lets a kept function run after such a scan: its writes must
// be of keys nothing reads meanwhile. lre bench showed why it matters: in
// a group commit of notifications each letter's events scan the
// webhook_orgs bucket, known to the memo, after the letter before kept the
// read of its outbox entries; running the kept reads first made each of
// those scans a round trip, 100 in a row, half of the commit. A kept
// function that writes a bucket scanned so fails its transaction (the
// scan could have missed the write), loudly rather than wrongly.
func (t *tx) scannedEarly(bucket string) {
	for i := range t.later {
		r := &t.later[i]
		if r.scanned == nil {
			r.scanned = map[string]bool{}
		}
		r.scanned[bucket] = true
	}
}

// resolveLater runs the kept reads, which may stage writes (and keep
// reads) of their own. Each gets the database's value: nothing was flushed
// since its call. A key the transaction wrote meanwhile keeps its cached
// value; another learns the one read.
func (t *tx) resolveLater() {
	for len(t.later) > 0 && !t.failed() {
		reads := t.later
		t.later = nil
		want := map[string][][]byte{}
		for _, r := range reads {
			if !r.known {
				want[r.bucket] = append(want[r.bucket], r.key)
			}
		}
		found := t.readKeys(want)
		for _, r := range reads {
			if t.failed() {
				return
			}
			v, ok := r.v, r.known
			if !ok {
				if v, ok = found[cacheKey(r.bucket, r.key)]; !ok {
					v = nil
				}
				if _, hit := t.cache[cacheKey(r.bucket, r.key)]; !hit {
					t.remember(r.bucket, r.key, v)
				}
			}
			t.forbidden = r.scanned
			err := r.fn(v)
			t.forbidden = nil
			t.fail("read "+r.bucket, err)
		}
	}
}
