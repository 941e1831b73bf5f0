// Package integration_test drives the real service (lretest's: the store
// under test, bbolt by default, and the embedded time-stamping authority)
// with the real SMTP Sender against real SMTP servers on loopback: the
// recipient's MX (mx_test.go) and the bounce server.
package integration_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/internal/lretest"
	lresmtp "github.com/lre-project/lre/smtp"
	"github.com/lre-project/lre/storage"
)

var paris, _ = time.LoadLocation("Europe/Paris")

// start is a Monday, 11:00 in Paris.
var start = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// What the sender writes, which no mail to the recipient may reveal (R.53-3).
const (
	senderName    = "Alice Quenouille"
	senderEmail   = "alice.quenouille@cabinet.example"
	senderOrg     = "Cabinet Quenouille"
	letterSubject = "Mise en demeure loyers Zebulon"
	letterBody    = "Vous restez devoir 4217 euros au titre du bail Xylophage."
)

const (
	recipientEmail = "bob.durand@destinataire.example"
	bounceDomain   = "lre.test"
	providerFrom   = "notifications@lre.test"
)

// world is one running service over a data dir that survives restarts.
type world struct {
	t      *testing.T
	dir    string
	clock  *lretest.Clock // shared by the service and the Sender, so that attempt times and retry ages are on one time line
	sender *lresmtp.Sender
	opts   []services.Option
	db     *storage.DB
	svc    *services.Set
	alice  core.User
}

// newWorld opens a service whose mail goes to the SMTP server at addr.
func newWorld(t *testing.T, addr string, opts ...services.Option) *world {
	t.Helper()
	c := lretest.NewClock(start)
	w := &world{t: t, dir: t.TempDir(), clock: c, opts: opts, sender: &lresmtp.Sender{
		Addr: addr, StartTLS: lresmtp.TLSOff, Now: c.Now,
		DialTimeout: 2 * time.Second, CommandTimeout: 5 * time.Second, DataTimeout: 5 * time.Second,
	}}
	w.open()
	u, _, err := w.svc.Accounts.AddUser(context.Background(), senderEmail, senderName, senderOrg, core.RoleSender)
	if err != nil {
		t.Fatal(err)
	}
	w.alice = u
	return w
}

// open opens the store and builds a service over it, as cmd/lre does at
// start, with the authority of the data dir on the world's clock.
func (w *world) open() {
	w.t.Helper()
	e := lretest.Build(w.t, lretest.Fixture{Dir: w.dir, Authority: lretest.AuthorityIn(w.t, filepath.Join(w.dir, "tsa"), w.clock.Now), Clock: w.clock, NoSender: true},
		append([]services.Option{
			services.WithLetters(core.WithMailer(w.sender), core.WithBounceDomain(bounceDomain)),
			services.WithProvider(core.Provider{Name: "LRE Test", Address: "1 rue de la Paix, 75002 Paris", FromEmail: providerFrom}),
		}, w.opts...)...)
	w.db, w.svc = e.DB, e.Svc
}

// restart drops the service and closes the store, as a process exit
// would, then opens both again from the data dir.
func (w *world) restart() {
	w.t.Helper()
	if err := w.db.Close(); err != nil {
		w.t.Fatal(err)
	}
	w.svc = nil
	w.open()
}

func (w *world) deposit(to string) core.Notice {
	w.t.Helper()
	n, err := w.tryDeposit(to)
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

func (w *world) tryDeposit(to string) (core.Notice, error) {
	n, _, err := w.svc.Letters.Deposit(context.Background(), core.DepositRequest{
		Sender: w.alice, RecipientEmail: to, RecipientName: "Bob Durand",
		Subject: letterSubject, Body: letterBody,
	})
	return n, err
}

// process runs one round of the outbox worker and returns how many
// entries it attempted.
func (w *world) process() int {
	w.t.Helper()
	n, err := w.svc.Letters.ProcessOutbox(context.Background())
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

// rounds runs the worker n times, moving the clock past any backoff
// (at most an hour and its 20% jitter) after each.
func (w *world) rounds(n int) {
	w.t.Helper()
	for range n {
		w.process()
		w.clock.Add(2 * time.Hour)
	}
}

func (w *world) notice(id string) core.Notice {
	w.t.Helper()
	n, err := w.db.Notice(context.Background(), id)
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

func (w *world) events(id string) []core.Event {
	w.t.Helper()
	evs, err := w.db.NoticeEvents(context.Background(), id)
	if err != nil {
		w.t.Fatal(err)
	}
	return evs
}

// entry returns the outbox entry entryID of notice id.
func (w *world) entry(id, entryID string) core.OutboxEntry {
	w.t.Helper()
	es, err := w.db.OutboxEntries(context.Background(), id)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, e := range es {
		if e.ID == entryID {
			return e
		}
	}
	w.t.Fatalf("no outbox entry %s for %s among %d", entryID, id, len(es))
	return core.OutboxEntry{}
}

func types(evs []core.Event) []core.EventType {
	var out []core.EventType
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

// ofType returns the events of type typ.
func ofType(evs []core.Event, typ core.EventType) []core.Event {
	var out []core.Event
	for _, e := range evs {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func (w *world) rates() core.SenderRates {
	w.t.Helper()
	r, err := w.svc.Letters.SenderRates(context.Background(), w.alice.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

// settled lists the event types without the NotificationDeferred records
// of the soft replies that came before the outcome (outcomes_test checks those).
func settled(evs []core.Event) []core.EventType {
	var out []core.EventType
	for _, t := range types(evs) {
		if t != core.EventNotificationDeferred {
			out = append(out, t)
		}
	}
	return out
}
