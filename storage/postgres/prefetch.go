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
		if _, hit := t.cache[cacheKey(name, k)]; !hit {
			t.prefetch[name] = append(t.prefetch[name], append([]byte(nil), k...))
		}
	}
}

// resolvePrefetch reads every announced key into the cache, absent ones as
// absent, after sending queued writes (which the reads must see).
func (t *tx) resolvePrefetch() {
	want := t.prefetch
	t.prefetch = nil
	if !t.flush() {
		return
	}
	var names []string
	var keys [][]byte
	own := map[string][][]byte{}
	for name, ks := range want {
		for _, k := range ks {
			t.remember(name, k, nil)
			if table := tableOf(name); table != "kv" {
				own[table] = append(own[table], k)
				continue
			}
			names, keys = append(names, name), append(keys, k)
		}
	}
	if len(keys) > 0 {
		t.fetchInto("SELECT bucket, key, value FROM kv WHERE (bucket, key) IN (SELECT * FROM unnest($1::text[], $2::bytea[]))", names, keys)
	}
	for table, ks := range own {
		bucket := bucketOf(table)
		t.fetchInto("SELECT '"+bucket+"', key, value FROM "+table+" WHERE key = ANY($1)", ks)
	}
}

func (t *tx) fetchInto(sql string, args ...any) {
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
		t.remember(name, k, v)
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
