package web_test

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"syscall"
	"testing"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/storage"
)

// fullDisk is the real store on a disk with no space left: every deposit
// fails the way bbolt's commit does, with ENOSPC from a write.
type fullDisk struct{ *storage.DB }

func (f fullDisk) SaveDeposit(_ context.Context, d core.Deposit) (core.Notice, bool, error) {
	err := &fs.PathError{Op: "write", Path: "lre.db", Err: syscall.ENOSPC}
	return core.Notice{}, false, fmt.Errorf("save deposit %s: %w", d.Notice.ID, err)
}

// TestDepositOnFullDisk: a deposit that cannot be written for lack of
// space is a 503 with Retry-After and a JSON message saying so, not an
// anonymous 500; nothing is stored. (e2e/TestDiskFull does the same with
// a real full file system.)
func TestDepositOnFullDisk(t *testing.T) {
	e := newEnv(t, withStore(func(db *storage.DB) services.Store { return fullDisk{db} }))
	key := e.addUser(t, "alice@acme.example", "ACME", core.RoleSender)

	r := e.post(t, key, multipartBody(letter().parts(file("a.pdf", []byte("%PDF-1.7")))...), "Idempotency-Key", "full-1")
	if r.status != http.StatusServiceUnavailable && r.status != http.StatusInsufficientStorage {
		t.Fatalf("deposit on a full disk: %s, want 503 or 507", r)
	}
	got := r.apiError(t).Error
	if got.Code != core.EUNAVAILABLE || !strings.Contains(got.Message, "space") {
		t.Errorf("error = %+v, want code %s and a message about space", got, core.EUNAVAILABLE)
	}
	if strings.Contains(string(r.body), "lre.db") || strings.Contains(string(r.body), "no space left on device") {
		t.Errorf("the answer leaks the internal error: %s", r.body)
	}
	if r.header.Get("Retry-After") == "" {
		t.Error("no Retry-After on a 503")
	}
	e.assertNothingStored(t)
}
