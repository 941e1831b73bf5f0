package main

import "runtime/debug"

// The garbage collector's settings for a serving process: lre serve, and
// every lre bench target alike, so that the ceiling runs under the same
// runtime as lre. Go's own default (GOGC=100, no memory limit) collects
// each time the heap doubles; a deposit allocates several times its size
// in short-lived buffers, so at 100 KB the collector took about a tenth
// of lre's CPU. Collecting at 3.5 times the live heap instead, bounded by
// a soft limit, costs memory that the intake budget already bounds (web:
// 48 MiB of letters in flight): lre bench at 100 KB, 64 senders, old and
// new binaries alternated, took 1.42 / 1.49 -> 1.31 / 1.35 ms of CPU per
// letter (the ceiling unchanged), and at 5 MB the anonymous memory rose
// from 157 to 189 MiB. An operator who sets GOGC or GOMEMLIMIT (Go's
// own variables) keeps them.
//
// On PostgreSQL the engine keeps up to 64 MiB of values between its write
// transactions (storage/postgres/memo.go), some 130 MiB of heap with their
// maps, so the limit is higher: at 192 MiB the collector ran all the time
// (lre bench --store postgres, 100 KB: 678-687 letters/s at 1.60 ms of CPU
// per letter), at 384 MiB 726-737 at 1.41 ms, 360 MiB anonymous.
const (
	defaultGCPercent    = 250
	defaultMemoryLimit  = 192 << 20
	postgresMemoryLimit = 384 << 20
)

// memoryLimitFor is the default soft limit of a process whose --store is
// store (empty: the bbolt file).
func memoryLimitFor(store string) int64 {
	if store != "" {
		return postgresMemoryLimit
	}
	return defaultMemoryLimit
}

// gcSettings are what applyGCDefaults left in force, for the start-up log.
type gcSettings struct {
	Percent     int
	MemoryLimit int64 // bytes; math.MaxInt64 when none
	FromEnv     bool  // GOGC or GOMEMLIMIT was set and is kept
}

// applyGCDefaults sets GC percent defaultGCPercent and the soft memory
// limit limit, each unless the environment sets it, and reports the
// settings in force.
func applyGCDefaults(getenv func(string) string, limit int64) gcSettings {
	s := gcSettings{FromEnv: getenv("GOGC") != "" || getenv("GOMEMLIMIT") != ""}
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(limit)
	}
	s.Percent = debug.SetGCPercent(-1)
	debug.SetGCPercent(s.Percent)
	s.MemoryLimit = debug.SetMemoryLimit(-1)
	return s
}
