// Package audit verifies lre's evidence offline, the way an auditor would:
// an evidence bundle (ZIP) or a certificate PDF, with no server and no
// network. It checks every digest, every RFC 3161 token, the PDF seals, the
// events' hash-chain records, the Merkle inclusion proofs and the signed
// checkpoint, and says what the evidence proves. The command `lre verify`
// and the web upload share it.
//
// Trust: a bundle carries its own authority chain, seal certificate and log
// key. Checking against them proves integrity and internal consistency; it
// proves the provider's authorship only once the auditor has compared the
// fingerprints in Report.Trust with the ones the provider publishes.
package audit

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Kind names what a failed check means; each has its own exit code.
type Kind string

// The kinds of failure, in exit-code order.
const (
	KindDocumentDigest Kind = "document-digest" // a document or the manifest does not match its digest
	KindToken          Kind = "token"           // an RFC 3161 token is invalid
	KindSignature      Kind = "signature"       // a certificate PDF's seal is invalid
	KindChain          Kind = "chain"           // an event does not match its hash-chain record
	KindProof          Kind = "proof"           // a Merkle inclusion proof does not verify
	KindCheckpoint     Kind = "checkpoint"      // the checkpoint's signature, or its consistency with an earlier one
	KindFormat         Kind = "format"          // the file is not a readable bundle or certificate
)

// Kinds lists every kind in exit-code order.
var Kinds = []Kind{KindDocumentDigest, KindToken, KindSignature, KindChain, KindProof, KindCheckpoint, KindFormat}

// ExitCode is the process exit code for a failure of kind k: 3 to 9 in the
// order of Kinds (0 is success, 1 an error before verification, 2 usage).
func (k Kind) ExitCode() int {
	if i := slices.Index(Kinds, k); i >= 0 {
		return 3 + i
	}
	return 1
}

// Check is one verification step and its outcome. Skipped checks could not
// run (something they depend on failed or is absent) and fail nothing.
type Check struct {
	Kind    Kind   `json:"kind"`
	Name    string `json:"name"`
	OK      bool   `json:"ok"`
	Skipped bool   `json:"skipped,omitempty"`
	Detail  string `json:"detail"`
	// Format and Args are what Detail was written from, so that a page can
	// write the same sentence in its reader's language (web/verify_audit_text.go).
	Format string `json:"-"`
	Args   []any  `json:"-"`
}

// Trust lists what the auditor must compare with the provider's published
// values before the checks prove more than integrity.
type Trust struct {
	TSARoot     string `json:"tsa_root,omitempty"`                // subject of the authority's root
	TSARootSHA  string `json:"tsa_root_sha256,omitempty"`         // its SHA-256 fingerprint, hex
	SealRoot    string `json:"seal_root,omitempty"`               // subject of the seal's root
	SealRootSHA string `json:"seal_root_sha256,omitempty"`        // its SHA-256 fingerprint, hex
	LogKey      string `json:"log_key,omitempty"`                 // the checkpoint note verifier key
	SelfAnchor  bool   `json:"tsa_self_anchored,omitempty"`       // tokens checked against their own signer certificate
	Qualified   bool   `json:"provider_claims_qualified"`         // what the bundle claims
	Provider    string `json:"provider,omitempty"`                // the provider named in the bundle
	Caveat      string `json:"caveat"`                            // the trust caveat, in words
	Checkpoint  string `json:"checkpoint,omitempty"`              // origin and size of the checkpoint
	CheckpointT string `json:"checkpoint_time,omitempty"`         // its RFC 3161 time
	EarlierSize uint64 `json:"earlier_checkpoint_size,omitempty"` // --checkpoint given
}

// Report is the outcome of a verification.
type Report struct {
	Input    string   `json:"input"` // "bundle" or "certificate"
	NoticeID string   `json:"notice_id,omitempty"`
	OK       bool     `json:"ok"`
	Failed   []Kind   `json:"failed,omitempty"`
	Checks   []Check  `json:"checks"`
	Proves   []string `json:"proves,omitempty"`
	Notes    []string `json:"notes,omitempty"`
	Trust    Trust    `json:"trust"`
}

const caveat = "The certificates and key used here came with the file: they prove integrity, not authorship. " +
	"Compare these fingerprints and this key with the ones the provider publishes."

func (r *Report) pass(k Kind, name, format string, args ...any) {
	r.Checks = append(r.Checks, Check{Kind: k, Name: name, OK: true, Detail: fmt.Sprintf(format, args...), Format: format, Args: args})
}

func (r *Report) fail(k Kind, name, format string, args ...any) {
	r.Checks = append(r.Checks, Check{Kind: k, Name: name, Detail: fmt.Sprintf(format, args...), Format: format, Args: args})
}

func (r *Report) skip(k Kind, name, format string, args ...any) {
	r.Checks = append(r.Checks, Check{Kind: k, Name: name, OK: true, Skipped: true, Detail: fmt.Sprintf(format, args...), Format: format, Args: args})
}

func (r *Report) check(k Kind, name string, err error, okFormat string, okArgs ...any) bool {
	if err != nil {
		r.fail(k, name, "%v", err)
		return false
	}
	r.pass(k, name, okFormat, okArgs...)
	return true
}

// finish computes OK and Failed from the checks.
func (r *Report) finish() *Report {
	r.Failed = nil
	for _, k := range Kinds {
		for _, c := range r.Checks {
			if c.Kind == k && !c.OK {
				r.Failed = append(r.Failed, k)
				break
			}
		}
	}
	r.OK = len(r.Failed) == 0 && len(r.Checks) > 0
	if !r.OK && len(r.Failed) == 0 {
		r.Failed = []Kind{KindFormat}
	}
	r.Trust.Caveat = caveat
	return r
}

// ExitCode is 0 when every check passed, else the code of the first failed
// kind in Kinds order.
func (r *Report) ExitCode() int {
	if r.OK {
		return 0
	}
	return r.Failed[0].ExitCode()
}

// WriteText prints the report for a person.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	what := map[string]string{"bundle": "evidence bundle", "certificate": "certificate PDF"}[r.Input]
	fmt.Fprintf(&b, "lre verify: %s", or(what, "file"))
	if r.NoticeID != "" {
		fmt.Fprintf(&b, " of letter %s", r.NoticeID)
	}
	b.WriteString("\n\nChecks:\n")
	for _, c := range r.Checks {
		mark := "ok  "
		switch {
		case c.Skipped:
			mark = "skip"
		case !c.OK:
			mark = "FAIL"
		}
		fmt.Fprintf(&b, "  [%s] %-16s %s: %s\n", mark, c.Kind, c.Name, c.Detail)
	}
	if len(r.Proves) > 0 {
		b.WriteString("\nWhat this proves:\n")
		for _, p := range r.Proves {
			fmt.Fprintf(&b, "  - %s\n", p)
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "\nNote: %s\n", n)
	}
	writeTrust(&b, r.Trust)
	if r.OK {
		b.WriteString("\nResult: OK, every check passed.\n")
	} else {
		fmt.Fprintf(&b, "\nResult: FAILED (%s), exit code %d.\n", joinKinds(r.Failed), r.ExitCode())
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeTrust(b *strings.Builder, t Trust) {
	b.WriteString("\nTrust (compare with the provider's published values):\n")
	row := func(label, v string) {
		if v != "" {
			fmt.Fprintf(b, "  %-22s %s\n", label, v)
		}
	}
	row("provider:", t.Provider)
	if t.SelfAnchor {
		row("TSA certificate:", t.TSARoot)
		row("TSA cert SHA-256:", t.TSARootSHA)
	} else {
		row("TSA root:", t.TSARoot)
		row("TSA root SHA-256:", t.TSARootSHA)
	}
	row("seal root:", t.SealRoot)
	row("seal root SHA-256:", t.SealRootSHA)
	row("log key:", t.LogKey)
	row("checkpoint:", t.Checkpoint)
	row("checkpoint time:", t.CheckpointT)
	fmt.Fprintf(b, "  %s\n", t.Caveat)
	if t.SelfAnchor {
		b.WriteString("  The timestamp tokens were checked against their own signer certificate (no authority root in the file).\n")
	}
}

func joinKinds(ks []Kind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
