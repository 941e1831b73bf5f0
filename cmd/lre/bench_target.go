package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/benchref"
	"github.com/lre-project/lre/rfc3161"
)

// runBenchTarget is the child process of `lre bench`: it serves one target
// on a loopback port, prints "ready URL KEY NOTE" and stops when its
// standard input closes. A child of its own keeps each target's CPU time
// and peak RSS apart from the load generator's and from the other targets'.
func runBenchTarget(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("bench target", "Serve one benchmark target until standard input closes (started by lre bench).", stderr)
	var target, dir, cpuProfile, smtpAddr, smtpConns, store string
	f.string(&target, "target", "", "lre", "lre, ceiling or naive")
	f.string(&dir, "dir", "", "", "data directory (required)")
	f.string(&smtpAddr, "smtp", "", "", "lre-smtp: the receiving SMTP server (host:port on loopback)")
	f.string(&smtpConns, "smtp-connections", "", "4", "lre's --smtp-connections")
	f.string(&store, "store", "", "", "lre's --store (empty = the bbolt file)")
	f.string(&cpuProfile, "cpuprofile", "", "", "write a CPU profile of the whole life of the target to this file")
	if err := f.parse(args); err != nil {
		return err
	}
	if cpuProfile != "" {
		stop, err := startCPUProfile(cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if dir == "" {
		return errors.New("bench target: --dir is required")
	}
	applyGCDefaults(os.Getenv, memoryLimitFor(store)) // every target as lre serve runs
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { io.Copy(io.Discard, os.Stdin); cancel() }()
	switch target {
	case "lre", "lre-smtp":
		return serveLRETarget(ctx, dir, smtpAddr, smtpConns, store, stdout, stderr)
	case "ceiling":
		return serveCeilingTarget(ctx, dir, stdout)
	case "naive":
		return serveNaiveTarget(ctx, dir, stdout)
	}
	return fmt.Errorf("bench target: unknown target %q", target)
}

// serveLRETarget runs the real service, wired as `lre serve` wires it
// (newApp, embedded authority, background workers), with one sender whose
// key it prints. Mail goes to the dev mailbox, or to smtpAddr in clear
// (a loopback sink) when given.
func serveLRETarget(ctx context.Context, dir, smtpAddr, smtpConns, store string, stdout, stderr io.Writer) error {
	addr, err := freeLoopbackAddr()
	if err != nil {
		return err
	}
	cfg, err := parseServe([]string{"--data", filepath.Join(dir, "data"), "--listen", addr, "--tsa", "", "--smtp", smtpAddr, "--smtp-starttls", "off", "--smtp-connections", smtpConns, "--bounce-listen", "", "--store", store}, stderr)
	if err != nil {
		return err
	}
	a, err := newApp(cfg, newLogger(cfg.logFormat, stderr))
	if err != nil {
		return err
	}
	defer a.Close()
	_, key, err := a.svc.Accounts.AddUser(ctx, "bench@example.org", "Bench Sender", "Bench", core.RoleSender)
	if err != nil {
		return fmt.Errorf("bench target: add sender: %w", err)
	}
	errc := make(chan error, 1)
	go func() { errc <- a.Run(ctx) }()
	if err := waitHealthy(ctx, cfg.baseURL+"/healthz", errc); err != nil {
		return err
	}
	mail := "dev mailbox, " + smtpConns + " at a time"
	if smtpAddr != "" {
		mail = "SMTP to a go-smtp server on loopback, " + smtpConns + " connections"
	}
	if store != "" {
		mail = "PostgreSQL store, " + mail
	}
	fmt.Fprintf(stdout, "ready %s %s lre serve wiring, embedded authority, %s\n", cfg.baseURL, key, mail)
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func serveCeilingTarget(ctx context.Context, dir string, stdout io.Writer) error {
	a, err := rfc3161.LoadOrCreateAuthority(filepath.Join(dir, "tsa"), "lre bench", time.Now, rand.Reader)
	if err != nil {
		return err
	}
	c, err := benchref.NewCeiling(dir, rfc3161.NewLocal(a))
	if err != nil {
		return err
	}
	defer c.Close()
	note := "embedded authority in-process, one segment file, group fdatasync, no B-tree"
	return serveBenchHandler(ctx, c, stdout, note)
}

// serveNaiveTarget reaches its authority over HTTP on a second loopback
// port: `openssl ts -reply` per token, or the embedded authority's own
// HTTP handler when openssl is not installed.
func serveNaiveTarget(ctx context.Context, dir string, stdout io.Writer) error {
	a, err := rfc3161.LoadOrCreateAuthority(filepath.Join(dir, "tsa"), "lre bench", time.Now, rand.Reader)
	if err != nil {
		return err
	}
	var tsa http.Handler = a
	note := "authority: lre's embedded one over HTTP (openssl not found)"
	if o, err := benchref.NewOpenSSLTSA(filepath.Join(dir, "tsa"), dir, runtime.NumCPU()); err == nil {
		tsa, note = o, fmt.Sprintf("authority: openssl ts -reply per token over HTTP (%d at a time)", runtime.NumCPU())
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: tsa, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	client, err := rfc3161.NewClient([]string{"http://" + ln.Addr().String()}, a.Roots(), rfc3161.WithRetries(0, 0))
	if err != nil {
		return err
	}
	n, err := benchref.NewNaive(dir, client)
	if err != nil {
		return err
	}
	defer n.Close()
	return serveBenchHandler(ctx, n, stdout, note)
}

// serveBenchHandler serves h on a loopback port until ctx ends.
func serveBenchHandler(ctx context.Context, h http.Handler, stdout io.Writer, note string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "ready http://%s - %s\n", ln.Addr(), note)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// freeLoopbackAddr asks the kernel for a free port; newApp listens on an
// address, not on a listener, so another process could take it in between,
// which on loopback during a benchmark is unlikely and fails loudly.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func waitHealthy(ctx context.Context, url string, errc <-chan error) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-errc:
			return fmt.Errorf("bench target: server stopped: %w", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return errors.New("bench target: lre did not answer /healthz within 30s")
}

func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
