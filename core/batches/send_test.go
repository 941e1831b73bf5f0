package batches_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/accounts"
	"github.com/lre-project/lre/core/batches"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/internal/lretest"
	"github.com/lre-project/lre/storage"
)

type world struct {
	db       *storage.DB
	svc      *core.Service
	evidence *evidence.Service
	accounts *accounts.Service
	sender   core.User
}

func newWorld(t *testing.T) *world {
	t.Helper()
	e := lretest.New(t)
	return &world{db: e.DB, svc: e.Svc.Letters, evidence: e.Svc.Evidence, accounts: e.Svc.Accounts, sender: e.Sender}
}

// failingLetters is the real service whose deposits fail from the n-th on,
// as a crash or a full disk would stop them.
type failingLetters struct {
	*core.Service
	after int64
	calls atomic.Int64
}

func (f *failingLetters) Deposit(ctx context.Context, req core.DepositRequest) (core.Notice, bool, error) {
	if f.calls.Add(1) > f.after {
		return core.Notice{}, false, core.Errorf(core.EUNAVAILABLE, "disk full")
	}
	return f.Service.Deposit(ctx, req)
}

func recipients(n int) []byte {
	var b strings.Builder
	b.WriteString("email;name;reference\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "owner%03d@example.com;Copropriétaire %d;lot %d\n", i, i, i)
	}
	return []byte(b.String())
}

func request(w *world, key string, csv []byte) batches.Request {
	return batches.Request{Sender: w.sender, IdempotencyKey: key, Recipients: csv,
		Letter: core.DepositRequest{Subject: "Convocation à l’assemblée générale", Body: "Madame, Monsieur,", Language: "fr"}}
}

func TestSendDepositsOneLetterPerRow(t *testing.T) {
	w := newWorld(t)
	bs := batches.New(w.svc, w.evidence, w.db, batches.Options{})
	sent, replayed, err := bs.Send(context.Background(), request(w, "ag-2026", recipients(40)))
	if err != nil || replayed {
		t.Fatalf("Send: %v (replayed %v)", err, replayed)
	}
	ids := map[string]bool{}
	for i, l := range sent.Letters {
		if l.NoticeID == "" || l.Status != core.StatusDeposited || ids[l.NoticeID] {
			t.Fatalf("letter %d = %+v", i, l)
		}
		ids[l.NoticeID] = true
		n, err := w.svc.Notice(context.Background(), w.sender, l.NoticeID)
		if err != nil || n.Recipient.Email != l.Email || n.SenderReference != l.Reference {
			t.Fatalf("letter of line %d: %+v, %v", l.Line, n, err)
		}
	}
	st, err := bs.Status(context.Background(), w.sender, sent.Batch.ID)
	if err != nil || st.Counts[core.StatusDeposited] != 40 || st.Sent() != 40 {
		t.Fatalf("Status = %+v, %v", st.Counts, err)
	}
}

func TestSendRefusesEveryBadRowAndSendsNothing(t *testing.T) {
	w := newWorld(t)
	bs := batches.New(w.svc, w.evidence, w.db, batches.Options{})
	csv := "email,name,type,language,birthdate\n" +
		"ok@example.com,Ok,,,\n" +
		"not-an-address,Bad Email,,,\n" +
		"c@example.com,,,,\n" +
		"d@example.com,D,consumer,,\n" +
		"e@example.com,E,,de,\n" +
		"f@example.com,F,,,31/02/1970\n" +
		"ok@example.com,Ok,,,\n"
	_, _, err := bs.Send(context.Background(), request(w, "k1", []byte(csv)))
	var re *batches.RowsError
	if !errors.As(err, &re) {
		t.Fatalf("Send error = %v, want a RowsError", err)
	}
	want := []struct {
		line  int
		field string
	}{{3, "email"}, {4, "name"}, {5, "type"}, {6, "language"}, {7, "birthdate"}, {8, "email"}}
	if len(re.Rows) != len(want) {
		t.Fatalf("rows = %+v, want %v", re.Rows, want)
	}
	for i, w := range want {
		if re.Rows[i].Line != w.line || re.Rows[i].Field != w.field || re.Rows[i].Message == "" {
			t.Errorf("row error %d = %+v, want line %d field %s", i, re.Rows[i], w.line, w.field)
		}
	}
	page, err := w.svc.ListNotices(context.Background(), w.sender, core.NoticeQuery{})
	if err != nil || len(page.Notices) != 0 {
		t.Fatalf("letters after a refused batch: %d, %v", len(page.Notices), err)
	}
}

func TestSendAfterACrashResumesWithoutDuplicates(t *testing.T) {
	w := newWorld(t)
	csv := recipients(30)
	broken := batches.New(&failingLetters{Service: w.svc, after: 12}, w.evidence, w.db, batches.Options{Concurrency: 4})
	first, _, err := broken.Send(context.Background(), request(w, "ag-crash", csv))
	if core.ErrorCode(err) != core.EUNAVAILABLE {
		t.Fatalf("interrupted Send error = %v, want unavailable", err)
	}
	b := first.Batch
	bs := batches.New(w.svc, w.evidence, w.db, batches.Options{})
	st, err := bs.Status(context.Background(), w.sender, b.ID)
	if err != nil || st.Sent() != 12 || st.Counts[batches.StatusWaiting] != 18 {
		t.Fatalf("status after the crash: %+v, %v", st.Counts, err)
	}
	again, replayed, err := bs.Send(context.Background(), request(w, "ag-crash", csv))
	if err != nil || !replayed || again.Batch.ID != b.ID {
		t.Fatalf("retry: %v, replayed %v, id %s want %s", err, replayed, again.Batch.ID, b.ID)
	}
	page, err := w.svc.ListNotices(context.Background(), w.sender, core.NoticeQuery{Limit: 100})
	if err != nil || len(page.Notices) != 30 || again.Sent() != 30 {
		t.Fatalf("letters after the retry: %d stored, %d sent, %v; want 30", len(page.Notices), again.Sent(), err)
	}
	if _, _, err := bs.Send(context.Background(), request(w, "ag-crash", recipients(31))); core.ErrorCode(err) != core.EKEYREUSED {
		t.Fatalf("same key, other recipients: %v, want %s", err, core.EKEYREUSED)
	}
}

func TestStatusHidesOtherSendersBatches(t *testing.T) {
	w := newWorld(t)
	bs := batches.New(w.svc, w.evidence, w.db, batches.Options{})
	sent, _, err := bs.Send(context.Background(), request(w, "k", recipients(1)))
	if err != nil {
		t.Fatal(err)
	}
	b := sent.Batch
	other, _, err := w.accounts.AddUser(context.Background(), "eve@example.net", "Eve", "Other", core.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	auditor, _, err := w.accounts.AddUser(context.Background(), "audit@example.org", "Audit", "Cabinet Martin", core.RoleAuditor)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bs.Status(context.Background(), other, b.ID); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("another organisation's admin: %v, want not found", err)
	}
	if _, err := bs.Status(context.Background(), auditor, b.ID); err != nil {
		t.Errorf("the organisation's auditor: %v", err)
	}
	if _, _, err := bs.Send(context.Background(), request(w, "", recipients(1))); core.ErrorCode(err) != core.EINVALID {
		t.Errorf("no Idempotency-Key: %v, want invalid", err)
	}
}
