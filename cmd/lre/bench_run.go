package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/lre-project/lre/internal/loadgen"
)

// benchRun is one target measured at one size.
type benchRun struct {
	target string
	size   int
	res    loadgen.Result
	proc   procDelta // the server's CPU and peak RSS; ok=false when not measurable
	mail   mailStats // lre only: the notifications the outbox sent
	note   string    // how the target was set up
}

// mailStats follows the dev mailbox while lre runs: notifications are sent
// by the outbox worker after the deposit transaction, so they may lag.
type mailStats struct {
	measured    bool
	duringRate  float64       // notifications filed per second during the measurement
	deposits    int           // letters accepted during the whole run (warm-up included)
	sent        int           // notifications filed when the drain wait ended
	drainedIn   time.Duration // after the load stopped, until every notification was filed
	drainedFull bool
}

// benchTarget is a server under load: a child process of ours, or a
// running lre given with --url.
type benchTarget struct {
	url, key string
	pid      int
	mailDir  string // lre's dev mailbox, when we started it
	note     string
	stop     func()
}

func measure(ctx context.Context, cfg benchConfig, target string, size int, dir string, stderr io.Writer) (benchRun, error) {
	t, err := startTarget(ctx, cfg, target, dir)
	if err != nil {
		return benchRun{}, err
	}
	defer t.stop()
	lc := loadgen.Config{URL: t.url + "/api/v1/notices", Key: t.key, Concurrency: int(cfg.concurrency), Size: size}
	run := benchRun{target: target, size: size, note: t.note}
	warmSent := 0
	if cfg.warmup > 0 {
		w := lc
		w.Duration = cfg.warmup
		r, err := loadgen.Run(ctx, w)
		if err != nil {
			return run, err
		}
		warmSent = r.Sent
	}
	before, mailBefore := readProc(t.pid), countMail(t.mailDir)
	lc.Duration, lc.Progress = cfg.duration, progressLine(stderr, target, size)
	stopAnon := sampleAnon(t.pid)
	run.res, err = loadgen.Run(ctx, lc)
	anon := stopAnon()
	if err != nil {
		return run, err
	}
	run.proc = before.delta(readProc(t.pid))
	run.proc.anonMax = anon
	if t.mailDir != "" {
		run.mail = waitForMail(ctx, t.mailDir, mailBefore, warmSent+run.res.Sent, run.res.Elapsed, cfg.drainTimeout)
	}
	return run, nil
}

func progressLine(w io.Writer, target string, size int) func(loadgen.Progress) {
	return func(p loadgen.Progress) {
		fmt.Fprintf(w, "  %-7s %6s  %3.0fs  %7.0f letters/s  %8d deposited  %5d errors\n",
			target, formatSize(size), p.Elapsed.Seconds(), p.LastRate, p.Deposits, p.Errors)
	}
}

// waitForMail records the notification rate during the measurement, then
// waits for the outbox to file a notification for every letter.
func waitForMail(ctx context.Context, dir string, before, deposits int, elapsed, timeout time.Duration) mailStats {
	m := mailStats{measured: true, deposits: deposits}
	stopped := time.Now()
	m.sent = countMail(dir)
	if elapsed > 0 {
		m.duringRate = float64(m.sent-before) / elapsed.Seconds()
	}
	deadline := stopped.Add(timeout)
	for m.sent < deposits && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(200 * time.Millisecond)
		m.sent = countMail(dir)
	}
	m.drainedIn, m.drainedFull = time.Since(stopped), m.sent >= deposits
	return m
}

func countMail(dir string) int {
	if dir == "" {
		return 0
	}
	f, err := os.Open(dir)
	if err != nil {
		return 0
	}
	defer f.Close()
	names, _ := f.Readdirnames(-1)
	n := 0
	for _, name := range names {
		if strings.HasSuffix(name, ".eml") {
			n++
		}
	}
	return n
}

// startTarget starts `lre bench target` for target in dir, or returns the
// running server of --url.
func startTarget(ctx context.Context, cfg benchConfig, target, dir string) (benchTarget, error) {
	if target == "lre" && cfg.url != "" {
		return benchTarget{url: cfg.url, key: cfg.key, pid: int(cfg.pid), note: "running server at " + cfg.url, stop: func() {}}, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return benchTarget{}, err
	}
	exe, err := os.Executable()
	if err != nil {
		return benchTarget{}, err
	}
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return benchTarget{}, err
	}
	args := []string{"bench", "target", "--target", target, "--dir", dir,
		"--batch-delay", cfg.batchDelay.String(), "--batch-size", strconv.FormatInt(cfg.batchSize, 10)}
	if cfg.profileDir != "" {
		args = append(args, "--cpuprofile", filepath.Join(cfg.profileDir, filepath.Base(dir)+".cpu.prof"))
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), benchChildEnv+"=1")
	cmd.Stderr = logf
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return benchTarget{}, err
	}
	stop := func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		logf.Close()
	}
	t, err := readReady(ctx, stdout, filepath.Join(dir, "server.log"))
	if err != nil {
		stop()
		return benchTarget{}, err
	}
	t.pid, t.stop = cmd.Process.Pid, stop
	if target == "lre" {
		t.mailDir = filepath.Join(dir, "data", "mailbox")
	}
	return t, nil
}

// benchChildEnv marks a child started by `lre bench`; the test binary's
// TestMain looks for it to act as the lre binary.
const benchChildEnv = "LRE_BENCH_CHILD"

// readReady waits for the child's "ready URL KEY NOTE" line; KEY is "-"
// for the references, which take no key.
func readReady(ctx context.Context, r io.Reader, logPath string) (benchTarget, error) {
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		lines <- line
	}()
	select {
	case line := <-lines:
		fields := strings.Fields(line)
		if len(fields) < 2 || fields[0] != "ready" {
			log, _ := os.ReadFile(logPath)
			return benchTarget{}, fmt.Errorf("bench target did not start: %q\n%s", line, log)
		}
		t := benchTarget{url: fields[1]}
		if len(fields) > 2 && fields[2] != "-" {
			t.key = fields[2]
		}
		if len(fields) > 3 {
			t.note = strings.Join(fields[3:], " ")
		}
		return t, nil
	case <-time.After(time.Minute):
		return benchTarget{}, errors.New("bench target did not start within a minute")
	case <-ctx.Done():
		return benchTarget{}, ctx.Err()
	}
}
