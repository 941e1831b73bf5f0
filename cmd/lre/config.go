package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// flags wraps a FlagSet so that every flag gets an environment variable
// equivalent: the environment sets the default, the command line wins.
type flags struct {
	fs   *flag.FlagSet
	errs []error
}

func newFlags(name, summary string, stderr io.Writer) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: lre %s [flags]\n\n%s\n\nFlags:\n", name, summary)
		fs.PrintDefaults()
	}
	return &flags{fs: fs}
}

func envHelp(env, help string) string {
	if env == "" {
		return help
	}
	return help + " (env " + env + ")"
}

func (f *flags) string(p *string, name, env, def, help string) {
	if v, ok := os.LookupEnv(env); ok && env != "" {
		def = v
	}
	f.fs.StringVar(p, name, def, envHelp(env, help))
}

func (f *flags) int64(p *int64, name, env string, def int64, help string) {
	if v, ok := os.LookupEnv(env); ok && env != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			f.errs = append(f.errs, fmt.Errorf("%s=%q: not an integer", env, v))
		}
		def = n
	}
	f.fs.Int64Var(p, name, def, envHelp(env, help))
}

func (f *flags) duration(p *time.Duration, name, env string, def time.Duration, help string) {
	if v, ok := os.LookupEnv(env); ok && env != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			f.errs = append(f.errs, fmt.Errorf("%s=%q: not a duration like 30s or 72h", env, v))
		}
		def = d
	}
	f.fs.DurationVar(p, name, def, envHelp(env, help))
}

// parse parses args and reports environment errors first.
func (f *flags) parse(args []string) error {
	if err := f.fs.Parse(args); err != nil {
		return err
	}
	if len(f.errs) > 0 {
		return f.errs[0]
	}
	if f.fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", f.fs.Arg(0))
	}
	return nil
}

// splitList parses a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (f *flags) bool(p *bool, name, env string, def bool, help string) {
	if v, ok := os.LookupEnv(env); ok && env != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			f.errs = append(f.errs, fmt.Errorf("%s=%q: not a boolean", env, v))
		}
		def = b
	}
	f.fs.BoolVar(p, name, def, envHelp(env, help))
}
