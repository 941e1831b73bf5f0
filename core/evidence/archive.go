package evidence

import (
	"context"
	"crypto/sha256"
	"fmt"

	"github.com/lre-project/lre/core"
)

// A checkpoint's token proves the checkpoint existed at its time only as
// long as the authority's certificate and key are trusted. Before that
// ends, an archive token is added over the checkpoint and every token it
// already has, by a newer certificate: the chain of tokens then proves it
// as of the newest one (the renewal of RFC 4998, section 5.2, in flat
// files). Earlier tokens are never changed or dropped.

// ArchiveInput returns the bytes that the next archive token of a
// checkpoint time-stamps (as SHA-256 of them): the checkpoint note, then
// the DER TimeStampResp of its token and of each archive token so far, in
// order, concatenated without separators. In a bundle that is
// `cat checkpoint.txt checkpoint.tsr checkpoint-archive-1.tsr ...`.
func ArchiveInput(note []byte, tokens ...[]byte) []byte {
	out := append([]byte(nil), note...)
	for _, t := range tokens {
		out = append(out, t...)
	}
	return out
}

// Tokens returns the checkpoint's token then its archive tokens, oldest
// first.
func (c Checkpoint) Tokens() []core.Token {
	out := make([]core.Token, 0, 1+len(c.Archive))
	if c.Token != nil {
		out = append(out, *c.Token)
	}
	return append(out, c.Archive...)
}

// CheckpointArchives pages through stored checkpoints and adds archive
// tokens to them.
type CheckpointArchives interface {
	// CheckpointsAfter returns up to limit checkpoints larger than size
	// after, smallest first.
	CheckpointsAfter(ctx context.Context, after uint64, limit int) ([]Checkpoint, error)
	// AddArchiveToken appends tok to the archive tokens of the checkpoint
	// of size, which must hold exactly have of them: ECONFLICT otherwise
	// (another renewal added one meanwhile), ENOTFOUND without it.
	AddArchiveToken(ctx context.Context, size uint64, have int, tok core.Token) error
}

// ArchiveCheckpoints adds an archive token to every stored checkpoint whose
// newest token's certificate ends within the renewal margin (with
// RenewAll: to every checkpoint), and returns
// how many it extended. It stops at the first failure; a later run resumes,
// the checkpoints already extended being no longer due. Errors:
// EUNAVAILABLE without renewal or transparency log configured, or when no
// authority answered.
func (s *Service) ArchiveCheckpoints(ctx context.Context, which Renewal) (int, error) {
	if s.renewer == nil || s.renewals == nil || s.timestamper == nil {
		return 0, core.Errorf(core.EUNAVAILABLE, "renewal is not configured")
	}
	if _, err := s.transparencyLog(); err != nil {
		return 0, err
	}
	extended := 0
	var after uint64
	for {
		cps, err := s.renewals.CheckpointsAfter(ctx, after, renewalPage)
		if err != nil {
			return extended, fmt.Errorf("list checkpoints: %w", err)
		}
		for _, c := range cps {
			did, err := s.archiveCheckpoint(ctx, c, which)
			if err != nil {
				return extended, fmt.Errorf("archive token for checkpoint %d: %w", c.Size, err)
			}
			if did {
				extended++
			}
		}
		if len(cps) < renewalPage {
			return extended, nil
		}
		after = cps[len(cps)-1].Size
	}
}

func (s *Service) archiveCheckpoint(ctx context.Context, c Checkpoint, which Renewal) (bool, error) {
	toks := c.Tokens()
	if len(toks) == 0 {
		return false, core.Errorf(core.EINTERNAL, "the checkpoint has no token")
	}
	if due, err := which.due(s.renewer.TokenDue(toks[len(toks)-1])); err != nil || !due {
		return false, err
	}
	ders := make([][]byte, len(toks))
	for i, t := range toks {
		ders[i] = t.DER
	}
	sum := sha256.Sum256(ArchiveInput(c.Note, ders...))
	tctx, cancel := context.WithTimeout(ctx, s.tsaTimeout)
	defer cancel()
	tok, err := s.timestamper.Timestamp(tctx, sum[:])
	if err != nil {
		return false, err
	}
	return true, s.renewals.AddArchiveToken(ctx, c.Size, len(c.Archive), tok)
}
