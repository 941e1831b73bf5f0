package e2e_test

import (
	"context"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// mailFlags sends mail to the sink in clear.
func mailFlags(sk *sink) []string {
	return []string{"--smtp", sk.addr, "--smtp-starttls", "off"}
}

// cutProxy forwards HTTP connections to target. The first time the target
// starts to answer, it calls onReply (which kills the server) and hangs up
// on the client without passing a byte on: the letter is committed, the
// client was told nothing.
type cutProxy struct {
	l       net.Listener
	target  string
	onReply func()
	armed   atomic.Bool
}

func startCutProxy(t testing.TB, target string, onReply func()) *cutProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{l: l, target: target, onReply: onReply}
	p.armed.Store(true)
	go p.serve()
	t.Cleanup(func() { l.Close() })
	return p
}

func (p *cutProxy) serve() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		go p.forward(c)
	}
}

func (p *cutProxy) forward(c net.Conn) {
	defer c.Close()
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer s.Close()
	go io.Copy(s, c)
	buf := make([]byte, 32<<10)
	for {
		n, err := s.Read(buf)
		if n > 0 && p.armed.CompareAndSwap(true, false) {
			p.onReply()
			return
		}
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// seamSetup is a data dir with one sender, a sink and a stopped server.
type seamSetup struct {
	dir, userID, key string
	sk               *sink
	p                *lreProc
	c                *client
}

func newSeamSetup(t *testing.T, b behaviour, extra ...string) *seamSetup {
	t.Helper()
	s := &seamSetup{dir: t.TempDir(), sk: startSink(t, b)}
	s.userID, s.key = addSender(t, s.dir, "seam@cabinet.example")
	s.p = newProc(t, s.dir, append(mailFlags(s.sk), extra...)...)
	s.c = newClient(s.p.url(""), s.key, 20*time.Second)
	return s
}

// finish waits until every letter is notified, stops the server, verifies
// the log and checks each letter in the store; it returns the number of
// log records.
func (s *seamSetup) finish(t *testing.T, letters []ackedLetter) int {
	t.Helper()
	waitFor(t, 30*time.Second, "every letter notified", func() bool {
		for _, a := range letters {
			if s.c.notice(t, a.ack.ID).Status != "notified" {
				return false
			}
		}
		return true
	})
	served := checkServed(t, s.c, letters)
	s.p.stop()
	records := verifyLog(t, s.dir)
	if records != served {
		t.Errorf("lre log verify checked %d records, the letters have %d events", records, served)
	}
	db := openStore(t, s.dir)
	checkLetters(t, db, s.userID, letters, embeddedRoots(t, s.dir), s.sk)
	return records
}

// TestCrashAfterCommitBeforeReply: the server commits a deposit and dies
// before the client reads a byte of the 201. The client's retry with the
// same Idempotency-Key gets that very letter, marked as replayed, and the
// store holds one letter.
func TestCrashAfterCommitBeforeReply(t *testing.T) {
	t.Parallel()
	s := newSeamSetup(t, behaviour{})
	s.p.start()
	proxy := startCutProxy(t, s.p.addr, s.p.kill)
	via := newClient("http://"+proxy.l.Addr().String(), s.key, 20*time.Second)
	l := newLetter(rand.New(rand.NewPCG(1, 2)), "CUT1", 2, 8<<10)
	if r, err := via.deposit(context.Background(), l); err == nil {
		t.Fatalf("the proxy passed the answer on: %s", r)
	}
	s.p.start()
	r, err := s.c.deposit(context.Background(), l)
	if err != nil || r.status != http.StatusCreated {
		t.Fatalf("retry after the crash: %v %v, want 201", r, err)
	}
	if r.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry after the crash made a new letter: %s", r)
	}
	n, err := checkAck(l, r)
	if err != nil {
		t.Fatal(err)
	}
	if records := s.finish(t, []ackedLetter{{l, n}}); records != 2 {
		t.Errorf("log holds %d records, want 2", records)
	}
}

// TestClientTimeoutRetry: the authority is slow, the client gives up after
// 300ms and retries with the same key while its first request is still
// being served. The abandoned request keeps its letter (pending, since its
// token request was cancelled with it); every retry answers that letter,
// which is then timestamped in the background and notified once.
func TestClientTimeoutRetry(t *testing.T) {
	t.Parallel()
	ext := startTSA(t)
	ext.delay.Store(int64(1500 * time.Millisecond))
	s := newSeamSetup(t, behaviour{}, ext.flags()...)
	s.p.start()
	impatient := newClient(s.p.url(""), s.key, 300*time.Millisecond)
	l := newLetter(rand.New(rand.NewPCG(3, 4)), "SLOW1", 1, 8<<10)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	timeouts, replays := 0, 0
	var first notice
	for tries := 0; first.ID == "" || replays < 2; tries++ {
		if tries == 20 {
			t.Fatalf("after %d tries: %d time-outs, %d answers", tries, timeouts, replays)
		}
		r, err := impatient.deposit(ctx, l)
		if err != nil {
			timeouts++
			continue
		}
		if r.status != http.StatusCreated && r.status != http.StatusAccepted {
			t.Fatalf("retry: %s", r)
		}
		n, err := checkAck(l, r)
		if err != nil {
			t.Fatal(err)
		}
		if first.ID == "" {
			first = n
		} else {
			replays++
		}
		if n.ID != first.ID || r.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("retry answered %s (replayed %q), first answer named %s", n.ID, r.header.Get("Idempotent-Replayed"), first.ID)
		}
	}
	if timeouts == 0 {
		t.Fatal("the client never timed out: the test proves nothing")
	}
	ext.delay.Store(0)
	waitFor(t, 30*time.Second, "the letter notified", func() bool { return s.c.notice(t, first.ID).Status == "notified" })
	t.Logf("%d client time-outs, %d tokens granted for one letter", timeouts, ext.granted.Load())
	checkServed(t, s.c, []ackedLetter{{l, first}})
	s.p.stop()
	if records := verifyLog(t, s.dir); records != 2 {
		t.Errorf("log holds %d records, want 2", records)
	}
	checkLetters(t, openStore(t, s.dir), s.userID, []ackedLetter{{l, first}}, bothRoots(t, s.dir, ext), s.sk)
}

// TestCrashAfterTokenBeforeCommit kills the server the moment an external
// authority has handed over a token, before the deposit can be committed;
// the client retries with the same key after the restart. Five times
// over: each key ends as one letter with a token that verifies.
func TestCrashAfterTokenBeforeCommit(t *testing.T) {
	t.Parallel()
	ext := startTSA(t)
	s := newSeamSetup(t, behaviour{}, ext.flags()...)
	answered := make(chan struct{}, 1)
	ext.answered.Store(&answered)
	rng := rand.New(rand.NewPCG(5, 6))
	var letters []ackedLetter
	lost := 0
	for i := range 5 {
		s.p.start()
		l := newLetter(rng, "TOK"+string(rune('A'+i)), 2, 16<<10)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-answered:
				s.p.kill()
			case <-time.After(10 * time.Second):
			}
		}()
		r, err := s.c.deposit(context.Background(), l)
		wg.Wait()
		if err == nil {
			t.Fatalf("deposit %d answered although the server was killed: %s", i, r)
		}
		s.p.start()
		ext.answered.Store(nil)
		r, err = s.c.deposit(context.Background(), l)
		ext.answered.Store(&answered)
		if err != nil || r.status != http.StatusCreated {
			t.Fatalf("retry %d: %v %v, want 201", i, r, err)
		}
		if r.header.Get("Idempotent-Replayed") == "true" {
			lost++
		}
		n, err := checkAck(l, r)
		if err != nil {
			t.Fatal(err)
		}
		letters = append(letters, ackedLetter{l, n})
		s.p.kill()
	}
	t.Logf("%d of 5 deposits were committed before the kill; %d tokens granted", lost, ext.granted.Load())
	s.p.start()
	waitFor(t, 30*time.Second, "every letter notified", func() bool {
		for _, a := range letters {
			if s.c.notice(t, a.ack.ID).Status != "notified" {
				return false
			}
		}
		return true
	})
	checkServed(t, s.c, letters)
	s.p.stop()
	if records := verifyLog(t, s.dir); records != 2*len(letters) {
		t.Errorf("log holds %d records, want %d", records, 2*len(letters))
	}
	checkLetters(t, openStore(t, s.dir), s.userID, letters, bothRoots(t, s.dir, ext), s.sk)
}

// TestCrashAfterSMTPAccept kills the server while the mail server holds a
// notification it accepted. Before its 250 (the attempt is in flight):
// after the restart the notification is sent again, and its one event says
// the retry is ambiguous, never a silent duplicate. After its 250: lre
// keeps the connection for the next mail instead of waiting on QUIT, so the
// result is recorded as soon as the 250 is read; once it is, a crash sends
// nothing again and nothing is ambiguous.
func TestCrashAfterSMTPAccept(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		hold      behaviour
		wait      func(sk *sink) <-chan string
		recorded  bool // kill once the API shows the letter notified
		received  int  // how many times the sink gets the notification
		ambiguous bool // whether its event records an ambiguous retry
	}{
		{"kill before the 250", behaviour{holdData: 30 * time.Second}, func(sk *sink) <-chan string { return sk.accepted }, false, 2, true},
		{"kill after the 250 is recorded", behaviour{holdQuit: 30 * time.Second}, func(sk *sink) <-chan string { return sk.replied }, true, 1, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSeamSetup(t, tt.hold)
			s.p.start()
			l := newLetter(rand.New(rand.NewPCG(7, uint64(i))), "SMTP"+string(rune('A'+i)), 1, 4<<10)
			r, err := s.c.deposit(context.Background(), l)
			if err != nil || r.status != http.StatusCreated {
				t.Fatalf("deposit: %v %v", r, err)
			}
			n, err := checkAck(l, r)
			if err != nil {
				t.Fatal(err)
			}
			select {
			case <-tt.wait(s.sk):
			case <-time.After(20 * time.Second):
				t.Fatal("the notification never reached the sink")
			}
			if tt.recorded {
				waitFor(t, 20*time.Second, "the accepted notification recorded", func() bool {
					return s.c.notice(t, n.ID).Status == "notified"
				})
			} else {
				time.Sleep(100 * time.Millisecond)
			}
			s.p.kill()
			s.sk.set(behaviour{})
			s.p.start()
			s.finish(t, []ackedLetter{{l, n}})
			if got := s.sk.count(notificationID(n.ID)); got != tt.received {
				t.Errorf("sink received the notification %d times, want %d", got, tt.received)
			}
			db := openStore(t, s.dir)
			if got := checkNotifiedOnce(t, db, n.ID, s.sk.count(notificationID(n.ID))); got != tt.ambiguous {
				t.Errorf("the notification's event records an ambiguous retry: %v, want %v", got, tt.ambiguous)
			}
		})
	}
}
