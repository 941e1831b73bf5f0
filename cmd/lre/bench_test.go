package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/lre-project/lre/internal/pgtest"
)

// TestMain lets the test binary stand in for the lre binary when `lre
// bench` starts it as a target (the child re-executes os.Executable()).
func TestMain(m *testing.M) {
	if os.Getenv(benchChildEnv) == "1" && len(os.Args) > 1 && os.Args[1] == "bench" {
		if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
			os.Stderr.WriteString("lre: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	pgtest.StopShared()
	os.Exit(code)
}

// TestBench runs `lre bench` for a few seconds per target with tiny
// letters and checks that the report holds every field and positive ratios.
// It asserts no speed: numbers belong in benchmark output and docs.
func TestBench(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three servers and loads them; skipped with -short")
	}
	doc := filepath.Join(t.TempDir(), "PERFORMANCE.md")
	os.WriteFile(doc, []byte("# Performance\n\nAnalysis kept.\n"), 0o644)
	out, errb, err := runCLI(t, "bench", "--duration", "3s", "--warmup", "1s", "--concurrency", "4",
		"--size", "1KB", "--log-events", "1000", "--drain-timeout", "10s", "--backlog-after", "1s", "--dir", t.TempDir(), "--write-doc", "--doc", doc)
	if err != nil {
		t.Fatalf("lre bench: %v\nstderr:\n%s", err, errb)
	}
	machine := fmt.Sprintf("%d × ", runtime.NumCPU())
	for _, want := range []string{"letters/s", "p50", "p95", "p99", "max", "errors", "server CPU", "VmHWM (anon peak)", machine, "lre log verify: 1000 events", "token verification:", "notifications of lre at 1KB (dev mailbox)", "notifications of lre-smtp at 1KB (SMTP on loopback)", "backlog"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	for _, target := range benchTargets {
		m := regexp.MustCompile(`(?m)^1KB\s+` + target + `\s+(\d+(?:\.\d+)?)\s`).FindStringSubmatch(out)
		if m == nil {
			t.Errorf("no row for %s:\n%s", target, out)
			continue
		}
		if r, _ := strconv.ParseFloat(m[1], 64); r <= 0 {
			t.Errorf("letters/s of %s = %s, want positive", target, m[1])
		}
		// every target stores its letters durably: its disk column is a
		// positive figure, counted over the warm-up, the measurement and
		// the drain
		d := regexp.MustCompile(`(?m)^1KB\s+` + target + `\s.*\s(\d+) KB\s*$`).FindStringSubmatch(out)
		if d == nil || d[1] == "0" {
			t.Errorf("disk writes per letter of %s: %v, want a positive figure:\n%s", target, d, out)
		}
	}
	for _, ratio := range []string{"lre/ceiling", "lre-smtp/ceiling", "lre p99/ceiling p99", "lre/naive"} {
		m := regexp.MustCompile(ratio + ` (\d+\.\d+)`).FindStringSubmatch(out)
		if m == nil {
			t.Errorf("report lacks the %s ratio:\n%s", ratio, out)
			continue
		}
		if r, _ := strconv.ParseFloat(m[1], 64); r <= 0 {
			t.Errorf("%s = %s, want a positive ratio", ratio, m[1])
		}
	}
	md, _ := os.ReadFile(doc)
	if !strings.Contains(string(md), "Analysis kept.") || !strings.Contains(string(md), "| size | target | letters/s |") {
		t.Errorf("--write-doc lost the analysis or wrote no table:\n%s", md)
	}
}

func TestBenchFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"remote host", []string{"--url", "http://192.0.2.1:8080", "--key", "k"}, "loopback"},
		{"url without key", []string{"--url", "http://127.0.0.1:8080"}, "--key"},
		{"bad size", []string{"--size", "big"}, "--size"},
		{"too long", []string{"--duration", "11m"}, "--duration"},
		{"unknown target", []string{"--targets", "lre,nginx"}, "nginx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCLI(t, append([]string{"bench"}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("lre bench %v: %v, want an error about %s", tt.args, err, tt.want)
			}
		})
	}
	sizes, err := parseSizes("100KB, 5MB,1KiB")
	if err != nil || len(sizes) != 3 || sizes[0] != 100_000 || sizes[1] != 5_000_000 || sizes[2] != 1024 {
		t.Errorf("parseSizes = %v, %v", sizes, err)
	}
}
