package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/storage/kv"
	"github.com/lre-project/lre/tlog"
)

// keyTreeSize in bktMeta holds the number of leaves of the transparency
// tree (8 bytes, big-endian); it equals the log head's sequence number.
var keyTreeSize = []byte("tlog_size")

var _ evidence.TransparencyStore = (*DB)(nil)

// treeNodes exposes the tree to tlog. Leaves are not stored: leaf i
// is the RFC 6962 leaf hash of record i+1's chain hash, read from the log.
// Inner nodes live in bktTreeNodes under level (1 byte) then index (8
// bytes, big-endian).
type treeNodes struct{ tx kv.Tx }

var _ tlog.NodeWriter = treeNodes{}

func nodeKey(level uint, index uint64) []byte {
	k := make([]byte, 9)
	k[0] = byte(level)
	binary.BigEndian.PutUint64(k[1:], index)
	return k
}

func (n treeNodes) Node(level uint, index uint64) ([]byte, error) {
	if level == 0 {
		rec := n.tx.Bucket(bktEvents).Get(seqKey(index + 1))
		if len(rec) < 2*hashLen {
			return nil, nil
		}
		return tlog.LeafHash(rec[hashLen : 2*hashLen]), nil
	}
	return n.tx.Bucket(bktTreeNodes).Get(nodeKey(level, index)), nil
}

func (n treeNodes) PutNode(level uint, index uint64, hash []byte) error {
	if level == 0 {
		return nil
	}
	return n.tx.Bucket(bktTreeNodes).Put(nodeKey(level, index), clone(hash))
}

func treeSize(tx kv.Tx) uint64 {
	if v := tx.Bucket(bktMeta).Get(keyTreeSize); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// treeAppender adds the records of one transaction to the tree, loading
// its right border once. A tree behind the log (a data dir from before the
// transparency log) first catches up from the records.
type treeAppender struct {
	tx    kv.Tx
	nodes treeNodes
	b     *tlog.Builder
}

func openTree(tx kv.Tx) (*treeAppender, error) {
	if err := catchUpTree(tx, logSize(tx)); err != nil {
		return nil, err
	}
	nodes := treeNodes{tx}
	b, err := tlog.LoadBuilder(nodes, treeSize(tx))
	if err != nil {
		return nil, err
	}
	return &treeAppender{tx: tx, nodes: nodes, b: b}, nil
}

// append adds record seq, whose chain hash is hash, as leaf seq-1.
func (t *treeAppender) append(seq uint64, hash []byte) error {
	if t.b.Size() != seq-1 {
		return fmt.Errorf("transparency log holds %d leaves, cannot append record %d", t.b.Size(), seq)
	}
	if err := t.b.AppendTo(t.nodes, hash); err != nil {
		return err
	}
	return t.tx.Bucket(bktMeta).Put(keyTreeSize, seqKey(seq))
}

// catchUpTree appends the records after the tree's size, up to upTo.
func catchUpTree(tx kv.Tx, upTo uint64) error {
	size := treeSize(tx)
	if size >= upTo {
		return nil
	}
	nodes := treeNodes{tx}
	b, err := tlog.LoadBuilder(nodes, size)
	if err != nil {
		return err
	}
	for ; size < upTo; size++ {
		rec := tx.Bucket(bktEvents).Get(seqKey(size + 1))
		if len(rec) < 2*hashLen {
			return fmt.Errorf("transparency log catch-up: record %d missing", size+1)
		}
		if err := b.AppendTo(nodes, rec[hashLen:2*hashLen]); err != nil {
			return err
		}
	}
	return tx.Bucket(bktMeta).Put(keyTreeSize, seqKey(size))
}

// catchUpIndexes brings the transparency tree and the listing index up to
// date with a data dir written before they existed. It is cheap when they
// are: two reads.
func catchUpIndexes(tx kv.Tx) error {
	if err := catchUpTree(tx, logSize(tx)); err != nil {
		return err
	}
	return catchUpNoticeIndex(tx)
}

// logSize is the sequence number of the log head.
func logSize(tx kv.Tx) uint64 {
	if h := tx.Bucket(bktMeta).Get(keyHead); len(h) >= 8 {
		return binary.BigEndian.Uint64(h[:8])
	}
	return 0
}

// TreeHead returns the tree's size and root.
func (db *DB) TreeHead(ctx context.Context) (evidence.TreeHead, error) {
	var th evidence.TreeHead
	err := db.kv.View(func(tx kv.Tx) error {
		th.Size = treeSize(tx)
		root, err := tlog.Root(treeNodes{tx}, th.Size)
		th.Root = root
		return err
	})
	return th, err
}

// InclusionProof returns the audit path of leaf index in the tree of size.
func (db *DB) InclusionProof(ctx context.Context, index, size uint64) (evidence.InclusionProof, error) {
	p := evidence.InclusionProof{Index: index, Size: size}
	err := db.kv.View(func(tx kv.Tx) error {
		if n := treeSize(tx); size > n || index >= size {
			return core.Errorf(core.ENOTFOUND, "no record %d in a tree of %d records (the log holds %d)", index+1, size, n)
		}
		nodes := treeNodes{tx}
		leaf, _ := nodes.Node(0, index)
		p.LeafHash = clone(leaf)
		var err error
		p.Hashes, err = tlog.InclusionProof(nodes, index, size)
		return err
	})
	return p, err
}

// ConsistencyProof returns the proof that tree from is a prefix of tree to.
func (db *DB) ConsistencyProof(ctx context.Context, from, to uint64) (evidence.ConsistencyProof, error) {
	p := evidence.ConsistencyProof{From: from, To: to}
	err := db.kv.View(func(tx kv.Tx) error {
		if n := treeSize(tx); to > n || from > to {
			return core.Errorf(core.ENOTFOUND, "no consistency proof from %d to %d records (the log holds %d)", from, to, n)
		}
		var err error
		p.Hashes, err = tlog.ConsistencyProof(treeNodes{tx}, from, to)
		return err
	})
	return p, err
}

// PutCheckpoint stores c unless a checkpoint of its size exists, and returns
// the stored one.
func (db *DB) PutCheckpoint(ctx context.Context, c evidence.Checkpoint) (evidence.Checkpoint, error) {
	out := c
	err := db.kv.Update(func(tx kv.Tx) error {
		b := tx.Bucket(bktCheckpoints)
		if v := b.Get(seqKey(c.Size)); v != nil {
			var err error
			out, err = decodeCheckpoint(v)
			return err
		}
		if c.Size > treeSize(tx) {
			return fmt.Errorf("save checkpoint: size %d beyond the tree", c.Size)
		}
		v, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("encode checkpoint: %w", err)
		}
		return b.Put(seqKey(c.Size), v)
	})
	return out, err
}

// LatestCheckpoint returns the largest checkpoint.
func (db *DB) LatestCheckpoint(ctx context.Context) (evidence.Checkpoint, error) {
	return db.findCheckpoint(func(c kv.Cursor) ([]byte, []byte) { return c.Last() }, core.Errorf(core.ENOTFOUND, "no checkpoint published yet"))
}

// Checkpoint returns the checkpoint of exactly size.
func (db *DB) Checkpoint(ctx context.Context, size uint64) (evidence.Checkpoint, error) {
	return db.findCheckpoint(func(c kv.Cursor) ([]byte, []byte) {
		k, v := c.Seek(seqKey(size))
		if !bytes.Equal(k, seqKey(size)) {
			return nil, nil
		}
		return k, v
	}, core.Errorf(core.ENOTFOUND, "no checkpoint of size %d", size))
}

// CheckpointCovering returns the smallest checkpoint of at least size.
func (db *DB) CheckpointCovering(ctx context.Context, size uint64) (evidence.Checkpoint, error) {
	return db.findCheckpoint(func(c kv.Cursor) ([]byte, []byte) { return c.Seek(seqKey(size)) },
		core.Errorf(core.ENOTFOUND, "no checkpoint covers %d records yet", size))
}

func (db *DB) findCheckpoint(find func(kv.Cursor) ([]byte, []byte), missing *core.Error) (evidence.Checkpoint, error) {
	var out evidence.Checkpoint
	err := db.kv.View(func(tx kv.Tx) error {
		_, v := find(tx.Bucket(bktCheckpoints).Cursor())
		if v == nil {
			return missing
		}
		var err error
		out, err = decodeCheckpoint(v)
		return err
	})
	return out, err
}

func decodeCheckpoint(v []byte) (evidence.Checkpoint, error) {
	var c evidence.Checkpoint
	if err := json.Unmarshal(v, &c); err != nil {
		return evidence.Checkpoint{}, fmt.Errorf("decode checkpoint: %w", err)
	}
	return c, nil
}

// VerifyCheckpoints calls open on every stored checkpoint's note, in size
// order, and checks that the size and root it returns (from the signed text)
// are the stored ones. open verifies the signature; storage knows no key.
// It returns how many checkpoints were checked.
func (db *DB) VerifyCheckpoints(ctx context.Context, open func(note []byte) (uint64, []byte, error)) (int, error) {
	var n int
	err := db.kv.View(func(tx kv.Tx) error {
		return tx.Bucket(bktCheckpoints).ForEach(func(k, v []byte) error {
			c, err := decodeCheckpoint(v)
			if err != nil {
				return err
			}
			size, root, err := open(c.Note)
			if err != nil {
				return fmt.Errorf("checkpoint %d: %w", seqOf(k), err)
			}
			if size != seqOf(k) || size != c.Size || !bytes.Equal(root, c.Root) {
				return fmt.Errorf("checkpoint %d: the signed note says size %d and another root than the one stored", seqOf(k), size)
			}
			n++
			return ctx.Err()
		})
	})
	return n, err
}

// treeCheck recomputes the transparency tree while VerifyLog reads the
// records, and compares every node with the stored one and every stored
// checkpoint with the root of its size.
type treeCheck struct {
	b     *tlog.Builder
	nodes storedNodes
	cps   kv.Cursor
	cpKey []byte
	cpVal []byte
	// unbuilt: no tree and no checkpoint stored, nothing to compare
	unbuilt bool
}

// newTreeCheck starts a check; a read-only data dir whose tree was never
// built (written before the transparency log, not reopened since) has only
// its records to check.
func newTreeCheck(tx kv.Tx) *treeCheck {
	t := &treeCheck{b: tlog.NewBuilder(), nodes: storedNodes{b: tx.Bucket(bktTreeNodes)}, cps: tx.Bucket(bktCheckpoints).Cursor()}
	t.cpKey, t.cpVal = t.cps.First()
	t.unbuilt = treeSize(tx) == 0 && t.cpKey == nil
	return t
}

func (t *treeCheck) add(seq uint64, hash []byte) error {
	var bad error
	err := t.b.Append(hash, func(level uint, index uint64, h []byte) {
		// A leaf is not stored: it is the leaf hash of the record the
		// chain check just passed (seq = index+1), the one hashed here.
		if level == 0 || bad != nil || t.unbuilt {
			return
		}
		if !bytes.Equal(t.nodes.node(level, index), h) {
			bad = &core.ChainError{Seq: seq, Reason: fmt.Sprintf("transparency log node (level %d, index %d) does not match the records", level, index)}
		}
	})
	if err != nil {
		return &core.ChainError{Seq: seq, Reason: "transparency log: " + err.Error()}
	}
	if bad != nil {
		return bad
	}
	for t.cpKey != nil && seqOf(t.cpKey) == t.b.Size() {
		if err := t.checkpoint(); err != nil {
			return err
		}
		t.cpKey, t.cpVal = t.cps.Next()
	}
	return nil
}

// checkpoint compares the checkpoint under the cursor, its stored root and
// the root in its signed text, with the recomputed root.
func (t *treeCheck) checkpoint() error {
	size := seqOf(t.cpKey)
	fail := func(reason string) error {
		return &core.ChainError{Seq: size, Reason: fmt.Sprintf("checkpoint of size %d: %s", size, reason)}
	}
	c, err := decodeCheckpoint(t.cpVal)
	if err != nil {
		return fail(err.Error())
	}
	text, err := tlog.NoteText(c.Note)
	if err != nil {
		return fail(err.Error())
	}
	signed, err := tlog.ParseCheckpoint(text)
	if err != nil {
		return fail(err.Error())
	}
	root, err := t.b.Root()
	if err != nil {
		return fail(err.Error())
	}
	if signed.Size != size || !bytes.Equal(signed.Root, root) || !bytes.Equal(c.Root, root) {
		return fail("its root is not the root of the records: the log was rewritten after it was signed")
	}
	return nil
}

// storedNodes reads the inner nodes a treeCheck meets, in its order: at
// each level by increasing index, so a cursor per level steps to the next
// node instead of searching the bucket from its root for every one.
type storedNodes struct {
	b      kv.Bucket
	levels []nodeCursor
}

type nodeCursor struct {
	c    kv.Cursor
	k, v []byte
}

// node returns the stored node (level, index), or nil when there is none.
func (s *storedNodes) node(level uint, index uint64) []byte {
	for uint(len(s.levels)) <= level {
		s.levels = append(s.levels, nodeCursor{})
	}
	nc, key := &s.levels[level], nodeKey(level, index)
	switch {
	case nc.c == nil:
		nc.c = s.b.Cursor()
		nc.k, nc.v = nc.c.Seek(key)
	case nc.k != nil && bytes.Compare(nc.k, key) < 0:
		if nc.k, nc.v = nc.c.Next(); nc.k != nil && bytes.Compare(nc.k, key) < 0 {
			nc.k, nc.v = nc.c.Seek(key)
		}
	}
	if bytes.Equal(nc.k, key) {
		return nc.v
	}
	return nil
}

// finish checks the stored tree size and that no checkpoint is larger than
// the log (records removed after it was signed).
func (t *treeCheck) finish(tx kv.Tx) error {
	if n := treeSize(tx); n != t.b.Size() && !t.unbuilt {
		return &core.ChainError{Seq: t.b.Size(), Reason: fmt.Sprintf("transparency log says %d leaves, the log holds %d records", n, t.b.Size())}
	}
	if t.cpKey != nil {
		return &core.ChainError{Seq: seqOf(t.cpKey), Reason: fmt.Sprintf("checkpoint of size %d is beyond the log's %d records: records were removed", seqOf(t.cpKey), t.b.Size())}
	}
	return nil
}
