package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/storetest"
	"github.com/lre-project/lre/storage"
)

// TestBackupRoles: the copy holds every organisation's data, so only the
// provider's operator (an admin without an organisation) may take it; an
// organisation's admin is refused openly, with 403 like everyone else.
func TestBackupRoles(t *testing.T) {
	storetest.BoltOnly(t) // a backup is the bbolt file; PostgreSQL is backed up with pg_dump
	s := newOpsSite(t)
	cases := []struct {
		who    string
		org    string
		role   core.Role
		status int
	}{
		{"operator", "", core.RoleAdmin, http.StatusOK},
		{"organisation admin", "Cabinet Dupont", core.RoleAdmin, http.StatusForbidden},
		{"organisation auditor", "Cabinet Dupont", core.RoleAuditor, http.StatusForbidden},
		{"sender without organisation", "", core.RoleSender, http.StatusForbidden},
	}
	for _, c := range cases {
		t.Run(c.who, func(t *testing.T) {
			x := want(t, c.who, s.api(t, "GET", "/api/v1/admin/backup", s.user(t, c.org, c.role), ""), c.status)
			if c.status == http.StatusForbidden && !strings.Contains(x.body, `"code":"forbidden"`) {
				t.Errorf("refusal body %s", x.body)
			}
		})
	}
}

// TestBackupUnderLoad takes a backup through the API while deposits go
// on: the copy opens, its log verifies, and it holds every letter whose
// deposit was acknowledged before the backup began, content included.
func TestBackupUnderLoad(t *testing.T) {
	storetest.BoltOnly(t) // a backup is the bbolt file; PostgreSQL is backed up with pg_dump
	s := newOpsSite(t)
	sender, admin := s.user(t, "Cabinet Dupont", core.RoleSender), s.user(t, "", core.RoleAdmin)
	want(t, "sender backup", s.api(t, "GET", "/api/v1/admin/backup", sender, ""), http.StatusForbidden)

	var mu sync.Mutex
	var acked []string
	bodies := map[string]string{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				select {
				case <-stop:
					return
				default:
				}
				f := letterFields()
				f["body"] = fmt.Sprintf("Lettre %d-%d, écrite pendant la sauvegarde.", w, i)
				x := s.depositRaw(t, sender, f)
				var n struct{ ID string }
				if x.status != http.StatusCreated || json.Unmarshal([]byte(x.body), &n) != nil {
					t.Errorf("deposit during the backup: %s", x)
					return
				}
				id := n.ID
				mu.Lock()
				acked, bodies[id] = append(acked, id), f["body"]
				mu.Unlock()
			}
		}()
	}
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 10 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	before := append([]string(nil), acked...)
	mu.Unlock()

	req, _ := http.NewRequest(http.MethodGet, s.url+"/api/v1/admin/backup", nil)
	req.Header.Set("Authorization", "Bearer "+admin)
	res, err := s.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	archive := filepath.Join(t.TempDir(), "backup.tar")
	f, err := os.Create(archive)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(f, res.Body)
	res.Body.Close()
	f.Close()
	close(stop)
	wg.Wait()
	if err != nil || res.StatusCode != http.StatusOK || strconv.FormatInt(n, 10) != res.Header.Get("Content-Length") {
		t.Fatalf("backup: HTTP %d, %d bytes (Content-Length %s), %v", res.StatusCode, n, res.Header.Get("Content-Length"), err)
	}
	key, err := os.ReadFile(filepath.Join(s.dir, storage.MasterKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, storage.MasterKeyFile), key, 0o600); err != nil {
		t.Fatal(err)
	}

	if out, err := exec.Command("tar", "-xf", archive, "-C", dir).CombinedOutput(); err != nil {
		t.Fatalf("tar -xf the backup: %v\n%s", err, out)
	}
	records, err := storage.VerifyBackupFile(context.Background(), archive)
	if err != nil || records < uint64(len(before)) {
		t.Fatalf("VerifyBackupFile = %d records, %v; want at least %d", records, err, len(before))
	}
	copyDB, err := storage.Open(dir, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	for _, id := range before {
		body, err := copyDB.Content(context.Background(), id, "body")
		if err != nil || string(body) != bodies[id] {
			t.Errorf("letter %s acknowledged before the backup: content %q, %v", id, body, err)
		}
		evs, err := copyDB.NoticeEvents(context.Background(), id)
		if err != nil || len(evs) == 0 || evs[0].Type != core.EventSubmissionAcceptance {
			t.Errorf("letter %s in the copy: events %v, %v", id, evs, err)
		}
	}
	t.Logf("backup of %d bytes, %d records, taken with %d of %d letters acknowledged", n, records, len(before), len(acked))
}
