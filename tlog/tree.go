// Package tlog is lre's transparency log: an RFC 6962 Merkle tree whose
// leaves are the evidence log's records, and the signed checkpoints (C2SP
// tlog-checkpoint) that commit to it.
//
// The tree is kept as the hashes of its complete subtrees, addressed by
// (level, index) as in github.com/transparency-dev/merkle/compact: a leaf is
// level 0, index seq-1. Appending a leaf reads the O(log n) right-border
// nodes and writes the nodes it completes; a root, an inclusion proof or a
// consistency proof for any size reads O(log n) nodes. Where the nodes live
// is the caller's business (storage keeps them in bbolt, in the transaction
// that appends the events), through the NodeReader and NodeWriter interfaces.
package tlog

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// HashSize is the size of every hash of the tree (SHA-256).
const HashSize = sha256.Size

// ErrMissingNode means the node store lacks a node the tree must have: the
// store is corrupt or was written by something else than Append.
var ErrMissingNode = errors.New("tlog: missing tree node")

// NodeReader reads the hash of a complete subtree, nil when absent.
type NodeReader interface {
	Node(level uint, index uint64) ([]byte, error)
}

// NodeWriter stores the hashes Append computes.
type NodeWriter interface {
	NodeReader
	PutNode(level uint, index uint64, hash []byte) error
}

var hasher = rfc6962.DefaultHasher

var factory = compact.RangeFactory{Hash: hasher.HashChildren}

// LeafHash is the Merkle leaf hash of an evidence record: the RFC 6962 leaf
// hash of its 32-byte chain hash, which commits to its sequence number, the
// previous record and the event bytes.
func LeafHash(eventHash []byte) []byte { return hasher.HashLeaf(eventHash) }

// EmptyRoot is the root of the tree of size 0.
func EmptyRoot() []byte { return hasher.EmptyRoot() }

// Append adds the record whose chain hash is eventHash as leaf number size
// (0-based) of a tree that holds size leaves, and stores every node the new
// leaf completes. It returns the new root.
func Append(w NodeWriter, size uint64, eventHash []byte) ([]byte, error) {
	b, err := LoadBuilder(w, size)
	if err != nil {
		return nil, err
	}
	if err := b.AppendTo(w, eventHash); err != nil {
		return nil, err
	}
	return b.Root()
}

// Root returns the root hash of the tree's first size leaves.
func Root(r NodeReader, size uint64) ([]byte, error) {
	rng, err := rangeOf(r, size)
	if err != nil {
		return nil, err
	}
	return rootOf(rng)
}

func rootOf(r *compact.Range) ([]byte, error) {
	if r.End() == 0 {
		return EmptyRoot(), nil
	}
	root, err := r.GetRootHash(nil)
	if err != nil {
		return nil, fmt.Errorf("tlog root: %w", err)
	}
	return root, nil
}

// rangeOf loads the compact range [0, size): the perfect subtrees along the
// tree's right border.
func rangeOf(r NodeReader, size uint64) (*compact.Range, error) {
	ids := compact.RangeNodes(0, size, nil)
	hashes, err := nodes(r, ids)
	if err != nil {
		return nil, err
	}
	rng, err := factory.NewRange(0, size, hashes)
	if err != nil {
		return nil, fmt.Errorf("tlog: %w", err)
	}
	return rng, nil
}

func nodes(r NodeReader, ids []compact.NodeID) ([][]byte, error) {
	out := make([][]byte, len(ids))
	for i, id := range ids {
		h, err := r.Node(id.Level, id.Index)
		if err != nil {
			return nil, fmt.Errorf("tlog: read node (%d, %d): %w", id.Level, id.Index, err)
		}
		if len(h) != HashSize {
			return nil, fmt.Errorf("%w: (%d, %d)", ErrMissingNode, id.Level, id.Index)
		}
		out[i] = bytes.Clone(h)
	}
	return out, nil
}

// InclusionProof returns the audit path of leaf index in the tree of size
// leaves (RFC 6962 section 2.1.1). It requires index < size.
func InclusionProof(r NodeReader, index, size uint64) ([][]byte, error) {
	if index >= size {
		return nil, fmt.Errorf("tlog: leaf %d is not in a tree of %d leaves", index, size)
	}
	n, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, fmt.Errorf("tlog: %w", err)
	}
	return rehash(r, n)
}

// ConsistencyProof returns the proof that the tree of size1 leaves is a
// prefix of the tree of size2 leaves (RFC 6962 section 2.1.2). It requires
// size1 <= size2.
func ConsistencyProof(r NodeReader, size1, size2 uint64) ([][]byte, error) {
	if size1 > size2 {
		return nil, fmt.Errorf("tlog: consistency from %d to %d: sizes out of order", size1, size2)
	}
	n, err := proof.Consistency(size1, size2)
	if err != nil {
		return nil, fmt.Errorf("tlog: %w", err)
	}
	return rehash(r, n)
}

func rehash(r NodeReader, n proof.Nodes) ([][]byte, error) {
	hashes, err := nodes(r, n.IDs)
	if err != nil {
		return nil, err
	}
	p, err := n.Rehash(hashes, hasher.HashChildren)
	if err != nil {
		return nil, fmt.Errorf("tlog: %w", err)
	}
	return p, nil
}

// VerifyInclusion checks that the record with chain hash eventHash is leaf
// index of the tree of size leaves whose root is root.
func VerifyInclusion(index, size uint64, eventHash []byte, path [][]byte, root []byte) error {
	if len(eventHash) != HashSize {
		return fmt.Errorf("tlog: leaf data is %d bytes, want %d", len(eventHash), HashSize)
	}
	if index >= size {
		return fmt.Errorf("tlog: leaf %d is not in a tree of %d leaves", index, size)
	}
	return proof.VerifyInclusion(hasher, index, size, LeafHash(eventHash), path, root)
}

// VerifyConsistency checks that the tree (size1, root1) is a prefix of the
// tree (size2, root2).
func VerifyConsistency(size1, size2 uint64, path [][]byte, root1, root2 []byte) error {
	if size1 > size2 {
		return fmt.Errorf("tlog: consistency from %d to %d: sizes out of order", size1, size2)
	}
	return proof.VerifyConsistency(hasher, size1, size2, path, root1, root2)
}

// Builder recomputes a tree leaf by leaf in O(log n) memory, reporting every
// node it completes so that a verifier can compare them with stored ones.
type Builder struct {
	r *compact.Range
}

// NewBuilder starts an empty tree.
func NewBuilder() *Builder { return &Builder{r: factory.NewEmptyRange(0)} }

// LoadBuilder continues the stored tree of size leaves: it reads the
// O(log n) nodes of its right border once, so that a transaction appending
// many leaves does not read them again for each.
func LoadBuilder(r NodeReader, size uint64) (*Builder, error) {
	rng, err := rangeOf(r, size)
	if err != nil {
		return nil, err
	}
	return &Builder{r: rng}, nil
}

// AppendTo appends the next leaf and stores every node it completes in w.
func (b *Builder) AppendTo(w NodeWriter, eventHash []byte) error {
	var putErr error
	err := b.Append(eventHash, func(level uint, index uint64, hash []byte) {
		if putErr == nil {
			putErr = w.PutNode(level, index, hash)
		}
	})
	if err == nil {
		err = putErr
	}
	if err != nil {
		return fmt.Errorf("tlog append: %w", err)
	}
	return nil
}

// Append adds the record whose chain hash is eventHash as the next leaf and
// calls visit (when not nil) with each node it completes, the leaf first.
func (b *Builder) Append(eventHash []byte, visit func(level uint, index uint64, hash []byte)) error {
	if len(eventHash) != HashSize {
		return fmt.Errorf("tlog: leaf data is %d bytes, want %d", len(eventHash), HashSize)
	}
	var fn compact.VisitFn
	if visit != nil {
		fn = func(id compact.NodeID, hash []byte) { visit(id.Level, id.Index, hash) }
	}
	return b.r.Append(LeafHash(eventHash), fn)
}

// Size returns the number of leaves appended.
func (b *Builder) Size() uint64 { return b.r.End() }

// Root returns the root hash of the tree built so far.
func (b *Builder) Root() ([]byte, error) { return rootOf(b.r) }
