package postgres_test

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/lre-project/lre/internal/pgtest"
	"github.com/lre-project/lre/storage/kv"
	"github.com/lre-project/lre/storage/kv/kvtest"
	"github.com/lre-project/lre/storage/postgres"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.StopShared()
	os.Exit(code)
}

func open(t *testing.T, url string) *postgres.Engine {
	t.Helper()
	e, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func TestConformance(t *testing.T) {
	c := pgtest.Shared(t)
	kvtest.Run(t, func(t *testing.T) kv.Engine { return open(t, c.NewDatabase(t)) })
}

// Two engines on one database are two lre processes: their writers must
// be serialised by the database, not by either process.
func TestWritersSerialisedAcrossProcesses(t *testing.T) {
	c := pgtest.Shared(t)
	url := c.NewDatabase(t)
	engines := []kv.Engine{open(t, url), open(t, url)}
	const each = 40
	var wg sync.WaitGroup
	for _, e := range engines {
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					err := e.Update(func(tx kv.Tx) error {
						seq, err := tx.Bucket([]byte("events")).NextSequence()
						if err != nil {
							return err
						}
						var n uint64
						if v := tx.Bucket([]byte("meta")).Get([]byte("n")); v != nil {
							n = binary.BigEndian.Uint64(v)
						}
						if n+1 != seq {
							t.Errorf("sequence %d after counter %d: two writers overlapped", seq, n)
						}
						if err := tx.Bucket([]byte("events")).Put(binary.BigEndian.AppendUint64(nil, seq), []byte("e")); err != nil {
							return err
						}
						return tx.Bucket([]byte("meta")).Put([]byte("n"), binary.BigEndian.AppendUint64(nil, n+1))
					})
					if err != nil {
						t.Error(err)
					}
				}
			}()
		}
	}
	wg.Wait()
	engines[1].View(func(tx kv.Tx) error {
		if n := tx.Bucket([]byte("events")).KeyN(); n != 2*4*each {
			t.Errorf("%d events, want %d", n, 2*4*each)
		}
		return nil
	})
}

// The evidence log is append-only three times over: the engine refuses to
// delete or overwrite, the role holds no UPDATE/DELETE/TRUNCATE privilege,
// and a trigger refuses them even to the table's owner.
func TestEventsAppendOnly(t *testing.T) {
	c := pgtest.Shared(t)
	url := c.NewDatabase(t)
	e := open(t, url)
	key := []byte{0, 0, 0, 0, 0, 0, 0, 1}
	if err := e.Update(func(tx kv.Tx) error { return tx.Bucket([]byte("events")).Put(key, []byte("first")) }); err != nil {
		t.Fatal(err)
	}
	err := e.Update(func(tx kv.Tx) error { return tx.Bucket([]byte("events")).Delete(key) })
	if !errors.Is(err, kv.ErrAppendOnly) {
		t.Errorf("delete of an event: %v, want ErrAppendOnly", err)
	}
	if err := e.Update(func(tx kv.Tx) error { return tx.Bucket([]byte("events")).Put(key, []byte("rewritten")) }); err == nil {
		t.Error("overwriting an event was accepted")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, priv := range []string{"UPDATE", "DELETE", "TRUNCATE"} {
		var has bool
		if err := conn.QueryRow(ctx, "SELECT has_table_privilege(current_user, 'events', $1)", priv).Scan(&has); err != nil {
			t.Fatal(err)
		}
		if has {
			t.Errorf("the role holds %s on events", priv)
		}
	}
	su, err := pgx.Connect(ctx, superURL(c, url))
	if err != nil {
		t.Fatal(err)
	}
	defer su.Close(ctx)
	// A superuser bypasses privileges, not triggers.
	for _, stmt := range []string{"UPDATE events SET value = 'x'", "DELETE FROM events", "TRUNCATE events"} {
		if _, err := su.Exec(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want the append-only trigger's refusal", stmt, err)
		}
	}
	e.View(func(tx kv.Tx) error {
		if got := tx.Bucket([]byte("events")).Get(key); string(got) != "first" {
			t.Errorf("event now reads %q", got)
		}
		return nil
	})
}

// migratedDatabase is a new database that lre has migrated, and a
// connection of the test's own to it.
func migratedDatabase(t *testing.T) (string, *pgx.Conn) {
	t.Helper()
	url := pgtest.Shared(t).NewDatabase(t)
	open(t, url).Close()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return url, conn
}

func TestNewerSchemaRefused(t *testing.T) {
	url, conn := migratedDatabase(t)
	ctx := context.Background()
	if _, err := conn.Exec(ctx, "INSERT INTO lre_schema (version) VALUES ($1)", postgres.SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	_, err := postgres.Open(ctx, url)
	if err == nil || !strings.Contains(err.Error(), "newer than this lre") {
		t.Fatalf("open of a newer schema: %v, want a refusal", err)
	}
	// Opening again at the same version is a no-op, not a second migration.
	if _, err := conn.Exec(ctx, "DELETE FROM lre_schema WHERE version > $1", postgres.SchemaVersion()); err != nil {
		t.Fatal(err)
	}
	open(t, url)
	var n int
	conn.QueryRow(ctx, "SELECT count(*) FROM lre_schema").Scan(&n)
	if n != postgres.SchemaVersion() {
		t.Errorf("%d schema rows after reopening, want %d", n, postgres.SchemaVersion())
	}
}

// superURL is url's database as the cluster's superuser.
func superURL(c *pgtest.Cluster, url string) string {
	return c.URL(url[strings.LastIndex(url, "/")+1 : strings.Index(url, "?")])
}

// A process keeps what its writers read and wrote between transactions
// (memo.go); another process's write must make it read again, values and
// scans alike.
func TestMemoForgetsOtherProcessesWrites(t *testing.T) {
	c := pgtest.Shared(t)
	url := c.NewDatabase(t)
	a, b := open(t, url), open(t, url)
	meta := []byte("meta")
	put := func(e kv.Engine, k, v string) {
		t.Helper()
		if err := e.Update(func(tx kv.Tx) error { return tx.Bucket(meta).Put([]byte(k), []byte(v)) }); err != nil {
			t.Fatal(err)
		}
	}
	read := func(e kv.Engine) (v string, scanned []string) {
		t.Helper()
		err := e.Update(func(tx kv.Tx) error {
			v = string(tx.Bucket(meta).Get([]byte("k")))
			cur := tx.Bucket(meta).Cursor()
			for k, _ := cur.Seek([]byte("s/")); k != nil && strings.HasPrefix(string(k), "s/"); k, _ = cur.Next() {
				scanned = append(scanned, string(k))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return v, scanned
	}
	put(a, "k", "1")
	if v, s := read(b); v != "1" || len(s) != 0 {
		t.Fatalf("b read %q %q, want 1 and no scanned keys", v, s)
	}
	put(a, "k", "2")
	put(a, "s/x", "")
	if v, s := read(b); v != "2" || len(s) != 1 {
		t.Errorf("after a's writes b read %q %q: it kept what it knew from before them", v, s)
	}
}

// Documents go by COPY, which cannot overwrite (copy.go): a document put
// again, in a later transaction or after a flush of the same one, must
// still end with its last value, and the transaction's other writes must
// stay.
func TestDocumentsPutAgain(t *testing.T) {
	c := pgtest.Shared(t)
	e := open(t, c.NewDatabase(t))
	contents, meta := []byte("contents"), []byte("meta")
	update := func(fn func(tx kv.Tx) error) {
		t.Helper()
		if err := e.Update(fn); err != nil {
			t.Fatal(err)
		}
	}
	update(func(tx kv.Tx) error {
		tx.Bucket(contents).Put([]byte("n1/a"), []byte("first"))
		return tx.Bucket(contents).Put([]byte("n1/b"), []byte("kept"))
	})
	update(func(tx kv.Tx) error {
		tx.Bucket(meta).Put([]byte("before"), []byte("1"))
		tx.Bucket(contents).Put([]byte("n1/a"), []byte("second"))
		tx.Bucket(contents).Put([]byte("n2/a"), []byte("new"))
		tx.Bucket(meta).Cursor().First() // flushes
		tx.Bucket(contents).Put([]byte("n2/a"), []byte("newer"))
		return tx.Bucket(meta).Put([]byte("after"), []byte("2"))
	})
	err := e.Update(func(tx kv.Tx) error {
		tx.Bucket(contents).Put([]byte("n3/a"), []byte("rolled back"))
		tx.Bucket(meta).Cursor().First()
		return errors.New("refused")
	})
	if err == nil {
		t.Fatal("an Update whose fn failed returned nil")
	}
	want := map[string]string{"n1/a": "second", "n1/b": "kept", "n2/a": "newer"}
	e.View(func(tx kv.Tx) error {
		got := map[string]string{}
		tx.Bucket(contents).ForEach(func(k, v []byte) error { got[string(k)] = string(v); return nil })
		if len(got) != len(want) {
			t.Errorf("documents %q, want %q", got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("document %s = %q, want %q", k, got[k], v)
			}
		}
		for _, k := range []string{"before", "after"} {
			if tx.Bucket(meta).Get([]byte(k)) == nil {
				t.Errorf("meta %s lost with the COPY that was rolled back", k)
			}
		}
		return nil
	})
}

// A scan answered from what the transaction knows does not run the kept
// reads of kv.GetLater first (later.go); a kept function that then writes
// the bucket so scanned must fail the transaction, not leave the scan
// wrong, and one that writes another bucket must commit.
func TestScanBeforeKeptRead(t *testing.T) {
	c := pgtest.Shared(t)
	e := open(t, c.NewDatabase(t))
	scanned, record, index := []byte("webhook_orgs"), []byte("outbox"), []byte("outbox_due")
	scan := func(tx kv.Tx) (n int) {
		tx.Bucket(scanned).ForEach(func(k, v []byte) error { n++; return nil })
		return n
	}
	run := func(writes []byte) error {
		return e.Update(func(tx kv.Tx) error {
			scan(tx) // a query: the transaction now knows the whole bucket
			err := kv.GetLater(tx, record, []byte("unknown"), func(v []byte) error {
				return tx.Bucket(writes).Put([]byte("k"), nil)
			})
			if err != nil {
				return err
			}
			if n := scan(tx); n != 0 {
				t.Errorf("scan of an empty bucket found %d keys", n)
			}
			return nil
		})
	}
	if err := run(scanned); err == nil || !strings.Contains(err.Error(), "GetLater") {
		t.Errorf("a kept read writing the bucket scanned before it ran: %v, want the transaction refused", err)
	}
	if err := run(index); err != nil {
		t.Fatalf("a kept read writing another bucket: %v", err)
	}
	e.View(func(tx kv.Tx) error {
		if tx.Bucket(index).Get([]byte("k")) == nil {
			t.Error("the kept read's write is missing")
		}
		if n := scan(tx); n != 0 {
			t.Errorf("the refused transaction left %d keys", n)
		}
		return nil
	})
}

// Schema 4 leaves room on kv's pages for the next version of a row (HOT
// updates), on a new database and on one migrated from schema 3.
func TestKVPagesKeepRoom(t *testing.T) {
	url, conn := migratedDatabase(t)
	ctx := context.Background()
	fill := func() string {
		t.Helper()
		var opts []string
		if err := conn.QueryRow(ctx, "SELECT coalesce(reloptions, '{}') FROM pg_class WHERE relname = 'kv'").Scan(&opts); err != nil {
			t.Fatal(err)
		}
		return strings.Join(opts, ",")
	}
	if got := fill(); got != "fillfactor=80" {
		t.Errorf("kv options on a new database: %q, want fillfactor=80", got)
	}
	if _, err := conn.Exec(ctx, "ALTER TABLE kv RESET (fillfactor); DELETE FROM lre_schema WHERE version >= 4"); err != nil {
		t.Fatal(err)
	}
	open(t, url)
	if got := fill(); got != "fillfactor=80" {
		t.Errorf("kv options after migrating from schema 3: %q, want fillfactor=80", got)
	}
}
