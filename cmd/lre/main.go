// Command lre runs the electronic registered-mail service and its tools.
//
//	lre serve          start the service (API, pages, background workers)
//	lre users add      create a user and print its API key
//	lre users passwd   set a user's web password, read from stdin
//	lre log verify     re-check every hash of the evidence log
//	lre verify FILE    verify an evidence bundle or certificate offline
//	lre evidence refresh  renew keys near their end, re-time-stamp proofs
//	lre backup         copy the database consistently, online or offline
//	lre bounce parse   read returned mail: kind, recipients, reason, hard or soft
//
// Configuration is read once, from flags with environment equivalents, and
// passed down as plain values; this is the only package that wires core to
// its adapters.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `lre: electronic registered mail (lettre recommandée électronique)

Usage:
  lre serve [flags]        start the service
  lre users add [flags]    create a user; prints its API key on the last line
                           (--password-stdin also sets its web password)
  lre users passwd [flags] set a user's web password, read from stdin
  lre log verify [flags]   verify the whole evidence log; exit 1 naming the first bad record
  lre verify FILE [flags]  verify an evidence bundle or certificate PDF offline;
                           exit 3-9 by kind of failure (see lre verify --help)
  lre evidence refresh [--rotate] [serve flags]  renew the seal and TSA certificates that end
                           within --renew-before, add a document time-stamp to
                           every certificate PDF and an archive token to every
                           checkpoint that needs one (server stopped)
  lre backup [flags]       consistent copy of the database, online (--url) or offline (--data)
  lre migrate [flags]      copy a bbolt store into PostgreSQL and verify the copy
  lre bench [flags]        measure deposits/s and latency against a ceiling and a naive design
  lre bounce parse [--json] FILE...
                           read returned mail (bounces, ARF complaints, auto-replies):
                           kind and, per recipient, status, reason, hard or soft

Run "lre <command> --help" for the flags of a command. Every flag has an
environment variable equivalent, shown in its help.
`

// exitUsage is returned for bad command lines so main exits with 2.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil:
	case errors.Is(err, errUsage), errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	case errors.As(err, new(*exitError)):
		fmt.Fprintln(os.Stderr, "lre:", err)
		os.Exit(exitCode(err))
	default:
		fmt.Fprintln(os.Stderr, "lre:", err)
		os.Exit(1)
	}
}

// run dispatches a command line; tests call it directly.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch {
	case args[0] == "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case len(args) >= 2 && args[0] == "users" && args[1] == "add":
		return runUsersAddPassword(ctx, args[2:], stdout, stderr)
	case len(args) >= 2 && args[0] == "users" && args[1] == "passwd":
		return runUsersPasswd(ctx, args[2:], stdout, stderr)
	case len(args) >= 2 && args[0] == "log" && args[1] == "verify":
		return runLogVerify(ctx, args[2:], stdout, stderr)
	case args[0] == "verify":
		return runVerify(ctx, args[1:], stdout, stderr)
	case len(args) >= 2 && args[0] == "evidence" && args[1] == "refresh":
		return runEvidenceRefresh(ctx, args[2:], stdout, stderr)
	case args[0] == "backup":
		return runBackup(ctx, args[1:], stdout, stderr)
	case args[0] == "migrate":
		return runMigrate(ctx, args[1:], stdout, stderr)
	case args[0] == "bench":
		return runBench(ctx, args[1:], stdout, stderr)
	case args[0] == "bounce":
		return runBounce(args[1:], stdout, stderr)
	case args[0] == "-h" || args[0] == "--help" || args[0] == "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "lre: unknown command %q\n\n%s", args[0], usage)
	return errUsage
}
