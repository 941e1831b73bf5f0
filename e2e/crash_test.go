package e2e_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lre-project/lre/storage"
)

// ledger is what the clients were told: every acknowledged letter by its
// Idempotency-Key.
type ledger struct {
	mu    sync.Mutex
	acked map[string]ackedLetter
	keys  []string
	// answers counts the statuses and transport errors the clients saw.
	answers map[string]int
}

type ackedLetter struct {
	l   letter
	ack notice
}

func newLedger() *ledger {
	return &ledger{acked: map[string]ackedLetter{}, answers: map[string]int{}}
}

func (g *ledger) count(what string) {
	g.mu.Lock()
	g.answers[what]++
	g.mu.Unlock()
}

// record keeps an acknowledgement; an earlier one for the same key must
// name the same letter.
func (g *ledger) record(l letter, n notice) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if prev, ok := g.acked[l.key]; ok {
		if prev.ack.ID != n.ID || prev.ack.DepositDigest != n.DepositDigest {
			return fmt.Errorf("key %s acknowledged as %s then as %s", l.key, prev.ack.ID, n.ID)
		}
		return nil
	}
	g.acked[l.key] = ackedLetter{l, n}
	g.keys = append(g.keys, l.key)
	return nil
}

func (g *ledger) random(rng *rand.Rand) (ackedLetter, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.keys) == 0 {
		return ackedLetter{}, false
	}
	return g.acked[g.keys[rng.IntN(len(g.keys))]], true
}

func (g *ledger) all() []ackedLetter {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]ackedLetter, 0, len(g.keys))
	for _, k := range g.keys {
		out = append(out, g.acked[k])
	}
	return out
}

// depositUntilAcked sends l until the server acknowledges it, as a careful
// client does: a lost connection or a 503 is retried with the same bytes
// and Idempotency-Key. Any other answer is an error.
func depositUntilAcked(ctx context.Context, c *client, g *ledger, l letter) error {
	return depositOnEither(ctx, []*client{c}, 0, g, l)
}

// depositOnEither is depositUntilAcked through several processes: it
// starts with clients[first] and moves to the next after each lost
// connection or 503, with the same bytes and Idempotency-Key, so that the
// key must hold across processes.
func depositOnEither(ctx context.Context, clients []*client, first int, g *ledger, l letter) error {
	for try, lost := first, false; ; try, lost = try+1, true {
		r, err := clients[try%len(clients)].deposit(ctx, l)
		switch {
		case ctx.Err() != nil:
			return fmt.Errorf("letter %s never acknowledged: %w", l.key, ctx.Err())
		case err != nil:
			g.count("transport error")
			time.Sleep(20 * time.Millisecond)
			continue
		case r.status == http.StatusServiceUnavailable:
			g.count("503")
			time.Sleep(50 * time.Millisecond)
			continue
		case r.status != http.StatusCreated && r.status != http.StatusAccepted:
			g.count(fmt.Sprint(r.status))
			return fmt.Errorf("deposit %s: %s", l.key, r)
		}
		g.count(fmt.Sprint(r.status))
		if lost && r.header.Get("Idempotent-Replayed") == "true" {
			g.count("replayed after a lost reply")
		}
		n, err := checkAck(l, r)
		if err != nil {
			return fmt.Errorf("deposit %s: %w", l.key, err)
		}
		return g.record(l, n)
	}
}

// replay re-sends an acknowledged letter: the answer must be the same
// letter, marked as replayed. A lost connection proves nothing either way.
func replay(ctx context.Context, c *client, a ackedLetter) error {
	r, err := c.deposit(ctx, a.l)
	if err != nil || r.status == http.StatusServiceUnavailable {
		return nil
	}
	n, err := checkAck(a.l, r)
	switch {
	case err != nil:
		return fmt.Errorf("replay of %s: %w", a.l.key, err)
	case n.ID != a.ack.ID || n.DepositDigest != a.ack.DepositDigest:
		return fmt.Errorf("replay of %s answered letter %s, first acknowledged as %s", a.l.key, n.ID, a.ack.ID)
	case r.header.Get("Idempotent-Replayed") != "true":
		return fmt.Errorf("replay of %s not marked Idempotent-Replayed: %s", a.l.key, r)
	}
	return nil
}

// TestCrashUnderLoad kills lre with SIGKILL at random moments while four
// clients deposit letters, restarts it on the same data dir (alternating
// the embedded authority and an external one over HTTP), and then checks
// that every acknowledged letter is stored byte for byte with its token
// and events, that the evidence log verifies, that no key made two
// letters, and that every letter was notified once, or more than once
// only where the log records an ambiguous retry.
func TestCrashUnderLoad(t *testing.T) {
	dir := t.TempDir()
	userID, key := addSender(t, dir, "crash@cabinet.example")
	sk := startSink(t, behaviour{jitter: 15 * time.Millisecond})
	ext := startTSA(t)
	p := newProc(t, dir)
	mail := []string{"--smtp", sk.addr, "--smtp-starttls", "off"}
	c := newClient(p.url(""), key, 10*time.Second)
	g := newLedger()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d, %d rounds", seed, *crashRounds)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var stop atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			for i := 0; !stop.Load(); i++ {
				if a, ok := g.random(rng); ok && rng.IntN(10) == 0 {
					if err := replay(ctx, c, a); err != nil {
						errs <- err
						return
					}
				}
				l := newLetter(rng, fmt.Sprintf("W%dN%04d", w, i), 2, 24<<10)
				if err := depositUntilAcked(ctx, c, g, l); err != nil {
					errs <- err
					return
				}
				time.Sleep(time.Duration(rng.IntN(15)) * time.Millisecond)
			}
		}()
	}

	rng := rand.New(rand.NewPCG(seed, 99))
	for round := range *crashRounds {
		if round%2 == 0 {
			p.reconfigure(mail...)
		} else {
			p.reconfigure(append(mail, ext.flags()...)...)
		}
		p.start()
		time.Sleep(time.Duration(100+rng.IntN(900)) * time.Millisecond)
		p.kill()
		if len(errs) > 0 {
			break
		}
	}
	p.reconfigure(mail...)
	p.start()
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	letters := g.all()
	t.Logf("%d letters acknowledged; client saw %v", len(letters), g.answers)

	waitFor(t, 90*time.Second, "every letter notified", func() bool {
		for _, a := range letters {
			if sk.count(notificationID(a.ack.ID)) == 0 {
				return false
			}
		}
		return true
	})
	waitFor(t, 30*time.Second, "every notification recorded", func() bool {
		for _, a := range letters {
			if c.notice(t, a.ack.ID).Status != "notified" {
				return false
			}
		}
		return true
	})
	served := checkServed(t, c, letters)
	p.stop()
	records := verifyLog(t, dir)
	if records != served {
		t.Errorf("lre log verify checked %d records, the letters have %d events", records, served)
	}

	db := openStore(t, dir)
	checkLetters(t, db, userID, letters, bothRoots(t, dir, ext), sk)
	if want := 2 * len(letters); records != want {
		t.Errorf("evidence log holds %d records, want %d (one deposit and one notification per letter)", records, want)
	}
}

// checkLetters runs checkStored and checkNotifiedOnce over every letter,
// checks that the sender has no other letter and that the sink received no
// other message, nor any letter's subject or body.
func checkLetters(t *testing.T, db *storage.DB, userID string, letters []ackedLetter, roots *x509.CertPool, sk *sink) {
	t.Helper()
	byID := map[string]ackedLetter{}
	for _, a := range letters {
		if _, dup := byID[a.ack.ID]; dup {
			t.Errorf("letter %s acknowledged for two keys", a.ack.ID)
		}
		byID[a.ack.ID] = a
	}
	stored := lettersOf(t, db, userID)
	if len(stored) != len(letters) {
		t.Errorf("the store holds %d letters of the sender, %d were acknowledged", len(stored), len(letters))
	}
	for _, n := range stored {
		if _, ok := byID[n.ID]; !ok {
			t.Errorf("letter %s (status %s) was stored but never acknowledged to anyone", n.ID, n.Status)
		}
	}
	received := sk.counts()
	ambiguous, twice := 0, 0
	for _, a := range letters {
		checkStored(t, db, a.l, a.ack, roots)
		id := notificationID(a.ack.ID)
		if checkNotifiedOnce(t, db, a.ack.ID, received[id]) {
			ambiguous++
		}
		if received[id] > 1 {
			twice++
		}
		delete(received, id)
	}
	for id, n := range received {
		t.Errorf("the sink received %d messages %s that belong to no acknowledged letter", n, id)
	}
	for _, m := range sk.messages() {
		text := strings.ReplaceAll(string(m), "=\r\n", "")
		for _, a := range letters {
			if strings.Contains(text, a.l.subject) || strings.Contains(text, a.l.secret) {
				t.Fatalf("a notification reveals the subject or body of %s:\n%s", a.ack.ID, m)
			}
		}
		if bytes.Contains(m, []byte("Durand")) {
			t.Fatalf("a notification names the sender:\n%s", m)
		}
	}
	t.Logf("%d notifications sent more than once, %d recorded as ambiguous retries", twice, ambiguous)
}
