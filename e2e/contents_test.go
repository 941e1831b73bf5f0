package e2e_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCrashBetweenContentFileAndCommit: the server has appended a
// deposit's sealed contents to a segment, fdatasync'ed it, and dies
// (SIGKILL) before the transaction that references them commits. The
// client was told nothing; after the restart the segment is gone (nothing
// committed names it), the letter does not
// exist, the client's retry with the same Idempotency-Key makes it anew,
// and lre log verify finds every reference with its bytes.
func TestCrashBetweenContentFileAndCommit(t *testing.T) {
	t.Parallel()
	s := newSeamSetup(t, behaviour{})
	signal := filepath.Join(t.TempDir(), "paused")
	s.p.bin, s.p.env = lreHooksBinary(t), []string{"LRE_TEST_PAUSE_AFTER_CONTENT_SYNC=" + signal}
	s.p.start()
	l := newLetter(rand.New(rand.NewPCG(7, 8)), "FSYNC1", 2, 64<<10)
	answered := make(chan error, 1)
	go func() {
		r, err := s.c.deposit(context.Background(), l)
		if err == nil {
			t.Errorf("the paused deposit was answered: %s", r)
		}
		answered <- err
	}()
	var id string
	waitFor(t, 20*time.Second, "the deposit paused after its content file's fsync", func() bool {
		b, err := os.ReadFile(signal)
		id = string(b)
		return err == nil && id != ""
	})
	if files := contentFiles(t, s.dir); len(files) != 1 {
		t.Fatalf("paused after the fdatasync of %s, content segments %v; want one", id, files)
	}
	s.p.kill()
	<-answered

	s.p.bin, s.p.env = lreBinary(t), nil
	s.p.start()
	if files := contentFiles(t, s.dir); len(files) != 0 {
		t.Errorf("after the restart: content segments %v, want the unreferenced one removed", files)
	}
	if r, _ := s.c.do(context.Background(), http.MethodGet, "/api/v1/notices/"+id, "", nil); r.status != http.StatusNotFound {
		t.Errorf("the uncommitted letter %s: %s, want 404", id, r)
	}
	r, err := s.c.deposit(context.Background(), l)
	if err != nil || r.status != http.StatusCreated || r.header.Get("Idempotent-Replayed") == "true" {
		t.Fatalf("retry after the crash: %v %v, want a new letter (201, not replayed)", r, err)
	}
	n, err := checkAck(l, r)
	if err != nil {
		t.Fatal(err)
	}
	s.finish(t, []ackedLetter{{l, n}})
	if files := contentFiles(t, s.dir); len(files) != 1 {
		t.Errorf("content segments %v, want the one holding %s", files, n.ID)
	}
}

// contentFiles lists the segments DATA/contents/*.seg.
func contentFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "contents", "*.seg"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}
