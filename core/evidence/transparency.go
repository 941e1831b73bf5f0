package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/tlog"
)

// TreeHead is the size of the transparency log (the number of evidence
// records, leaf i being the record of seq i+1) and the RFC 6962 root hash of
// that tree.
type TreeHead struct {
	Size uint64
	Root []byte
}

// InclusionProof shows that the record of sequence Index+1, whose Merkle leaf
// hash is LeafHash, is in the tree of Size leaves (RFC 6962 audit path).
type InclusionProof struct {
	Index    uint64
	Size     uint64
	LeafHash []byte
	Hashes   [][]byte
}

// ConsistencyProof shows that the tree of From leaves is a prefix of the
// tree of To leaves (RFC 6962 section 2.1.2).
type ConsistencyProof struct {
	From   uint64
	To     uint64
	Hashes [][]byte
}

// Checkpoint is a published, signed commitment to the tree of Size leaves:
// Note is the signed note (c2sp.org/tlog-checkpoint) and Token an RFC 3161
// token over SHA-256(Note), which dates it independently of the provider.
// Archive holds the tokens renewal added later, oldest first, each over
// ArchiveInput of the note and every token before it.
type Checkpoint struct {
	Size        uint64       `json:"size"`
	Root        []byte       `json:"root"`
	Note        []byte       `json:"note"`
	Token       *core.Token  `json:"token"`
	Archive     []core.Token `json:"archive,omitempty"`
	PublishedAt time.Time    `json:"published_at"`
}

// LogTree reads the Merkle tree that the store keeps over the evidence log,
// updated in the transaction that appends each record.
type LogTree interface {
	TreeHead(ctx context.Context) (TreeHead, error)
	// InclusionProof returns ENOTFOUND when size exceeds the tree or index
	// is not below size.
	InclusionProof(ctx context.Context, index, size uint64) (InclusionProof, error)
	// ConsistencyProof returns ENOTFOUND when to exceeds the tree or from
	// exceeds to.
	ConsistencyProof(ctx context.Context, from, to uint64) (ConsistencyProof, error)
}

// CheckpointStore keeps every published checkpoint, keyed by size.
type CheckpointStore interface {
	// PutCheckpoint stores c unless one of the same size exists, and
	// returns the stored one: the first publication of a size wins.
	PutCheckpoint(ctx context.Context, c Checkpoint) (Checkpoint, error)
	// LatestCheckpoint returns ENOTFOUND before the first publication.
	LatestCheckpoint(ctx context.Context) (Checkpoint, error)
}

// CheckpointReader finds published checkpoints.
type CheckpointReader interface {
	// Checkpoint returns the checkpoint of exactly size, ENOTFOUND if none.
	Checkpoint(ctx context.Context, size uint64) (Checkpoint, error)
	// CheckpointCovering returns the smallest checkpoint whose size is at
	// least size, ENOTFOUND if none is that large yet.
	CheckpointCovering(ctx context.Context, size uint64) (Checkpoint, error)
}

// TransparencyStore is what the transparency log needs from persistence.
type TransparencyStore interface {
	LogTree
	CheckpointStore
	CheckpointReader
}

var _ CheckpointSigner = (*tlog.Signer)(nil)

// CheckpointSigner signs checkpoints with the log's key.
type CheckpointSigner interface {
	// SignCheckpoint returns the signed note committing to (size, root).
	SignCheckpoint(size uint64, root []byte) ([]byte, error)
	// VerifierKey returns the note verifier key auditors open notes with.
	VerifierKey() string
}

// transparency is the Service's transparency log, nil when not configured.
type transparency struct {
	store  TransparencyStore
	signer CheckpointSigner
	mu     sync.Mutex // one publication at a time
}

// WithTransparencyLog publishes signed checkpoints of store's tree with
// signer. Without it the log endpoints answer EUNAVAILABLE.
func WithTransparencyLog(store TransparencyStore, signer CheckpointSigner) Option {
	return func(s *Service) { s.tlog = &transparency{store: store, signer: signer} }
}

func (s *Service) transparencyLog() (*transparency, error) {
	if s.tlog == nil {
		return nil, core.Errorf(core.EUNAVAILABLE, "the transparency log is not configured on this server")
	}
	return s.tlog, nil
}

// PublishCheckpoint signs and time-stamps a checkpoint of the current tree
// unless the latest one already covers every record; it returns the latest
// checkpoint and whether it is new. Before signing it checks that the tree
// extends the previous checkpoint, so the log never signs a fork of itself.
// Errors: ENOTFOUND while the log is empty, EUNAVAILABLE when the log is not
// configured or no authority answered, EINTERNAL when the tree does not
// extend the previous checkpoint (the store was tampered with).
func (s *Service) PublishCheckpoint(ctx context.Context) (Checkpoint, bool, error) {
	t, err := s.transparencyLog()
	if err != nil {
		return Checkpoint{}, false, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	head, err := t.store.TreeHead(ctx)
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("publish checkpoint: %w", err)
	}
	latest, err := t.store.LatestCheckpoint(ctx)
	switch {
	case err == nil && latest.Size == head.Size:
		return latest, false, nil
	case err == nil:
		if err := s.extends(ctx, t, latest, head); err != nil {
			return Checkpoint{}, false, err
		}
	case core.ErrorCode(err) != core.ENOTFOUND:
		return Checkpoint{}, false, fmt.Errorf("publish checkpoint: %w", err)
	}
	if head.Size == 0 {
		return Checkpoint{}, false, core.Errorf(core.ENOTFOUND, "the evidence log is empty: no checkpoint to publish")
	}
	c, err := s.signCheckpoint(ctx, t, head)
	if err != nil {
		return Checkpoint{}, false, err
	}
	stored, err := t.store.PutCheckpoint(ctx, c)
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("publish checkpoint: %w", err)
	}
	return stored, true, nil
}

// extends checks that head's tree has latest's as a prefix, with a proof
// computed from the stored nodes and the root signed back then.
func (s *Service) extends(ctx context.Context, t *transparency, latest Checkpoint, head TreeHead) error {
	if head.Size < latest.Size {
		return core.Errorf(core.EINTERNAL, "the tree holds %d records, fewer than checkpoint %d", head.Size, latest.Size)
	}
	p, err := t.store.ConsistencyProof(ctx, latest.Size, head.Size)
	if err != nil {
		return fmt.Errorf("publish checkpoint: %w", err)
	}
	if err := tlog.VerifyConsistency(latest.Size, head.Size, p.Hashes, latest.Root, head.Root); err != nil {
		s.log.Error("transparency log does not extend its last checkpoint: refusing to sign", "checkpoint", latest.Size, "size", head.Size, "err", err)
		return &core.Error{Code: core.EINTERNAL, Message: "the evidence log does not extend its last checkpoint", Err: err}
	}
	return nil
}

func (s *Service) signCheckpoint(ctx context.Context, t *transparency, head TreeHead) (Checkpoint, error) {
	signed, err := t.signer.SignCheckpoint(head.Size, head.Root)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("publish checkpoint: %w", err)
	}
	if s.timestamper == nil {
		return Checkpoint{}, core.Errorf(core.EUNAVAILABLE, "no timestamp authority configured")
	}
	sum := sha256.Sum256(signed)
	tctx, cancel := context.WithTimeout(ctx, s.tsaTimeout)
	defer cancel()
	tok, err := s.timestamper.Timestamp(tctx, sum[:])
	if err != nil {
		return Checkpoint{}, fmt.Errorf("time-stamp checkpoint %d: %w", head.Size, err)
	}
	return Checkpoint{Size: head.Size, Root: head.Root, Note: signed, Token: &tok, PublishedAt: s.clock()}, nil
}

// RunCheckpoints publishes a checkpoint every interval when new records
// exist, until ctx ends. Failures are logged and retried at the next tick.
func (s *Service) RunCheckpoints(ctx context.Context, every time.Duration) {
	if s.tlog == nil {
		return
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if _, _, err := s.PublishCheckpoint(ctx); err != nil && core.ErrorCode(err) != core.ENOTFOUND && ctx.Err() == nil {
			s.log.Error("checkpoint publication failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// LatestCheckpoint returns the newest published checkpoint. Errors:
// ENOTFOUND before the first one, EUNAVAILABLE when not configured.
func (s *Service) LatestCheckpoint(ctx context.Context) (Checkpoint, error) {
	t, err := s.transparencyLog()
	if err != nil {
		return Checkpoint{}, err
	}
	return t.store.LatestCheckpoint(ctx)
}

// CheckpointAt returns the checkpoint published at size. Errors: ENOTFOUND,
// EUNAVAILABLE.
func (s *Service) CheckpointAt(ctx context.Context, size uint64) (Checkpoint, error) {
	t, err := s.transparencyLog()
	if err != nil {
		return Checkpoint{}, err
	}
	return t.store.Checkpoint(ctx, size)
}

// LogKey returns the note verifier key of the log. Errors: EUNAVAILABLE.
func (s *Service) LogKey() (string, error) {
	t, err := s.transparencyLog()
	if err != nil {
		return "", err
	}
	return t.signer.VerifierKey(), nil
}

// LogInclusionProof proves that the record of sequence seq is in the tree of
// size records. Errors: EINVALID (Field "seq" or "size") for seq 0 or size
// below seq, ENOTFOUND when size exceeds the log, EUNAVAILABLE.
func (s *Service) LogInclusionProof(ctx context.Context, seq, size uint64) (InclusionProof, error) {
	t, err := s.transparencyLog()
	if err != nil {
		return InclusionProof{}, err
	}
	switch {
	case seq == 0:
		return InclusionProof{}, core.FieldError(core.EINVALID, "seq", "seq starts at 1")
	case size < seq:
		return InclusionProof{}, core.FieldError(core.EINVALID, "size", "size must be at least seq (%d)", seq)
	}
	return t.store.InclusionProof(ctx, seq-1, size)
}

// LogConsistencyProof proves that the tree of from records is a prefix of
// the tree of to records. Errors: EINVALID (Field "from") when from exceeds
// to, ENOTFOUND when to exceeds the log, EUNAVAILABLE.
func (s *Service) LogConsistencyProof(ctx context.Context, from, to uint64) (ConsistencyProof, error) {
	t, err := s.transparencyLog()
	if err != nil {
		return ConsistencyProof{}, err
	}
	if from > to {
		return ConsistencyProof{}, core.FieldError(core.EINVALID, "from", "from (%d) must not exceed to (%d)", from, to)
	}
	return t.store.ConsistencyProof(ctx, from, to)
}

// HexList encodes proof hashes as hex strings, never null.
func HexList(hashes [][]byte) []string {
	out := make([]string, 0, len(hashes))
	for _, h := range hashes {
		out = append(out, hex.EncodeToString(h))
	}
	return out
}
