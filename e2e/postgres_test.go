package e2e_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lre-project/lre/internal/pgtest"
	"github.com/lre-project/lre/storage"
)

// TestTwoProcessesOnePostgres runs two lre serve processes on one
// PostgreSQL database and one data dir (the keys), with clients depositing
// through both. One process is killed with SIGKILL mid-load and started
// again; a client whose process is down retries on the other with the same
// Idempotency-Key. Afterwards every acknowledged letter is stored once,
// byte for byte, with its token and events; every notification was sent
// once, or more only where the log records an ambiguous retry (the leader
// died between the SMTP 250 and its record); the log and the checkpoints
// verify through lre log verify --store.
func TestTwoProcessesOnePostgres(t *testing.T) {
	url := pgtest.Shared(t).NewDatabase(t)
	dir := t.TempDir()
	out, errOut, err := runLRE(t, "users", "add", "--data", dir, "--store", url, "--email", "pg@cabinet.example", "--name", "Maître Durand", "--org", "Cabinet Durand", "--role", "sender")
	if err != nil {
		t.Fatalf("lre users add --store: %v\n%s%s", err, out, errOut)
	}
	userID, key := senderOf(t, out)
	sk := startSink(t, behaviour{jitter: 10 * time.Millisecond})
	flags := []string{"--store", url, "--smtp", sk.addr, "--smtp-starttls", "off", "--checkpoint-interval", "300ms"}
	procs := []*lreProc{newProc(t, dir, flags...), newProc(t, dir, flags...)}
	for _, p := range procs {
		p.start()
	}
	clients := []*client{newClient(procs[0].url(""), key, 10*time.Second), newClient(procs[1].url(""), key, 10*time.Second)}
	g := newLedger()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var stop atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			for i := 0; !stop.Load(); i++ {
				l := newLetter(rng, fmt.Sprintf("P%dN%04d", w, i), 2, 16<<10)
				if err := depositOnEither(ctx, clients, w%2, g, l); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	procs[0].kill()
	time.Sleep(1500 * time.Millisecond)
	procs[0].start()
	time.Sleep(time.Second)
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	letters := g.all()
	t.Logf("%d letters acknowledged through two processes; clients saw %v", len(letters), g.answers)
	if len(letters) < 20 {
		t.Fatalf("only %d letters acknowledged: the load did not run", len(letters))
	}
	waitFor(t, 90*time.Second, "every letter notified and recorded", func() bool {
		for _, a := range letters {
			if sk.count(notificationID(a.ack.ID)) == 0 || clients[1].notice(t, a.ack.ID).Status != "notified" {
				return false
			}
		}
		return true
	})
	// Idempotency keys hold across processes: a retry through the other
	// process answers the letter the first one acknowledged.
	for i, a := range letters[:10] {
		if err := replay(ctx, clients[i%2], a); err != nil {
			t.Error(err)
		}
	}
	served := checkServed(t, clients[1], letters)
	time.Sleep(time.Second) // let a checkpoint cover the last records
	for _, p := range procs {
		p.stop()
	}
	out, errOut, err = runLRE(t, "log", "verify", "--data", dir, "--store", url)
	if err != nil {
		t.Fatalf("lre log verify --store: %v\n%s%s", err, out, errOut)
	}
	var records, cps int
	if _, err := fmt.Sscanf(out, "evidence log OK: %d records", &records); err != nil || records != served {
		t.Errorf("lre log verify --store checked %d records (%q), the letters have %d events", records, out, served)
	}
	if _, err := fmt.Sscanf(out[strings.Index(out, "transparency"):], "transparency log OK: tree recomputed, %d checkpoints", &cps); err != nil || cps == 0 {
		t.Errorf("no checkpoint verified: %q", out)
	}
	db, err := storage.Open(dir, storage.Options{URL: url, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkLetters(t, db, userID, letters, embeddedRoots(t, dir), sk)
	if want := 2 * len(letters); records != want {
		t.Errorf("evidence log holds %d records, want %d (one deposit and one notification per letter)", records, want)
	}
}

func senderOf(t *testing.T, out string) (id, key string) {
	t.Helper()
	m := userIDLine.FindStringSubmatch(out)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if m == nil || len(lines) == 0 {
		t.Fatalf("lre users add printed no id or key:\n%s", out)
	}
	return m[1], lines[len(lines)-1]
}
