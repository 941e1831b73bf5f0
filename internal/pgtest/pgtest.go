// Package pgtest starts a throw-away PostgreSQL cluster for tests: Debian's
// server binaries (initdb, postgres) run on a free loopback port with their
// data directory in a temporary folder, so every test that needs a real
// PostgreSQL gets one without a server installed as a service and without
// downloading anything at run time.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is one running server (initdb, then postgres itself). Its superuser is "postgres" with trust
// authentication on loopback only.
type Cluster struct {
	Port int
	dir  string
	proc *os.Process
	bin  string
	dbs  atomic.Int64
}

var (
	shared     *Cluster
	sharedErr  error
	sharedOnce sync.Once
)

// Shared returns the cluster of this test binary, starting it on first use;
// each test then takes a database of its own with NewDatabase. Stop it from
// TestMain with StopShared. When the server binaries are missing the test
// is skipped, except under CI=true where it fails: CI installs them.
func Shared(t testing.TB) *Cluster {
	t.Helper()
	sharedOnce.Do(func() { shared, sharedErr = Start() })
	if errors.Is(sharedErr, ErrNoServer) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pgtest: %v (CI installs Debian's postgresql package: scripts/test.sh)", sharedErr)
		}
		t.Skipf("pgtest: %v", sharedErr)
	}
	if sharedErr != nil {
		t.Fatalf("pgtest: %v", sharedErr)
	}
	return shared
}

// StopShared stops the cluster Shared started, if any.
func StopShared() {
	if shared != nil {
		shared.Stop()
	}
}

// ErrNoServer means initdb or postgres was not found.
var ErrNoServer = errors.New("PostgreSQL server binaries (initdb, postgres) not found")

// Start initialises and starts a cluster in a new temporary directory.
func Start() (*Cluster, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	removeStale()
	dir, err := os.MkdirTemp("", "lre-pgtest-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, bin: bin}
	if err := c.init(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

func (c *Cluster) init() error {
	data := filepath.Join(c.dir, "data")
	if out, err := c.run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"); err != nil {
		return fmt.Errorf("initdb: %v: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	c.Port = port
	// The server runs as a child of the test binary that dies with it
	// (Pdeathsig), so that a test killed or ending without StopShared leaves
	// no server behind.
	log, err := os.Create(filepath.Join(c.dir, "log"))
	if err != nil {
		return err
	}
	cmd := c.command("postgres", "-D", data, "-c", "listen_addresses=127.0.0.1", "-c", fmt.Sprintf("port=%d", port),
		"-c", "unix_socket_directories="+c.dir, "-c", "max_connections=200")
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	c.proc = cmd.Process
	go cmd.Wait()
	return c.waitReady(log.Name())
}

// waitReady polls until the server accepts connections.
func (c *Cluster) waitReady(logPath string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := pgx.Connect(ctx, c.URL("postgres"))
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	log, _ := os.ReadFile(logPath)
	return fmt.Errorf("postgres did not accept connections within 60s: %s", log)
}

// run executes a server binary; PostgreSQL refuses to run as root, so as
// root it runs as the "postgres" system user that Debian's package creates.
func (c *Cluster) run(name string, args ...string) ([]byte, error) {
	return c.command(name, args...).CombinedOutput()
}

func (c *Cluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	cmd.Dir = c.dir
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			// Let the binary say why it will not run as root.
			return cmd
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		chownAll(c.dir, uid, gid)
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	return cmd
}

func chownAll(dir string, uid, gid int) error {
	return filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
}

// Stop shuts the server down at once and removes its files.
func (c *Cluster) Stop() {
	if c.proc != nil {
		c.proc.Signal(syscall.SIGQUIT) // immediate shutdown
		for i := 0; i < 100 && c.proc.Signal(syscall.Signal(0)) == nil; i++ {
			time.Sleep(20 * time.Millisecond)
		}
	}
	os.RemoveAll(c.dir)
}

// URL is the connection string of database db as the superuser.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, db)
}

// NewDatabase creates an empty database for t, owned by a new role of the
// same name that is not a superuser (as lre runs in production, so that
// privileges mean something), and returns its URL for that role; both are
// dropped when t ends.
func (c *Cluster) NewDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("t%d_%d", os.Getpid(), c.dbs.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	for _, stmt := range []string{"CREATE ROLE " + name + " LOGIN", "CREATE DATABASE " + name + " OWNER " + name} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("pgtest: %s: %v", stmt, err)
		}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, c.URL("postgres")); err == nil {
			conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			conn.Exec(ctx, "DROP ROLE IF EXISTS "+name)
			conn.Close(ctx)
		}
	})
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", name, c.Port, name)
}

// findBin finds the directory of initdb and postgres: PATH first, then
// Debian's /usr/lib/postgresql/<version>/bin, newest version first.
func findBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			if _, err := os.Stat(filepath.Join(filepath.Dir(real), "postgres")); err == nil {
				return filepath.Dir(real), nil
			}
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", ErrNoServer
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// removeStale deletes the folders of clusters whose test binary died
// without Stop: their server died with it (Pdeathsig), the files stayed.
func removeStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "lre-pgtest-*"))
	for _, d := range dirs {
		pid, err := os.ReadFile(filepath.Join(d, "data", "postmaster.pid"))
		if err == nil {
			if n, err := strconv.Atoi(strings.SplitN(string(pid), "\n", 2)[0]); err == nil && syscall.Kill(n, 0) == nil {
				continue
			}
		}
		if fi, err := os.Stat(d); err == nil && time.Since(fi.ModTime()) > time.Minute {
			os.RemoveAll(d)
		}
	}
}
