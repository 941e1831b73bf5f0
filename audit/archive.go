package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/rfc3161"
)

// checkpointTokenFiles returns the names of checkpoint.tsr and of every
// archive token after it (checkpoint-archive-1.tsr, -2, ...), in order.
func checkpointTokenFiles(v *bundleView) []string {
	names := []string{evidence.BundleCheckpointToken}
	for k := 1; ; k++ {
		if _, ok := v.Files[evidence.BundleArchiveToken(k)]; !ok {
			return names
		}
		names = append(names, evidence.BundleArchiveToken(k))
	}
}

// verifyArchiveChain checks the checkpoint's tokens, oldest first: token i
// over SHA-256(evidence.ArchiveInput(note, tokens before i)). With at zero
// each chain is checked at its token's own time; with at set, the archive
// rule: each token's certificate valid when the next token was made, the
// newest one's at at. It returns the tokens, and the name of the file at
// fault with the error.
func verifyArchiveChain(v *bundleView, note []byte, at time.Time) ([]core.Token, string, error) {
	names := checkpointTokenFiles(v)
	ders := make([][]byte, len(names))
	sums := make([][]byte, len(names))
	toks := make([]core.Token, len(names))
	for i, name := range names {
		ders[i] = v.Files[name]
		sum := sha256.Sum256(evidence.ArchiveInput(note, ders[:i]...))
		sums[i] = sum[:]
		tok, err := rfc3161.VerifyToken(ders[i], sums[i], v.tsa.roots, v.tsa.inter)
		if err != nil {
			return nil, name, err
		}
		toks[i] = tok
	}
	if at.IsZero() {
		return toks, "", nil
	}
	for i, name := range names {
		when := at
		if i+1 < len(toks) {
			when = toks[i+1].Time
		}
		if _, err := rfc3161.VerifyTokenAt(ders[i], sums[i], v.tsa.roots, v.tsa.inter, when); err != nil {
			return nil, name, archiveRuleError(i, len(toks), err)
		}
	}
	return toks, "", nil
}

func archiveRuleError(i, n int, err error) error {
	if i+1 < n {
		return fmt.Errorf("its certificate was no longer valid when the next archive token was made: %w", err)
	}
	if n == 1 {
		return fmt.Errorf("no archive token renews it, and its certificate is not valid then: %w", err)
	}
	return fmt.Errorf("the newest archive token's certificate is not valid then: %w", err)
}

// checkDepositAt applies the archive rule to deposit.tsr: the deposit
// event records SHA-256 of its exact bytes (timestamp_token_sha256), that
// event is a leaf of the checkpoint, so the checkpoint's first token
// covers the deposit token, whose certificate must be valid at that
// token's time. A deposit event without that digest leaves the token
// alone: its certificate must then be valid at at.
func checkDepositAt(r *Report, v *bundleView, evs []core.Event, cp []core.Token, at time.Time) {
	der := v.Files[evidence.BundleDepositToken]
	sum := sha256.Sum256(der)
	when, how := at, "its digest is not in the deposit event"
	if len(cp) == 0 {
		how = "no valid checkpoint token covers it"
	}
	for _, e := range evs {
		if e.Type == core.EventSubmissionAcceptance && e.Details["timestamp_token_sha256"] == hex.EncodeToString(sum[:]) && len(cp) > 0 {
			when, how = cp[0].Time, "bound by the deposit event, covered by the checkpoint's token"
		}
	}
	digest := sha256.Sum256(v.Files[evidence.BundleManifest])
	if _, err := rfc3161.VerifyTokenAt(der, digest[:], v.tsa.roots, v.tsa.inter, when); err != nil {
		r.fail(KindToken, "deposit token as of "+at.UTC().Format(time.DateOnly), "%s, its certificate must be valid at %s: %v", how, timeOr(when), err)
		return
	}
	r.pass(KindToken, "deposit token as of "+at.UTC().Format(time.DateOnly), "%s; its certificate was valid at %s", how, timeOr(when))
}
