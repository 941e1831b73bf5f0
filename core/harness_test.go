package core_test

import (
	"context"
	"crypto/rand"
	"sync"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/rfc3161"
	"github.com/lre-project/lre/storage"
)

// clock is a fake clock tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// scriptedMailer answers each Send with the next scripted result; the
// SMTP side of these answers is tested against a real server in smtp.
type scriptedMailer struct {
	mu     sync.Mutex
	script []core.DeliveryResult
	sent   []core.OutgoingMail
	clock  *clock
}

func (m *scriptedMailer) Send(ctx context.Context, om core.OutgoingMail) (core.DeliveryResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, om)
	r := core.DeliveryResult{Class: core.DeliveryAccepted, Host: "mx.test", Code: 250, Enhanced: "2.0.0", Text: "Ok: queued as Q1"}
	if len(m.script) > 0 {
		r, m.script = m.script[0], m.script[1:]
	}
	r.Time = m.clock.Now()
	return r, nil
}

func (m *scriptedMailer) kinds() []core.MailKind {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []core.MailKind
	for _, s := range m.sent {
		out = append(out, s.Kind)
	}
	return out
}

type harness struct {
	t      *testing.T
	db     *storage.DB
	svc    *core.Service
	clock  *clock
	mailer *scriptedMailer
	sender core.User
}

var paris, _ = time.LoadLocation("Europe/Paris")

func newHarness(t *testing.T, opts ...core.Option) *harness {
	t.Helper()
	dir := t.TempDir()
	db, err := storage.Open(dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a, err := rfc3161.LoadOrCreateAuthority(dir+"/tsa", "test", time.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	m := &scriptedMailer{clock: c}
	all := append([]core.Option{core.WithClock(c.Now), core.WithMailer(m), core.WithBaseURL("https://lre.test"), core.WithBounceDomain("lre.test"),
		core.WithRetry(core.RetryPolicy{Base: time.Minute, Max: time.Hour, MaxAge: 72 * time.Hour})}, opts...)
	svc := core.NewService(db, rfc3161.NewLocal(a), all...)
	u, _, err := svc.AddUser(context.Background(), "alice@example.org", "Alice Martin", "Cabinet Martin", core.RoleSender)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, db: db, svc: svc, clock: c, mailer: m, sender: u}
}

func (h *harness) deposit() core.Notice {
	h.t.Helper()
	n, _, err := h.svc.Deposit(context.Background(), core.DepositRequest{
		Sender: h.sender, RecipientEmail: "bob@example.com", RecipientName: "Bob Durand",
		Subject: "Mise en demeure", Body: "Madame, Monsieur,",
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

func (h *harness) process() {
	h.t.Helper()
	if _, err := h.svc.ProcessOutbox(context.Background()); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) notice(id string) core.Notice {
	h.t.Helper()
	n, err := h.db.Notice(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

func (h *harness) events(id string) []core.Event {
	h.t.Helper()
	evs, err := h.db.NoticeEvents(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return evs
}

func types(evs []core.Event) []core.EventType {
	var out []core.EventType
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}
