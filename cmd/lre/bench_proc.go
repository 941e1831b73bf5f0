package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/PID/stat times: 100 on every
// Linux architecture Go supports.
const clockTicks = 100

// procSample is a process's CPU time (its own and its waited-for children's,
// so openssl processes count for the naive target) and peak RSS.
type procSample struct {
	ok      bool
	at      time.Time
	cpu     time.Duration
	peakRSS int64 // VmHWM, bytes
	written int64 // write_bytes of /proc/PID/io: what reached the block layer
}

// procDelta is what a process used between two samples.
type procDelta struct {
	ok      bool
	wall    time.Duration
	cpu     time.Duration
	peakRSS int64
	written int64
	anonMax int64 // largest RssAnon seen while sampling (no kernel high-water mark for it)
}

// readProc samples pid from /proc; pid 0 is "not measurable".
func readProc(pid int) procSample {
	if pid <= 0 {
		return procSample{}
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procSample{}
	}
	// The command name may hold spaces; the fields start after its ')'.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return procSample{}
	}
	fields := strings.Fields(string(stat[i+1:]))
	if len(fields) < 15 {
		return procSample{}
	}
	var ticks int64
	for _, f := range fields[11:15] { // utime, stime, cutime, cstime
		n, _ := strconv.ParseInt(f, 10, 64)
		ticks += n
	}
	s := procSample{ok: true, at: time.Now(), cpu: time.Duration(ticks) * time.Second / clockTicks}
	s.peakRSS = statusKB(fmt.Sprintf("/proc/%d/status", pid), "VmHWM:") * 1024
	s.written = ioBytes(fmt.Sprintf("/proc/%d/io", pid), "write_bytes:")
	return s
}

func (s procSample) delta(later procSample) procDelta {
	if !s.ok || !later.ok {
		return procDelta{}
	}
	return procDelta{ok: true, wall: later.at.Sub(s.at), cpu: later.cpu - s.cpu, peakRSS: later.peakRSS, written: later.written - s.written}
}

// sampleAnon reads pid's RssAnon every 100ms until stop is called and
// returns the largest value: VmHWM also counts the pages of lre.db that
// bbolt's mmap has touched, which the kernel can drop at will.
func sampleAnon(pid int) (stop func() int64) {
	if pid <= 0 {
		return func() int64 { return 0 }
	}
	path := fmt.Sprintf("/proc/%d/status", pid)
	done, result := make(chan struct{}), make(chan int64, 1)
	go func() {
		var peak int64
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, statusKB(path, "RssAnon:")*1024)
			select {
			case <-done:
				result <- peak
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 { close(done); return <-result }
}

// cores is the average number of CPUs the process kept busy.
func (d procDelta) cores() float64 {
	if d.wall <= 0 {
		return 0
	}
	return d.cpu.Seconds() / d.wall.Seconds()
}

// ioBytes reads a "key: 123" line of /proc/PID/io.
func ioBytes(path, key string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}

// statusKB reads a "Key:   123 kB" line of a /proc status-like file.
func statusKB(path, key string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// machine describes where the numbers were taken.
type machine struct {
	nproc                 int
	cpuModel, goVersion   string
	kernel                string
	memBytes              int64
	loadBefore, loadAfter string
}

func describeMachine() machine {
	m := machine{nproc: runtime.NumCPU(), goVersion: runtime.Version(), cpuModel: "unknown CPU"}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpuModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = "Linux " + strings.TrimSpace(string(b))
	}
	m.memBytes = statusKB("/proc/meminfo", "MemTotal:") * 1024
	m.loadBefore = loadAverage()
	return m
}

// loadAverage is the 1-minute load: other work on the machine skews every
// number, so the report shows it.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}

func (m machine) summary() string {
	return fmt.Sprintf("%d × %s, %s RAM, %s, %s, load average %s", m.nproc, m.cpuModel, formatBytes(m.memBytes), m.kernel, m.goVersion, m.loadBefore)
}
