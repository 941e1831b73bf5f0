package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/loadgen"
)

// benchConfig is everything `lre bench` reads from its flags.
type benchConfig struct {
	url, key      string
	pid           int64
	concurrency   int64
	sizes         []int
	sizeText      string
	duration      time.Duration
	warmup        time.Duration
	targets       []string
	logEvents     int64
	writeDoc      bool
	doc, tempRoot string
	drainTimeout  time.Duration
	backlogAfter  time.Duration
	smtpConns     int64
	profileDir    string
	store         string // PostgreSQL URL of the lre targets' store; empty = bbolt
}

// benchTargets: lre notifying through the dev mailbox, lre notifying a
// real SMTP server on loopback, and the two references.
var benchTargets = []string{"lre", "lre-smtp", "ceiling", "naive"}

func parseBench(args []string, stderr io.Writer) (benchConfig, error) {
	f := newFlags("bench", "Measure deposit throughput and latency of lre against two references (a bare ceiling and a naive design) on this machine, with the same load generator. Traffic goes to loopback only.", stderr)
	var c benchConfig
	var targets string
	f.string(&c.url, "url", "", "", "deposit to a running lre at this loopback base URL instead of starting one (needs --key)")
	f.string(&c.key, "key", "LRE_BENCH_KEY", "", "API key of a sender, with --url")
	f.int64(&c.pid, "pid", "", 0, "with --url: process id of that server, to report its CPU and peak RSS (else not measurable)")
	f.int64(&c.concurrency, "concurrency", "", 64, "concurrent senders, each with one letter in flight")
	f.string(&c.sizeText, "size", "", "100KB", "attachment size per letter; a comma-separated list runs each (KB=1000, KiB=1024, MB, MiB)")
	f.duration(&c.duration, "duration", "", 10*time.Second, "measured time per target and size (at most 10m)")
	f.duration(&c.warmup, "warmup", "", time.Second, "unmeasured load before each measurement")
	f.string(&targets, "targets", "", strings.Join(benchTargets, ","), "what to measure: lre (dev mailbox), lre-smtp (SMTP on loopback), ceiling, naive")
	f.int64(&c.logEvents, "log-events", "", 1_000_000, "build a log of this many events and time `lre log verify` over it; 0 skips")
	f.bool(&c.writeDoc, "write-doc", "", false, "write the results table into --doc")
	f.string(&c.doc, "doc", "", "docs/PERFORMANCE.md", "Markdown file that --write-doc updates between its bench markers")
	f.string(&c.tempRoot, "dir", "", os.TempDir(), "where the temporary data directories go (removed afterwards)")
	f.duration(&c.drainTimeout, "drain-timeout", "", time.Minute, "how long to wait after the load for lre's outbox to send every notification")
	f.duration(&c.backlogAfter, "backlog-after", "", 10*time.Second, "when to look at lre's notification backlog a second time after the load")
	f.int64(&c.smtpConns, "smtp-connections", "", core.DefaultMailConnections, "lre's --smtp-connections in the lre targets (1-16)")
	f.string(&c.store, "store", "LRE_BENCH_STORE", "", "PostgreSQL URL for the lre targets' store (a database for the bench alone: what it deposits stays); empty = the bbolt file")
	f.string(&c.profileDir, "profile", "", "", "write a CPU profile of each target (TARGET-SIZE.cpu.prof) into this directory, for go tool pprof")
	if err := f.parse(args); err != nil {
		return c, err
	}
	var err error
	if c.sizes, err = parseSizes(c.sizeText); err != nil {
		return c, err
	}
	if c.targets, err = parseTargets(targets); err != nil {
		return c, err
	}
	return c, c.validate()
}

func (c *benchConfig) validate() error {
	switch {
	case c.concurrency < 1 || c.concurrency > 4096:
		return errors.New("--concurrency must be between 1 and 4096")
	case c.duration <= 0 || c.duration+c.warmup > loadgen.MaxDuration || c.warmup < 0:
		return fmt.Errorf("--duration must be positive and, with --warmup, at most %s", loadgen.MaxDuration)
	case c.url != "" && c.key == "":
		return errors.New("--url needs --key, the API key of a sender")
	case c.smtpConns < 1 || c.smtpConns > 16:
		return errors.New("--smtp-connections must be between 1 and 16")
	case c.logEvents < 0 || c.logEvents > 100_000_000:
		return errors.New("--log-events must be between 0 and 100000000")
	}
	if c.url != "" {
		c.url = strings.TrimRight(c.url, "/")
		return loadgen.CheckLoopback(c.url)
	}
	return nil
}

// parseSizes reads "100KB,5MB".
func parseSizes(s string) ([]int, error) {
	units := []struct {
		suffix string
		mult   int
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"KB", 1000}, {"MB", 1000_000}, {"K", 1000}, {"M", 1000_000}, {"B", 1}}
	var out []int
	for _, item := range splitList(s) {
		num, mult := item, 1
		for _, u := range units {
			if v, ok := strings.CutSuffix(strings.ToUpper(item), strings.ToUpper(u.suffix)); ok {
				num, mult = v, u.mult
				break
			}
		}
		n, err := strconv.Atoi(strings.TrimSpace(num))
		if err != nil || n < 0 || n*mult > 25<<20 {
			return nil, fmt.Errorf("--size: %q is not a size between 0 and 25MiB like 100KB or 5MB", item)
		}
		out = append(out, n*mult)
	}
	if len(out) == 0 {
		return nil, errors.New("--size: give at least one size")
	}
	return out, nil
}

func parseTargets(s string) ([]string, error) {
	var out []string
	for _, t := range splitList(s) {
		found := false
		for _, known := range benchTargets {
			found = found || t == known
		}
		if !found {
			return nil, fmt.Errorf("--targets: unknown target %q (want lre, lre-smtp, ceiling or naive)", t)
		}
		out = append(out, t)
	}
	return out, nil
}

// runBench measures every target at every size, then the log and token
// verification rates, prints the report and optionally writes the doc.
// "lre bench target ..." is the child process that serves one target.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "target" {
		return runBenchTarget(ctx, args[1:], stdout, stderr)
	}
	cfg, err := parseBench(args, stderr)
	if err != nil {
		return err
	}
	if cfg.profileDir != "" {
		if cfg.profileDir, err = filepath.Abs(cfg.profileDir); err != nil {
			return err
		}
		if err := os.MkdirAll(cfg.profileDir, 0o755); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
	}
	tmp, err := os.MkdirTemp(cfg.tempRoot, "lre-bench-")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(tmp)
	rep := newBenchReport(cfg, args)
	fmt.Fprintf(stderr, "lre bench: %s\n", rep.machine.summary())
	for _, size := range cfg.sizes {
		for _, target := range cfg.targets {
			dir := filepath.Join(tmp, target+"-"+formatSize(size))
			m, err := measure(ctx, cfg, target, size, dir, stderr)
			if err != nil {
				return fmt.Errorf("bench %s at %s: %w", target, formatSize(size), err)
			}
			rep.runs = append(rep.runs, m)
		}
	}
	if err := rep.measureVerification(ctx, cfg, filepath.Join(tmp, "log"), stderr); err != nil {
		return err
	}
	rep.machine.loadAfter = loadAverage()
	rep.print(stdout)
	if cfg.writeDoc {
		if err := rep.writeDoc(cfg.doc); err != nil {
			return fmt.Errorf("bench: write %s: %w", cfg.doc, err)
		}
		fmt.Fprintf(stdout, "\nwrote %s\n", cfg.doc)
	}
	return nil
}
