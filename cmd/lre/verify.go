package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/lre-project/lre/audit"
)

const verifyUsage = `Usage: lre verify FILE [--checkpoint FILE] [--json]

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
	file, earlierPath, asJSON, err := parseVerify(args, stderr)
	if err != nil {
		return err
	}
	data, err := readBounded(file)
	if err != nil {
		return err
	}
	var opts audit.Options
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

// parseVerify accepts the flags before or after FILE.
func parseVerify(args []string, stderr io.Writer) (file, earlier string, asJSON bool, err error) {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, verifyUsage) }
	fs.StringVar(&earlier, "checkpoint", "", "checkpoint saved earlier")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return "", "", false, err
	}
	rest := fs.Args()
	if len(rest) > 0 {
		file = rest[0]
		if err := fs.Parse(rest[1:]); err != nil {
			return "", "", false, err
		}
		rest = fs.Args()
	}
	if file == "" || len(rest) > 0 {
		fs.Usage()
		return "", "", false, errUsage
	}
	return file, earlier, asJSON, nil
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
