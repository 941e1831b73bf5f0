package postgres

import "sync"

// memo is what this process knows of the database between its write
// transactions: the values its writers last read or wrote, the sequences,
// and the complete scans (pages that reached the end of their range).
//
// A write transaction of a group commit reads the notice it updates, the
// outbox entry it rewrites, the log head and the tree nodes, each written
// by the transaction before: lre bench on PostgreSQL showed some 700 round
// trips per transaction of about 90 deposits, each 0.5 ms on two loaded
// cores, and the server itself busy 0.02 ms of each. Keeping those values
// across transactions makes most reads free.
//
// It stays true because every write transaction, whichever process runs
// it, adds one to the database's generation (table lre_generation) under
// the write lock. A transaction that finds the generation this process
// left after its last commit knows nobody else wrote since, and uses the
// memo; any other value (another process wrote, or an earlier commit's
// outcome is unknown) empties it first.
type memo struct {
	mu     sync.Mutex // held by the one write transaction of this process that runs
	gen    int64      // the generation the memo describes; valid only while ok
	ok     bool
	values map[string]cached
	seqs   map[string]uint64
	pages  map[string][]row // pageKey -> a complete scan
	bytes  int
}

// memoBytes bounds the memo: past it, the memo starts over empty.
const memoBytes = 64 << 20

// memoValueMax is the largest value kept: a bigger one is rarely read
// again by a writer and would crowd out the rest. Documents are never
// kept, whatever their size: no writer reads one back, and at lre bench's
// 100 KB a letter they filled memoBytes every ~640 letters, a few seconds,
// emptying the memo (log head, tree nodes, known scans) each time.
const memoValueMax = 64 << 10

func (m *memo) reset(gen int64) {
	m.gen, m.ok, m.bytes = gen, true, 0
	m.values, m.seqs, m.pages = map[string]cached{}, map[string]uint64{}, map[string][]row{}
}

// hold holds the memo for a write transaction that found the database at
// generation gen (beginWrite), emptied first if gen is not its own.
func (m *memo) hold(gen int64) *memo {
	m.mu.Lock()
	if !m.ok || m.gen != gen {
		m.reset(gen)
	}
	return m
}

// end releases the memo after the transaction: committed (the memo then
// learns what the transaction read and wrote, and the generation it
// wrote), rolled back (nothing changed), or of unknown outcome (forgotten).
func (m *memo) end(t *tx, committed, unknown bool) {
	defer m.mu.Unlock()
	switch {
	case unknown:
		m.ok = false
	case committed:
		m.learn(t)
	}
}

func (m *memo) learn(t *tx) {
	if t.wrote {
		m.gen = t.gen + 1
	}
	for name := range t.dirty {
		for k, rows := range m.pages {
			if pageBucket(k) == name {
				m.bytes -= rowBytes(rows)
				delete(m.pages, k)
			}
		}
	}
	for k, c := range t.cache {
		if len(c.v) > memoValueMax || pageBucket(k) == copyTable {
			if old, ok := m.values[k]; ok {
				m.bytes -= len(k) + len(old.v)
				delete(m.values, k)
			}
			continue
		}
		if old, ok := m.values[k]; ok {
			m.bytes -= len(k) + len(old.v)
		}
		m.values[k] = c
		m.bytes += len(k) + len(c.v)
	}
	for name, v := range t.seqs {
		m.seqs[name] = v
	}
	for k, rows := range t.pages {
		if pageBucket(k) == copyTable {
			continue
		}
		m.bytes += rowBytes(rows) - rowBytes(m.pages[k])
		m.pages[k] = rows
	}
	if m.bytes > memoBytes {
		m.reset(m.gen)
	}
}

// pageKey names a scan: bucket, direction and start. A bucket name holds
// no NUL (they are the store's constants).
func pageKey(bucket, op string, from []byte) string {
	return bucket + "\x00" + op + "\x00" + string(from)
}

func pageBucket(k string) string {
	for i := 0; i < len(k); i++ {
		if k[i] == 0 {
			return k[:i]
		}
	}
	return k
}

func rowBytes(rows []row) int {
	n := 0
	for _, r := range rows {
		n += len(r.k) + len(r.v)
	}
	return n
}
