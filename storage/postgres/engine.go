// Package postgres is the PostgreSQL engine of the store: the ordered
// buckets of storage/kv kept in tables, so that several lre processes share
// one database. Writers are serialised by the database (a transaction-level
// advisory lock taken first thing in every write transaction), never by a
// process, so the evidence log stays one hash chain and one Merkle tree
// whichever process appends; readers run in repeatable-read snapshots.
//
// The evidence log lives in its own table, events, which lre only ever
// inserts into: the schema revokes UPDATE, DELETE and TRUNCATE on it and a
// trigger refuses them, and this package never issues them (kv.ErrAppendOnly).
// Documents live in their own table, contents, sealed by the store as with
// bbolt.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lre-project/lre/storage/kv"
)

// writeLock is the advisory lock key every write transaction holds: "lre\x00"
// as a big-endian integer, unlikely to collide with another application's.
const writeLock = 0x6c726500

// txTimeout bounds one transaction, lock wait included.
const txTimeout = 60 * time.Second

// Engine is a kv.Engine on a PostgreSQL database.
type Engine struct {
	pool *pgxpool.Pool
	memo memo // what the last write transaction left known (memo.go)
}

var (
	_ kv.Engine    = (*Engine)(nil)
	_ kv.OneReader = (*Engine)(nil)
)

// Open connects to url, creates or migrates the schema (refusing a database
// made by a newer lre) and returns the engine.
func Open(ctx context.Context, url string) (*Engine, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	if cfg.MaxConns < 16 {
		cfg.MaxConns = 16
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	return &Engine{pool: pool}, nil
}

// Close closes every connection.
func (e *Engine) Close() error {
	e.pool.Close()
	return nil
}

// Ping checks that the database answers.
func (e *Engine) Ping(ctx context.Context) error { return e.pool.Ping(ctx) }

// View runs fn in a read-only repeatable-read transaction: one snapshot.
func (e *Engine) View(fn func(kv.Tx) error) error { return e.run(false, fn) }

// Update runs fn in a write transaction that first takes the write lock.
// Read committed is right here: once the lock is held, every statement sees
// all that earlier writers committed (a repeatable-read snapshot would be
// taken before the lock is granted, and so miss the last writer).
func (e *Engine) Update(fn func(kv.Tx) error) error { return e.run(true, fn) }

// ReadOne reads one key outside any transaction: one statement, one round
// trip, where a View costs BEGIN with its query and ROLLBACK after. lre
// bench on PostgreSQL: read transactions were 13 % of lre's CPU, most of
// them the four lookups of each deposit (its API key, Idempotency-Key, the
// sender's outcomes and day).
func (e *Engine) ReadOne(bucketName, key []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), txTimeout)
	defer cancel()
	b := &bucket{name: string(bucketName), table: tableOf(string(bucketName))}
	var v []byte
	err := e.pool.QueryRow(ctx, b.getSQL(), b.args(key)...).Scan(&v)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("postgres: get %s: %w", b.name, err)
	case v == nil:
		v = []byte{}
	}
	return v, nil
}

func (e *Engine) run(write bool, fn func(kv.Tx) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), txTimeout)
	defer cancel()
	pc, err := e.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer pc.Release()
	if !write {
		v := &viewConn{Conn: pc}
		defer v.end()
		t := &tx{ctx: ctx, tx: v}
		if err := fn(t); err != nil {
			return err
		}
		defer t.serial()()
		return t.err
	}
	committed, unknown := false, false
	defer func() {
		if !committed {
			pc.Exec(context.Background(), "ROLLBACK")
		}
	}()
	gen, err := beginWrite(ctx, pc)
	if err != nil {
		return fmt.Errorf("postgres: write lock: %w", err)
	}
	m := e.memo.hold(gen)
	t := &tx{ctx: ctx, tx: pc, write: true, memo: m, gen: gen}
	t.cache, t.seqs, t.dirtySeqs = map[string]cached{}, map[string]uint64{}, map[string]bool{}
	t.dirty, t.pages = map[string]bool{}, map[string][]row{}
	defer func() { m.end(t, committed, unknown) }()
	if err := fn(t); err != nil {
		return err
	}
	if !t.send(true) {
		unknown = t.unknown
		return t.err
	}
	committed = true
	return nil
}

// tx is one transaction. Bucket operations of kv return no error, so the
// first database error is kept here, every later operation does nothing,
// and Update/View return it: the transaction is rolled back.
//
// A write transaction queues its writes and sends them in one pipelined
// batch (flush) before a scan, a count or the commit, and remembers what it
// read and wrote (cache): a group commit of many deposits then costs a few
// round trips instead of one per key. The cache is safe because writers are
// serialised: nobody else writes while it runs.
type tx struct {
	ctx     context.Context
	tx      conn
	write   bool
	unknown bool // the commit was sent, its outcome is not known
	wake    bool // queued background work: notify the leader at commit
	err     error
	// mu serialises a read transaction's use of its connection: like
	// bbolt's, it may be read from several goroutines at once (VerifyLog
	// recomputes the tree on one while it reads the records on another,
	// and lre log verify on a log of more than 4,096 records failed with
	// nodes missing, the connection busy). A write transaction is used by
	// one goroutine, as bbolt's must be.
	mu sync.Mutex

	cache     map[string]cached // bucket NUL key -> last known value
	stage     staged            // writes not yet sent (stage.go)
	later     []laterRead       // reads wanted before the next flush (later.go)
	forbidden map[string]bool   // buckets the running kept read may not write
	batch     pgx.Batch
	ops       []string // what each queued statement does, for errors
	seqs      map[string]uint64
	dirtySeqs map[string]bool
	prefetch  map[string][][]byte // bucket -> keys announced, read at the next miss

	memo  *memo            // held while the transaction runs; nil in a View
	gen   int64            // the database's generation when the write lock was taken
	wrote bool             // a put, delete or sequence was queued
	dirty map[string]bool  // buckets written: their scans are read again
	pages map[string][]row // complete scans read since their bucket was last written
}

// cached is a key's value as the transaction knows it; ok=false: absent.
type cached struct {
	v  []byte
	ok bool
}

func cacheKey(bucket string, key []byte) string { return bucket + "\x00" + string(key) }

func (t *tx) known(bucket string, key []byte) ([]byte, bool) {
	k := cacheKey(bucket, key)
	c, hit := t.cache[k]
	if !hit && t.memo != nil {
		c, hit = t.memo.values[k]
	}
	if !hit {
		return nil, false
	}
	if !c.ok {
		return nil, true
	}
	return c.v, true
}

// remember records a value read or written (nil: absent); a no-op in a
// read transaction, whose scans may cover a whole table.
func (t *tx) remember(bucket string, key, v []byte) {
	if t.cache != nil {
		t.cache[cacheKey(bucket, key)] = cached{v: v, ok: v != nil}
	}
}

// written notes a write to bucket: its scans known so far no longer hold.
func (t *tx) written(bucket string) {
	t.wrote = true
	if !t.dirty[bucket] {
		t.dirty[bucket] = true
		for k := range t.pages {
			if pageBucket(k) == bucket {
				delete(t.pages, k)
			}
		}
	}
}

// page returns a complete scan known to hold now.
func (t *tx) page(k string) ([]row, bool) {
	if t.memo == nil {
		return nil, false
	}
	if rows, ok := t.pages[k]; ok {
		return rows, true
	}
	if t.dirty[pageBucket(k)] {
		return nil, false
	}
	rows, ok := t.memo.pages[k]
	return rows, ok
}

func (t *tx) queue(op, sql string, args ...any) {
	t.batch.Queue(sql, args...)
	t.ops = append(t.ops, op)
}

// flush sends the staged writes; false when it (or an earlier operation)
// failed.
func (t *tx) flush() bool { return t.send(false) }

// send sends the staged writes: the documents by COPY first, right after
// the savepoint that the transaction's last batch set (copy.go), then one
// batch of every other write and sequence, which ends with the savepoint
// for the next COPY or, when commit is set, with COMMIT. False when it (or
// an earlier operation) failed; t.unknown then says whether a commit may
// have happened all the same.
func (t *tx) send(commit bool) bool {
	if t.resolveLater(); t.failed() {
		return false
	}
	copies := t.stage.queueAll(t)
	for name := range t.dirtySeqs {
		t.queue("set sequence "+name,
			"INSERT INTO kv_sequences (bucket, seq) VALUES ($1, $2) ON CONFLICT (bucket) DO UPDATE SET seq = EXCLUDED.seq",
			name, int64(t.seqs[name]))
		delete(t.dirtySeqs, name)
	}
	if t.copyIn(copies); t.failed() {
		return false
	}
	switch {
	case commit:
		if t.wake {
			// Delivered at commit, to the leader's LISTEN, and not at all on rollback.
			t.queue("notify", "SELECT pg_notify($1, '')", workChannel)
		}
		if t.wrote {
			// A transaction that wrote nothing (a check that found nothing
			// to do) commits without a WAL record to flush, and leaves the
			// memos of every process valid.
			t.queue("generation", "UPDATE lre_generation SET n = $1", t.gen+1)
		}
		t.queue("commit", "COMMIT")
	case len(t.ops) > 0 || len(copies) > 0:
		t.queue("savepoint", copySavepoint)
	default:
		return true
	}
	res := t.tx.SendBatch(t.ctx, &t.batch)
	for _, op := range t.ops {
		tag, err := res.Exec()
		if err == nil && op == "commit" && tag.String() != "COMMIT" {
			err = fmt.Errorf("the server answered %s", tag)
		}
		if err != nil {
			t.unknown = commit && commitUnknown(err)
			t.fail(op, err)
			break
		}
	}
	if err := res.Close(); !commit || t.failed() {
		t.fail("write batch", err)
	}
	t.batch, t.ops = pgx.Batch{}, nil
	return !t.failed()
}

// serial locks mu in a read transaction and returns its unlock.
func (t *tx) serial() func() {
	if t.write {
		return func() {}
	}
	t.mu.Lock()
	return t.mu.Unlock
}

func (t *tx) Writable() bool { return t.write }

func (t *tx) Bucket(name []byte) kv.Bucket {
	return &bucket{t: t, name: string(name), table: tableOf(string(name))}
}

func (t *tx) fail(op string, err error) {
	if t.err == nil && err != nil {
		t.err = fmt.Errorf("postgres: %s: %w", op, err)
	}
}

func (t *tx) failed() bool { return t.err != nil }

// errWriteInRead reports a write attempted in a View transaction.
var errWriteInRead = errors.New("write in a read-only transaction")

// errScannedBefore reports a kv.GetLater function writing a bucket that the
// transaction scanned, from what it knew, after the GetLater call.
var errScannedBefore = errors.New("a kv.GetLater function wrote a bucket scanned after its call: it must write only what nothing reads meanwhile")
