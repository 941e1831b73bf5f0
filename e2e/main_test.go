// Package e2e_test runs the real lre binary as a child process and checks,
// from outside, that no acknowledged letter or event is lost, duplicated or
// leaked: SIGKILL at random moments under load, kills at the seams between
// a commit and what the world was told (HTTP reply, TSA token, SMTP 250),
// and failures of the outside world (TSA, SMTP, a full disk).
//
// The tests build ./cmd/lre once and need a few seconds to a couple of
// minutes; -short skips them all. -crash.rounds sets how many times the
// crash test kills the server (20 by default, which CI runs).
package e2e_test

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var crashRounds = flag.Int("crash.rounds", 20, "how many times TestCrashUnderLoad kills the server")

// binDir holds the binary built for this run; TestMain removes it.
var binDir string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "lre-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	buildOnce sync.Once
	buildErr  error
	buildOut  []byte

	hooksOnce sync.Once
	hooksErr  error
	hooksOut  []byte
)

// lreHooksBinary builds lre with the lrehooks tag, whose test hooks
// (cmd/lre/hooks_lrehooks.go) a release build does not contain.
func lreHooksBinary(t testing.TB) string {
	t.Helper()
	lreBinary(t)
	bin := filepath.Join(binDir, "lre-hooks")
	hooksOnce.Do(func() {
		cmd := exec.Command("go", "build", "-tags", "lrehooks", "-o", bin, "./cmd/lre")
		cmd.Dir = ".."
		hooksOut, hooksErr = cmd.CombinedOutput()
	})
	if hooksErr != nil {
		t.Fatalf("go build -tags lrehooks ./cmd/lre: %v\n%s", hooksErr, hooksOut)
	}
	return bin
}

// lreBinary builds the lre command once per test run (go build -o
// $TMP/lre ./cmd/lre) and returns its path. It skips the calling test with
// -short: process tests are the slow ones.
func lreBinary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("process-level test: skipped with -short")
	}
	bin := filepath.Join(binDir, "lre")
	buildOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			buildErr = err
			return
		}
		cmd := exec.Command(goTool, "build", "-o", bin, "./cmd/lre")
		cmd.Dir = ".."
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build ./cmd/lre: %v\n%s", buildErr, buildOut)
	}
	return bin
}
