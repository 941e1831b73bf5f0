package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lreProc is one lre serve child process over a data dir. It can be killed
// and started again on the same directory and port, as an operator's
// supervisor would.
type lreProc struct {
	t    testing.TB
	bin  string
	dir  string
	addr string
	args []string
	env  []string // added to the environment of the next start
	logs *logFile

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// newProc prepares lre serve on dir with extra flags; call start to run it.
// The listen address is picked once and kept across restarts.
func newProc(t testing.TB, dir string, extra ...string) *lreProc {
	t.Helper()
	p := &lreProc{t: t, bin: lreBinary(t), dir: dir, addr: freeAddr(t), logs: newLogFile(t, filepath.Join(t.TempDir(), "server.log"))}
	p.reconfigure(extra...)
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("server log (last lines):\n%s", p.logs.tail(60))
		}
	})
	return p
}

// reconfigure replaces the extra flags of the next start.
func (p *lreProc) reconfigure(extra ...string) {
	p.args = append([]string{"serve", "--data", p.dir, "--listen", p.addr, "--retry-interval", "200ms"}, extra...)
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func (p *lreProc) url(path string) string { return "http://" + p.addr + path }

// start runs the process and waits until /healthz answers.
func (p *lreProc) start() {
	p.t.Helper()
	if err := p.tryStart(15 * time.Second); err != nil {
		p.t.Fatalf("start lre: %v\nlog:\n%s", err, p.logs.tail(40))
	}
}

// tryStart starts the process and waits up to timeout for /healthz; it
// reports the process's exit as an error.
func (p *lreProc) tryStart(timeout time.Duration) error {
	p.mu.Lock()
	if p.cmd != nil {
		p.mu.Unlock()
		return fmt.Errorf("already running")
	}
	cmd := exec.Command(p.bin, p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	if err := cmd.Start(); err != nil {
		p.mu.Unlock()
		return err
	}
	done := make(chan struct{})
	p.cmd, p.done = cmd, done
	p.mu.Unlock()
	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(done)
	}()
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			p.mu.Lock()
			err := p.err
			p.cmd = nil
			p.mu.Unlock()
			return fmt.Errorf("lre exited before serving: %v", err)
		default:
		}
		if res, err := hc.Get(p.url("/healthz")); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.kill()
	return fmt.Errorf("no answer on /healthz within %s", timeout)
}

// kill sends SIGKILL, as a crash or the OOM killer would, and waits.
func (p *lreProc) kill() {
	p.signal(syscall.SIGKILL, 10*time.Second)
}

// stop asks for a graceful shutdown (SIGTERM) and waits for the exit.
func (p *lreProc) stop() {
	p.t.Helper()
	if !p.signal(syscall.SIGTERM, 30*time.Second) {
		p.t.Errorf("lre did not stop within 30s of SIGTERM; killed")
		p.kill()
	}
	p.mu.Lock()
	err := p.err
	p.mu.Unlock()
	if err != nil {
		p.t.Errorf("lre exited with %v after SIGTERM\nlog:\n%s", err, p.logs.tail(20))
	}
}

// signal sends sig and waits up to wait for the exit; false on time-out.
func (p *lreProc) signal(sig syscall.Signal, wait time.Duration) bool {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil {
		return true
	}
	cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(wait):
		return false
	}
	p.mu.Lock()
	p.cmd = nil
	p.mu.Unlock()
	return true
}

// logFile collects the output of every run of a process in one file.
type logFile struct {
	mu  sync.Mutex
	f   *os.File
	buf bytes.Buffer
}

func newLogFile(t testing.TB, path string) *logFile {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return &logFile{f: f}
}

func (l *logFile) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(b)
	return l.f.Write(b)
}

func (l *logFile) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logFile) tail(n int) string {
	lines := strings.Split(strings.TrimRight(l.String(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// runLRE runs one lre command to completion (at most a minute).
func runLRE(t testing.TB, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, lreBinary(t), args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

var userIDLine = regexp.MustCompile(`\(id ([^)]+)\)`)

// addSender creates a sender in dir (the server must be stopped) and
// returns its id and API key.
func addSender(t testing.TB, dir, email string) (id, key string) {
	t.Helper()
	out, errOut, err := runLRE(t, "users", "add", "--data", dir, "--email", email, "--name", "Maître Durand", "--org", "Cabinet Durand", "--role", "sender")
	if err != nil {
		t.Fatalf("lre users add: %v\n%s%s", err, out, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	m := userIDLine.FindStringSubmatch(out)
	if m == nil || !strings.HasPrefix(lines[len(lines)-1], "lre_") {
		t.Fatalf("lre users add printed no id or key:\n%s", out)
	}
	return m[1], lines[len(lines)-1]
}

// verifyLog runs lre log verify on dir (the server must be stopped) and
// returns the number of records it checked.
func verifyLog(t testing.TB, dir string) int {
	t.Helper()
	out, errOut, err := runLRE(t, "log", "verify", "--data", dir)
	if err != nil {
		t.Fatalf("lre log verify: %v\n%s%s", err, out, errOut)
	}
	var n int
	if _, err := fmt.Sscanf(out, "evidence log OK: %d records", &n); err != nil {
		t.Fatalf("lre log verify said %q", out)
	}
	return n
}
