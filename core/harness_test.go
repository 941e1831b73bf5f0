package core_test

import (
	"testing"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/internal/lretest"
	"github.com/lre-project/lre/rfc3161"
	"github.com/lre-project/lre/storage"
)

// harness is lretest's Env under the short names these tests use.
type harness struct {
	*lretest.Env
	t      testing.TB
	db     *storage.DB
	svc    *services.Set
	clock  *lretest.Clock
	mailer *lretest.Mailer
	sender core.User
}

func harnessOf(e *lretest.Env) *harness {
	return &harness{Env: e, t: e.T, db: e.DB, svc: e.Svc, clock: e.Clock, mailer: e.Mailer, sender: e.Sender}
}

func newHarness(t *testing.T, opts ...services.Option) *harness {
	return harnessOf(lretest.New(t, opts...))
}

// harnessOn is newHarness on an open store the test controls (to close
// and reopen it) and an authority it can check tokens with.
func harnessOn(t *testing.T, db *storage.DB, a *rfc3161.Authority, opts ...services.Option) *harness {
	return harnessOf(lretest.On(t, db, a, opts...))
}

func newAuthority(t *testing.T) *rfc3161.Authority { return lretest.NewAuthority(t) }

func (h *harness) deposit() core.Notice          { return h.Deposit() }
func (h *harness) process()                      { h.Process() }
func (h *harness) notice(id string) core.Notice  { return h.Notice(id) }
func (h *harness) events(id string) []core.Event { return h.Events(id) }

func types(evs []core.Event) []core.EventType { return lretest.Types(evs) }
