package postgres

// staged holds a transaction's writes not yet sent, per table, reduced to
// each key's last state: flush sends them as one multi-row statement per
// table and kind (upsert, delete, insert), not one statement per key.
//
// lre bench showed why: a group commit of 64 deposits and their
// notifications sent about 2,000 statements, 30 per letter, and the
// server spent some 50 µs on each (parse, plan, execute, one WAL record
// of its own), which alone capped the serialised writer near 600
// letters/s before any round trip was counted.
type staged struct {
	tables map[string]*tableWrites
	order  []string // tables in first-write order, for stable statements
}

type tableWrites struct {
	index map[string]int // cacheKey -> position in rows
	rows  []stagedRow
	// appends are rows of an append-only table: never reduced, so that a
	// second write of one key fails at the database as it must.
	appends []stagedRow
}

type stagedRow struct {
	bucket string
	key    []byte
	value  []byte
	del    bool
}

func (s *staged) table(name string) *tableWrites {
	if s.tables == nil {
		s.tables = map[string]*tableWrites{}
	}
	w := s.tables[name]
	if w == nil {
		w = &tableWrites{index: map[string]int{}}
		s.tables[name] = w
		s.order = append(s.order, name)
	}
	return w
}

// put stages a row's new state; the last one per key wins.
func (s *staged) put(table string, r stagedRow) {
	w := s.table(table)
	k := cacheKey(r.bucket, r.key)
	if i, ok := w.index[k]; ok {
		w.rows[i] = r
		return
	}
	w.index[k] = len(w.rows)
	w.rows = append(w.rows, r)
}

func (s *staged) append(table string, r stagedRow) {
	w := s.table(table)
	w.appends = append(w.appends, r)
}

// queueAll turns the staged rows into statements on t's batch and empties
// the stage. The new values of a table copied in (copyTables) are not
// queued but returned, for copyIn after the batch.
func (s *staged) queueAll(t *tx) (copies []stagedRow) {
	for _, table := range s.order {
		w := s.tables[table]
		var dels, puts []stagedRow
		for _, r := range w.rows {
			if r.del {
				dels = append(dels, r)
			} else {
				puts = append(puts, r)
			}
		}
		shared := table == "kv"
		if len(dels) > 0 {
			sql := "DELETE FROM " + table + " WHERE key = ANY($1::bytea[])"
			if shared {
				sql = "DELETE FROM kv WHERE (bucket, key) IN (SELECT * FROM unnest($1::text[], $2::bytea[]))"
			}
			t.queue("delete from "+table, sql, columns(dels, shared, false)...)
		}
		switch {
		case len(puts) > 0 && table == copyTable:
			copies = puts
		case len(puts) > 0:
			t.queue("write "+table, upsertSQL(table), columns(puts, shared, true)...)
		}
		if len(w.appends) > 0 {
			t.queue("append to "+table, "INSERT INTO "+table+" (key, value) SELECT * FROM unnest($1::bytea[], $2::bytea[])",
				columns(w.appends, false, true)...)
		}
	}
	*s = staged{}
	return copies
}

// upsertSQL writes the rows of columns(rows, shared, true) into table.
func upsertSQL(table string) string {
	if table == "kv" {
		return "INSERT INTO kv (bucket, key, value) SELECT * FROM unnest($1::text[], $2::bytea[], $3::bytea[]) ON CONFLICT (bucket, key) DO UPDATE SET value = EXCLUDED.value"
	}
	return "INSERT INTO " + table + " (key, value) SELECT * FROM unnest($1::bytea[], $2::bytea[]) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
}

// columns are the arrays of a multi-row statement: bucket names (shared
// table only), keys, values (with values).
func columns(rows []stagedRow, shared, values bool) []any {
	buckets := make([]string, len(rows))
	keys := make([][]byte, len(rows))
	vals := make([][]byte, len(rows))
	for i, r := range rows {
		buckets[i], keys[i], vals[i] = r.bucket, r.key, r.value
	}
	var out []any
	if shared {
		out = append(out, buckets)
	}
	out = append(out, keys)
	if values {
		out = append(out, vals)
	}
	return out
}
