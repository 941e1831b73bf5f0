package postgres

import (
	"github.com/lre-project/lre/storage/kv"
)

var _ kv.Prefetcher = (*tx)(nil)

// Prefetch announces keys the transaction is about to read; the first
// lookup that misses the cache reads every announced key in one query per
// table. Only write transactions cache what they read.
func (t *tx) Prefetch(bucket []byte, keys ...[]byte) {
	if t.cache == nil {
		return
	}
	if t.prefetch == nil {
		t.prefetch = map[string][][]byte{}
	}
	name := string(bucket)
	for _, k := range keys {
		if _, hit := t.known(name, k); !hit {
			t.prefetch[name] = append(t.prefetch[name], append([]byte(nil), k...))
		}
	}
}

// resolvePrefetch reads every announced key into the cache, absent ones as
// absent. It needs no flush first: a key written in the transaction is in
// its cache, so it is not read, and every other key is in the database as
// the transaction sees it.
func (t *tx) resolvePrefetch() {
	want := t.prefetch
	t.prefetch = nil
	found := t.readKeys(want)
	for name, ks := range want {
		for _, k := range ks {
			if _, hit := t.cache[cacheKey(name, k)]; !hit {
				v, ok := found[cacheKey(name, k)]
				if !ok {
					v = nil
				}
				t.remember(name, k, v)
			}
		}
	}
}

// readKeys reads the given keys of each bucket, one query per table;
// absent keys are absent from the result, which is keyed by cacheKey.
func (t *tx) readKeys(want map[string][][]byte) map[string][]byte {
	found := map[string][]byte{}
	var names []string
	var keys [][]byte
	own := map[string][][]byte{}
	for name, ks := range want {
		if table := tableOf(name); table != "kv" {
			own[table] = append(own[table], ks...)
			continue
		}
		for _, k := range ks {
			names, keys = append(names, name), append(keys, k)
		}
	}
	if len(keys) > 0 {
		t.fetchInto(found, "SELECT bucket, key, value FROM kv WHERE (bucket, key) IN (SELECT * FROM unnest($1::text[], $2::bytea[]))", names, keys)
	}
	for table, ks := range own {
		bucket := bucketOf(table)
		t.fetchInto(found, "SELECT '"+bucket+"', key, value FROM "+table+" WHERE key = ANY($1)", ks)
	}
	return found
}

func (t *tx) fetchInto(found map[string][]byte, sql string, args ...any) {
	if t.failed() {
		return
	}
	rows, err := t.tx.Query(t.ctx, sql, args...)
	if err != nil {
		t.fail("prefetch", err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var k, v []byte
		if err := rows.Scan(&name, &k, &v); err != nil {
			t.fail("prefetch", err)
			return
		}
		if v == nil {
			v = []byte{}
		}
		found[cacheKey(name, k)] = v
	}
	t.fail("prefetch", rows.Err())
}

// bucketOf is the bucket a table of its own holds.
func bucketOf(table string) string {
	for b, t := range ownTables {
		if t == table {
			return b
		}
	}
	return table
}
