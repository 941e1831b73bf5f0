package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// restoreGC puts back the settings the test process started with.
func restoreGC(t *testing.T) {
	percent, limit := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1)
	debug.SetGCPercent(percent)
	t.Cleanup(func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})
}

func TestGCDefaultsWhenUnset(t *testing.T) {
	restoreGC(t)
	debug.SetGCPercent(100)
	debug.SetMemoryLimit(math.MaxInt64)
	got := applyGCDefaults(func(string) string { return "" }, memoryLimitFor(""))
	if got.Percent != defaultGCPercent || got.MemoryLimit != defaultMemoryLimit || got.FromEnv {
		t.Errorf("settings = %+v, want GC percent %d, limit %d, not from the environment", got, defaultGCPercent, defaultMemoryLimit)
	}
	if p := debug.SetGCPercent(-1); p != defaultGCPercent {
		t.Errorf("the runtime collects at %d %%, want %d", p, defaultGCPercent)
	}
	debug.SetGCPercent(defaultGCPercent)
}

// What the operator set is what the runtime read at start; it is kept, and
// only the other setting takes lre's default.
func TestGCDefaultsKeepTheEnvironment(t *testing.T) {
	restoreGC(t)
	debug.SetGCPercent(50) // as the runtime would have read GOGC=50
	debug.SetMemoryLimit(math.MaxInt64)
	env := map[string]string{"GOGC": "50"}
	got := applyGCDefaults(func(k string) string { return env[k] }, memoryLimitFor(""))
	if got.Percent != 50 || got.MemoryLimit != defaultMemoryLimit || !got.FromEnv {
		t.Errorf("GOGC=50: settings = %+v, want 50 kept and the default limit", got)
	}
	debug.SetMemoryLimit(1 << 30) // as GOMEMLIMIT=1GiB
	env = map[string]string{"GOMEMLIMIT": "1GiB"}
	got = applyGCDefaults(func(k string) string { return env[k] }, memoryLimitFor("postgres://db"))
	if got.MemoryLimit != 1<<30 || got.Percent != defaultGCPercent {
		t.Errorf("GOMEMLIMIT=1GiB: settings = %+v, want 1 GiB kept and the default percent", got)
	}
}

func TestGCDefaultLimitPerStore(t *testing.T) {
	restoreGC(t)
	if got := applyGCDefaults(func(string) string { return "" }, memoryLimitFor("postgres://u@h/db")); got.MemoryLimit != postgresMemoryLimit {
		t.Errorf("PostgreSQL store: limit %d, want %d", got.MemoryLimit, postgresMemoryLimit)
	}
	if got := applyGCDefaults(func(string) string { return "" }, memoryLimitFor("")); got.MemoryLimit != defaultMemoryLimit {
		t.Errorf("bbolt store: limit %d, want %d", got.MemoryLimit, defaultMemoryLimit)
	}
}
