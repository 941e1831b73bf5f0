package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/lre-project/lre/audit"
)

const verifyUsage = `Usage: lre verify FILE [--checkpoint FILE] [--at TIME] [--json]

Verify an evidence bundle (evidence.zip from GET /api/v1/notices/{id}/evidence.zip)
or a certificate PDF, offline: no server, no network. It checks the documents
against the manifest, the manifest against its RFC 3161 token, every token,
the PDF seals, each event against its hash-chain record, the Merkle inclusion
proofs and the signed checkpoint, then says what the evidence proves.

The certificates and key it checks against come with the file: they prove
integrity. Compare the fingerprints the report prints with the provider's
published ones before relying on them for authorship.

Flags:
  --checkpoint FILE  a checkpoint saved earlier (GET /api/v1/log/checkpoint):
                     the bundle's checkpoint must extend it. Download the
                     bundle with ?consistency_from=<its size> so that it
                     carries the consistency proof.
  --at TIME          verify as of TIME (RFC 3339, or a date: 2036-12-01) rather
                     than at each token's own time: the newest time-stamp of a
                     certificate PDF must have a certificate still valid then,
                     each older one a certificate valid when the next was
                     made (the PAdES LTA rule). In a bundle the same rule
                     runs over checkpoint.tsr and its archive tokens
                     (checkpoint-archive-<k>.tsr), and deposit.tsr must have
                     been valid when the checkpoint's token covered it. A
                     proof renewed in time (lre evidence refresh) passes
                     years ahead; one never renewed fails once its
                     authority's certificate has expired.
  --json             print the report as JSON

Exit codes:
  0  every check passed
  1  the file could not be read
  2  bad command line
  3  document-digest: a document or the manifest does not match its digest
  4  token: an RFC 3161 token is invalid
  5  signature: a certificate PDF's seal is invalid
  6  chain: an event does not match its hash-chain record
  7  proof: a Merkle inclusion proof does not verify
  8  checkpoint: the checkpoint's signature is invalid, or it is not
     consistent with the --checkpoint one (the log was rewritten)
  9  format: not a readable bundle or certificate
When several kinds fail, the exit code is the smallest of theirs.
`

// maxVerifyInput bounds what lre verify reads into memory.
const maxVerifyInput = 512 << 20

// exitError carries a verification failure's exit code to main.
type exitError struct {
	code int
	kind string
}

func (e *exitError) Error() string {
	return fmt.Sprintf("verification failed (%s)", e.kind)
}

// runVerify is lre verify; the checks live in audit.
func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	va, err := parseVerify(args, stderr)
	if err != nil {
		return err
	}
	file, earlierPath, asJSON := va.file, va.earlier, va.asJSON
	data, err := readBounded(file)
	if err != nil {
		return err
	}
	opts := audit.Options{At: va.at}
	if earlierPath != "" {
		if opts.EarlierCheckpoint, err = readBounded(earlierPath); err != nil {
			return err
		}
	}
	r := audit.Verify(data, opts)
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(r)
	} else {
		err = r.WriteText(stdout)
	}
	if err != nil {
		return err
	}
	if !r.OK {
		return &exitError{code: r.ExitCode(), kind: string(r.Failed[0])}
	}
	return nil
}

// verifyArgs is lre verify's command line.
type verifyArgs struct {
	file, earlier string
	asJSON        bool
	at            time.Time
}

// parseVerify accepts the flags before or after FILE.
func parseVerify(args []string, stderr io.Writer) (verifyArgs, error) {
	var va verifyArgs
	var at string
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, verifyUsage) }
	fs.StringVar(&va.earlier, "checkpoint", "", "checkpoint saved earlier")
	fs.StringVar(&at, "at", "", "verify as of this time")
	fs.BoolVar(&va.asJSON, "json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return va, err
	}
	rest := fs.Args()
	if len(rest) > 0 {
		va.file = rest[0]
		if err := fs.Parse(rest[1:]); err != nil {
			return va, err
		}
		rest = fs.Args()
	}
	if va.file == "" || len(rest) > 0 {
		fs.Usage()
		return va, errUsage
	}
	if at != "" {
		t, err := parseAt(at)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return va, errUsage
		}
		va.at = t
	}
	return va, nil
}

// parseAt reads --at: an RFC 3339 time, or a date meaning its midnight UTC.
func parseAt(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--at %q: want an RFC 3339 time (2036-12-01T10:00:00Z) or a date (2036-12-01)", s)
}

func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxVerifyInput+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxVerifyInput {
		return nil, errors.New(path + ": larger than 512 MiB, not an lre bundle")
	}
	return b, nil
}

// exitCode is the exit code an error from run asks for.
func exitCode(err error) int {
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	return 1
}
