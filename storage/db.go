// Package storage implements core's store interfaces on one bbolt file.
// Every public method is one bbolt transaction; events are only ever
// appended (big-endian NextSequence keys) and no code path rewrites or
// deletes one.
package storage

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/contentfile"
	"github.com/lre-project/lre/storage/kv"
	"github.com/lre-project/lre/storage/postgres"
)

// Bucket names. Changing one breaks every existing data dir.
var (
	bktNotices      = []byte("notices")
	bktManifests    = []byte("manifests")
	bktContents     = []byte("contents")
	bktEvents       = []byte("events")
	bktNoticeEvents = []byte("notice_events")
	bktMeta         = []byte("meta")
	bktIdempotency  = []byte("idempotency")
	bktPending      = []byte("pending_timestamp")
	bktUsers        = []byte("users")
	bktUserEmails   = []byte("user_emails")
	bktAPIKeys      = []byte("api_keys")
	bktOutbox       = []byte("outbox")
	bktOutboxDue    = []byte("outbox_due")
	bktDeadlines    = []byte("deadlines")
	bktSecrets      = []byte("secrets")
	bktOutcomes     = []byte("sender_outcomes")
	bktSenderDays   = []byte("sender_days") // sender id, 0, YYYYMMDD -> mails and complaints of that UTC day
	bktConsents     = []byte("consents")
	bktCertificates = []byte("certificates")
	bktTreeNodes    = []byte("tlog_nodes")   // transparency log: (level, index) -> hash
	bktCheckpoints  = []byte("checkpoints")  // big-endian size -> checkpoint JSON
	bktNoticeIndex  = []byte("notice_index") // listing: scope, submission time, id
)

var allBuckets = [][]byte{bktNotices, bktManifests, bktContents, bktContentFiles, bktSegmentLive, bktEvents, bktNoticeEvents, bktMeta, bktIdempotency, bktPending, bktUsers, bktUserEmails, bktAPIKeys, bktOutbox, bktOutboxDue, bktDeadlines, bktSecrets, bktOutcomes, bktSenderDays, bktConsents, bktCertificates, bktTreeNodes, bktCheckpoints, bktNoticeIndex, bktContentKeys, bktRetention, bktPurged, bktWebhooks, bktWebhookOrgs, bktDeliveries, bktDeliveryDue, bktHookLines, bktHookDeliveries, bktOrgEvents, bktBatches, bktBatchKeys}

// ascendingBuckets are keyed by sequence or time within their prefix, so
// bbolt may fill their pages whole (kv.Bolt.Ascending). Letter ids ascend
// with time (core/ids.go), so the buckets keyed by the letter id, or by a
// kind then the id (the outbox: ntf1-, rem1-...), are among them; the due
// index and deadlines are keyed by time. Counted per bucket in an
// instrumented bbolt (lre bench, 100 KB, 10 s): 16.3 -> 15.2 pages written
// per letter, the outbox's leaves 2.9 -> 2.3 and the notices' 1.3 -> 1.0.
// Older random ids still sort among the new ones; a full page they share
// splits into a full page and the rest, as any.
var ascendingBuckets = map[string]bool{
	string(bktEvents): true, string(bktTreeNodes): true, string(bktCheckpoints): true,
	string(bktOrgEvents): true, string(bktRetention): true, string(bktDeliveries): true,
	string(bktNotices): true, string(bktManifests): true, string(bktNoticeTokens): true,
	string(bktContentKeys): true, string(bktContentFiles): true, string(bktSecrets): true,
	string(bktOutbox): true, string(bktOutboxDue): true, string(bktNoticeEvents): true,
	string(bktNoticeIndex): true, string(bktDeadlines): true,
}

// keyHead in bktMeta holds the log head: last sequence (8 bytes) and hash.
var keyHead = []byte("log_head")

// ErrInUse means another process holds the data dir. Stop it or pick
// another --data directory.
var ErrInUse = errors.New("data dir in use by another lre process")

// DB is the bbolt-backed store.
type DB struct {
	kv    kv.Engine        // the engine every method runs on
	bolt  *bolt.DB         // the bbolt file, nil on PostgreSQL (backups, bucket creation)
	pg    *postgres.Engine // the PostgreSQL engine, nil on bbolt (leader election)
	keys  *keyring         // seals contents and webhook secrets (crypt.go)
	group *groupCommit     // shares commits between concurrent writers (notices.go)
	files contentFiles     // letters' sealed documents outside the B-tree (contents.go); nil on PostgreSQL

	fileMu           sync.RWMutex // a backup holds it for reading; removing content files, for writing
	afterContentSync func(id string)
}

var _ core.Store = (*DB)(nil)

// Options tune the store. Zero values pick the defaults.
type Options struct {
	ReadOnly      bool
	LockTimeout   time.Duration // how long to wait for another process's lock (default 1s)
	MaxBatchDelay time.Duration // bbolt Batch window for other batched writes (default 2ms); deposits use the group commit, which has no timer
	MaxBatchSize  int           // most deposits in one group commit (default 256)
	// URL, when set (postgres://…), puts the store in that PostgreSQL
	// database instead of DATA/lre.db; the master key stays in dir.
	URL string
	// AfterContentSync, when set, is called once a deposit's content file
	// is durable and before the transaction that references it commits.
	// Only crash tests set it (cmd/lre's lrehooks build tag).
	AfterContentSync func(id string)
	// SegmentSize is when a content segment is closed and the next begun
	// (default 64 MiB; tests make it small).
	SegmentSize int64
}

// Open opens (creating if needed) the store: the database file lre.db in
// dir, or the PostgreSQL database o.URL.
func Open(dir string, o Options) (*DB, error) {
	if o.URL != "" {
		return openPostgres(dir, o)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if o.LockTimeout == 0 {
		o.LockTimeout = time.Second
	}
	path := filepath.Join(dir, "lre.db")
	if o.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: o.LockTimeout, ReadOnly: o.ReadOnly})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("open store %s: %w", path, ErrInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	b.MaxBatchDelay = or(o.MaxBatchDelay, 2*time.Millisecond)
	b.MaxBatchSize = or(o.MaxBatchSize, 256)
	e := kv.Bolt{DB: b, Ascending: ascendingBuckets}
	db := &DB{bolt: b, kv: e, group: &groupCommit{db: e, max: b.MaxBatchSize}, afterContentSync: o.AfterContentSync}
	if db.files, err = contentfile.Open(filepath.Join(dir, ContentDir), o.ReadOnly, o.SegmentSize); err != nil {
		b.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	if !o.ReadOnly {
		if err := b.Update(createBuckets); err != nil {
			b.Close()
			return nil, fmt.Errorf("open store: %w", err)
		}
	}
	if db.keys, err = loadKeyring(dir, o.ReadOnly, db.kv); err != nil {
		b.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	if !o.ReadOnly {
		if err := db.catchUp(); err != nil {
			b.Close()
			return nil, err
		}
		if _, err := db.removeUnreferenced(); err != nil {
			b.Close()
			return nil, fmt.Errorf("open store: %w", err)
		}
	}
	return db, nil
}

// catchUp builds the indexes and bookkeeping that a store written by an
// earlier lre lacks.
func (db *DB) catchUp() error {
	if err := db.kv.Update(catchUpIndexes); err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	if err := db.kv.Update(catchUpOps); err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	return nil
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func createBuckets(tx *bolt.Tx) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return nil
}

// Close releases the file and its lock.
func (db *DB) Close() error {
	err := db.kv.Close()
	if c, ok := db.files.(io.Closer); ok {
		err = errors.Join(err, c.Close())
	}
	return err
}

// Ping reports whether the store can serve a read transaction.
func (db *DB) Ping() error {
	return db.kv.View(func(tx kv.Tx) error {
		if tx.Bucket(bktMeta) == nil {
			return errors.New("store not initialised")
		}
		return nil
	})
}

// clone copies bytes out of a transaction: bbolt's slices die with it.
func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}
