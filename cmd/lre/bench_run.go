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

	"github.com/lre-project/lre/internal/benchref"
	"github.com/lre-project/lre/internal/loadgen"
)

// benchRun is one target measured at one size.
type benchRun struct {
	target string
	size   int
	res    loadgen.Result
	proc   procDelta // the server's CPU and peak RSS; ok=false when not measurable
	// disk is what the server wrote from the start of the warm-up until
	// its last notification was sent (the end of the measurement when
	// notifications are not observed), and letters what it accepted in
	// that time: the notifications a lagging outbox sends after the load
	// cost disk too, and belong to the letters that caused them.
	disk    procDelta
	letters int
	mail    mailStats // lre only: the notifications the outbox sent
	note    string    // how the target was set up
}

// mailStats follows the notifications while lre runs: they are sent by
// the outbox worker after the deposit transaction, so they may lag. The
// backlog is letters accepted minus notifications filed (dev mailbox) or
// accepted by the receiving SMTP server.
type mailStats struct {
	measured    bool
	via         string  // "dev mailbox" or "SMTP on loopback"
	duringRate  float64 // notifications per second during the measurement
	deposits    int     // letters accepted during the whole run (warm-up included)
	backlogEnd  int     // when the load stopped
	backlog10s  int     // after later (10 s by default)
	after       time.Duration
	sent        int           // notifications when the drain wait ended
	drainedIn   time.Duration // after the load stopped, until every notification was sent
	drainedFull bool
}

// benchTarget is a server under load: a child process of ours, or a
// running lre given with --url.
type benchTarget struct {
	url, key string
	pid      int
	mail     func() int // notifications sent so far; nil when not observable
	mailVia  string
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
	warmSent, warmDeposits := 0, 0
	start := readProc(t.pid)
	if cfg.warmup > 0 {
		w := lc
		w.Duration = cfg.warmup
		r, err := loadgen.Run(ctx, w)
		if err != nil {
			return run, err
		}
		warmSent, warmDeposits = r.Sent, r.Deposits
	}
	mailBefore := 0
	if t.mail != nil {
		mailBefore = t.mail()
	}
	before := readProc(t.pid)
	lc.Duration, lc.Progress = cfg.duration, progressLine(stderr, target, size)
	stopAnon := sampleAnon(t.pid)
	run.res, err = loadgen.Run(ctx, lc)
	anon := stopAnon()
	if err != nil {
		return run, err
	}
	run.proc = before.delta(readProc(t.pid))
	run.proc.anonMax = anon
	if t.mail != nil {
		run.mail = waitForMail(ctx, t.mail, mailBefore, warmSent+run.res.Sent, run.res.Elapsed, cfg.backlogAfter, cfg.drainTimeout)
		run.mail.via = t.mailVia
	}
	run.disk, run.letters = start.delta(readProc(t.pid)), warmDeposits+run.res.Deposits
	return run, nil
}

func progressLine(w io.Writer, target string, size int) func(loadgen.Progress) {
	return func(p loadgen.Progress) {
		fmt.Fprintf(w, "  %-7s %6s  %3.0fs  %7.0f letters/s  %8d deposited  %5d errors\n",
			target, formatSize(size), p.Elapsed.Seconds(), p.LastRate, p.Deposits, p.Errors)
	}
}

// waitForMail records the notification rate during the measurement and the
// backlog when the load stopped and backlogAfter later (the target is an
// empty outbox 10 s after the load), then waits (up to timeout in all) for
// a notification of every letter.
func waitForMail(ctx context.Context, count func() int, before, deposits int, elapsed, backlogAfter, timeout time.Duration) mailStats {
	m := mailStats{measured: true, deposits: deposits, after: backlogAfter}
	stopped := time.Now()
	m.sent = count()
	m.backlogEnd = max(deposits-m.sent, 0)
	if elapsed > 0 {
		m.duringRate = float64(m.sent-before) / elapsed.Seconds()
	}
	m.backlog10s = -1
	deadline := stopped.Add(max(timeout, backlogAfter))
	for ctx.Err() == nil {
		since := time.Since(stopped)
		if m.backlog10s < 0 && since >= backlogAfter {
			m.backlog10s = max(deposits-m.sent, 0)
		}
		if (m.sent >= deposits && m.backlog10s >= 0) || !time.Now().Before(deadline) {
			break
		}
		if m.sent >= deposits && m.drainedIn == 0 {
			m.drainedIn, m.drainedFull = since, true
		}
		time.Sleep(100 * time.Millisecond)
		m.sent = count()
	}
	if !m.drainedFull {
		m.drainedIn, m.drainedFull = time.Since(stopped), m.sent >= deposits
	}
	return m
}

func countMail(dir string) int {
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
	args := []string{"bench", "target", "--target", target, "--dir", dir, "--smtp-connections", strconv.FormatInt(cfg.smtpConns, 10), "--store", cfg.store}
	var sink *benchref.SMTPSink
	if target == "lre-smtp" {
		if sink, err = benchref.StartSMTPSink(); err != nil {
			logf.Close()
			return benchTarget{}, err
		}
		args = append(args, "--smtp", sink.Addr())
	}
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
		if sink != nil {
			sink.Close()
		}
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
		if sink != nil {
			sink.Close()
		}
	}
	t, err := readReady(ctx, stdout, filepath.Join(dir, "server.log"))
	if err != nil {
		stop()
		return benchTarget{}, err
	}
	t.pid, t.stop = cmd.Process.Pid, stop
	switch target {
	case "lre":
		mailDir := filepath.Join(dir, "data", "mailbox")
		t.mail, t.mailVia = func() int { return countMail(mailDir) }, "dev mailbox"
	case "lre-smtp":
		t.mail, t.mailVia = sink.Accepted, "SMTP on loopback"
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
