package postgres

import (
	"strconv"

	"github.com/lre-project/lre/storage/kv"
)

// page is how many rows a cursor fetches at a time: enough that a scan of a
// bucket is a few round trips, small enough that a Seek that reads one key
// does not pull a table.
const page = 128

type row struct{ k, v []byte }

// cursor walks a bucket in pages fetched on demand, in the direction of the
// last move. Like bbolt's, it is valid only inside its transaction.
type cursor struct {
	b    *bucket
	rows []row
	i    int
	asc  bool
	full bool // the page was full: more rows may follow in its direction
}

var _ kv.Cursor = (*cursor)(nil)

func (b *bucket) Cursor() kv.Cursor { return &cursor{b: b} }

func (c *cursor) First() ([]byte, []byte) { return c.fetch(nil, ">=", true) }
func (c *cursor) Last() ([]byte, []byte)  { return c.fetch(nil, "<=", false) }

func (c *cursor) Seek(seek []byte) ([]byte, []byte) {
	if seek == nil {
		seek = []byte{}
	}
	return c.fetch(seek, ">=", true)
}

func (c *cursor) Next() ([]byte, []byte) {
	k := c.key()
	if k == nil {
		return nil, nil
	}
	if c.asc && c.i+1 < len(c.rows) {
		c.i++
		return c.cur()
	}
	if c.asc && !c.full {
		c.i = len(c.rows)
		return nil, nil
	}
	return c.fetch(k, ">", true)
}

func (c *cursor) Prev() ([]byte, []byte) {
	k := c.key()
	if k == nil {
		return nil, nil
	}
	if !c.asc && c.i+1 < len(c.rows) {
		c.i++
		return c.cur()
	}
	if !c.asc && !c.full {
		c.i = len(c.rows)
		return nil, nil
	}
	return c.fetch(k, "<", false)
}

func (c *cursor) Delete() error {
	k := c.key()
	if k == nil {
		return nil
	}
	return c.b.Delete(k)
}

func (c *cursor) key() []byte {
	if c.i < len(c.rows) {
		return c.rows[c.i].k
	}
	return nil
}

func (c *cursor) cur() ([]byte, []byte) {
	if c.i >= len(c.rows) {
		return nil, nil
	}
	return c.rows[c.i].k, c.rows[c.i].v
}

// fetch loads the page of keys op from (nil: from either end) in the given
// direction and positions the cursor on its first row.
func (c *cursor) fetch(from []byte, op string, asc bool) ([]byte, []byte) {
	// A new slice each time: a page may be kept (tx.pages) for later scans.
	c.rows, c.i, c.asc, c.full = nil, 0, asc, false
	t := c.b.t
	defer t.serial()()
	if t.failed() {
		return nil, nil
	}
	key := pageKey(c.b.name, op, from)
	if rows, ok := t.page(key); ok {
		// Answered from what the transaction knows: the kept reads may
		// wait (later.go, scannedEarly).
		t.scannedEarly(c.b.name)
		c.rows = rows
		return c.cur()
	}
	if !t.flush() {
		return nil, nil
	}
	order := "ASC"
	if !asc {
		order = "DESC"
	}
	var cond string
	var args []any
	if from != nil {
		cond = "key " + op + " " + c.b.param(1)
		args = c.b.args(from)
	} else {
		args = c.b.args()
	}
	sql := "SELECT key, value FROM " + c.b.table
	switch {
	case c.b.shared() && cond != "":
		sql += " WHERE bucket = $1 AND " + cond
	case c.b.shared():
		sql += " WHERE bucket = $1"
	case cond != "":
		sql += " WHERE " + cond
	}
	sql += " ORDER BY key " + order + " LIMIT " + strconv.Itoa(page)
	rows, err := t.tx.Query(t.ctx, sql, args...)
	if err != nil {
		t.fail("scan "+c.b.name, err)
		return nil, nil
	}
	defer rows.Close()
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.k, &r.v); err != nil {
			t.fail("scan "+c.b.name, err)
			return nil, nil
		}
		if r.v == nil {
			r.v = []byte{}
		}
		c.rows = append(c.rows, r)
	}
	if err := rows.Err(); err != nil {
		t.fail("scan "+c.b.name, err)
		return nil, nil
	}
	c.full = len(c.rows) == page
	if !c.full && t.pages != nil {
		t.pages[key] = c.rows
	}
	return c.cur()
}

// param is the placeholder of the n-th argument after the bucket name.
func (b *bucket) param(n int) string {
	if b.shared() {
		n++
	}
	return "$" + strconv.Itoa(n)
}
