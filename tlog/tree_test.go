package tlog_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/lre-project/lre/tlog"
)

// memNodes is an in-memory node store.
type memNodes map[[2]uint64][]byte

func (m memNodes) Node(level uint, index uint64) ([]byte, error) {
	return m[[2]uint64{uint64(level), index}], nil
}

func (m memNodes) PutNode(level uint, index uint64, hash []byte) error {
	m[[2]uint64{uint64(level), index}] = hash
	return nil
}

// eventHash stands for the chain hash of record i of log "variant".
func eventHash(variant string, i uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], i)
	h := sha256.Sum256(append([]byte(variant), b[:]...))
	return h[:]
}

func buildTree(t testing.TB, variant string, size uint64) memNodes {
	t.Helper()
	m := memNodes{}
	for i := range size {
		if _, err := tlog.Append(m, i, eventHash(variant, i)); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	return m
}

// refRoot is RFC 6962's MTH, written from the RFC's recursive definition,
// independently of the compact-range code under test.
func refRoot(leaves [][]byte) []byte {
	switch len(leaves) {
	case 0:
		h := sha256.Sum256(nil)
		return h[:]
	case 1:
		h := sha256.Sum256(append([]byte{0}, leaves[0]...))
		return h[:]
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	h := sha256.Sum256(append(append([]byte{1}, refRoot(leaves[:k])...), refRoot(leaves[k:])...))
	return h[:]
}

func TestRootMatchesRFC6962(t *testing.T) {
	const n = 300
	m := buildTree(t, "a", n)
	var leaves [][]byte
	for size := uint64(0); size <= n; size++ {
		got, err := tlog.Root(m, size)
		if err != nil {
			t.Fatalf("root %d: %v", size, err)
		}
		if want := refRoot(leaves); !bytes.Equal(got, want) {
			t.Fatalf("root of %d leaves = %x, RFC 6962 says %x", size, got, want)
		}
		leaves = append(leaves, eventHash("a", size))
	}
}

func TestAppendReturnsRoot(t *testing.T) {
	m := memNodes{}
	b := tlog.NewBuilder()
	for i := range uint64(100) {
		got, err := tlog.Append(m, i, eventHash("a", i))
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Append(eventHash("a", i), nil); err != nil {
			t.Fatal(err)
		}
		want, _ := b.Root()
		if !bytes.Equal(got, want) || b.Size() != i+1 {
			t.Fatalf("after %d leaves: Append root %x, Builder root %x", i+1, got, want)
		}
	}
}

func TestInclusionEverySizeTo300(t *testing.T) {
	const n = 300
	m := buildTree(t, "a", n)
	for size := uint64(1); size <= n; size++ {
		root, _ := tlog.Root(m, size)
		for index := range size {
			p, err := tlog.InclusionProof(m, index, size)
			if err != nil {
				t.Fatalf("proof %d/%d: %v", index, size, err)
			}
			if err := tlog.VerifyInclusion(index, size, eventHash("a", index), p, root); err != nil {
				t.Fatalf("proof %d/%d rejected: %v", index, size, err)
			}
		}
	}
}

func TestConsistencyEveryPairTo300(t *testing.T) {
	const n = 300
	m := buildTree(t, "a", n)
	roots := make([][]byte, n+1)
	for size := range roots {
		roots[size], _ = tlog.Root(m, uint64(size))
	}
	for s2 := uint64(1); s2 <= n; s2++ {
		for s1 := uint64(0); s1 <= s2; s1++ {
			p, err := tlog.ConsistencyProof(m, s1, s2)
			if err != nil {
				t.Fatalf("proof %d->%d: %v", s1, s2, err)
			}
			if err := tlog.VerifyConsistency(s1, s2, p, roots[s1], roots[s2]); err != nil {
				t.Fatalf("proof %d->%d rejected: %v", s1, s2, err)
			}
		}
	}
}

func TestRandomLargeTrees(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const n = 20000
	m := buildTree(t, "big", n)
	for range 200 {
		size := 1 + r.Uint64N(n)
		index := r.Uint64N(size)
		root, _ := tlog.Root(m, size)
		p, err := tlog.InclusionProof(m, index, size)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.VerifyInclusion(index, size, eventHash("big", index), p, root); err != nil {
			t.Fatalf("inclusion %d/%d: %v", index, size, err)
		}
		s1 := r.Uint64N(size + 1)
		root1, _ := tlog.Root(m, s1)
		c, err := tlog.ConsistencyProof(m, s1, size)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.VerifyConsistency(s1, size, c, root1, root); err != nil {
			t.Fatalf("consistency %d->%d: %v", s1, size, err)
		}
	}
}

func flip(p [][]byte, i, bit int) [][]byte {
	out := make([][]byte, len(p))
	for j := range p {
		out[j] = bytes.Clone(p[j])
	}
	out[i][bit/8] ^= 1 << (bit % 8)
	return out
}

func TestBrokenInclusionProofsRejected(t *testing.T) {
	m := buildTree(t, "a", 300)
	const index, size = 137, 291
	root, _ := tlog.Root(m, size)
	p, _ := tlog.InclusionProof(m, index, size)
	leaf := eventHash("a", index)
	otherRoot, _ := tlog.Root(m, size-1)
	cases := []struct {
		name        string
		index, size uint64
		leaf        []byte
		proof       [][]byte
		root        []byte
	}{
		{"wrong index", index + 1, size, leaf, p, root},
		{"larger size", index, 1024, leaf, p, root},
		{"smaller size", index, index + 1, leaf, p, root},
		{"index beyond size", size, size, leaf, p, root},
		{"truncated", index, size, leaf, p[:len(p)-1], root},
		{"empty", index, size, leaf, nil, root},
		{"extended", index, size, leaf, append(p, p[0]), root},
		{"other leaf", index, size, eventHash("a", index+1), p, root},
		{"short leaf", index, size, leaf[:31], p, root},
		{"other root", index, size, leaf, p, otherRoot},
		{"short hash", index, size, leaf, append([][]byte{p[0][:31]}, p[1:]...), root},
	}
	for i := range p {
		for _, bit := range []int{0, 7, 100, 255} {
			cases = append(cases, struct {
				name        string
				index, size uint64
				leaf        []byte
				proof       [][]byte
				root        []byte
			}{fmt.Sprintf("bit %d of hash %d", bit, i), index, size, leaf, flip(p, i, bit), root})
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := tlog.VerifyInclusion(c.index, c.size, c.leaf, c.proof, c.root); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestBrokenConsistencyProofsRejected(t *testing.T) {
	m := buildTree(t, "a", 300)
	const s1, s2 = 100, 277
	r1, _ := tlog.Root(m, s1)
	r2, _ := tlog.Root(m, s2)
	p, _ := tlog.ConsistencyProof(m, s1, s2)
	type tc struct {
		name   string
		s1, s2 uint64
		proof  [][]byte
		r1, r2 []byte
	}
	cases := []tc{
		{"wrong from", s1 + 1, s2, p, r1, r2},
		{"wrong to", s1, 256, p, r1, r2},
		{"other new root", s1, s2, p, r1, r1},
		{"reversed", s2, s1, p, r2, r1},
		{"truncated", s1, s2, p[:len(p)-1], r1, r2},
		{"empty", s1, s2, nil, r1, r2},
		{"extended", s1, s2, append(p, p[0]), r1, r2},
		{"other old root", s1, s2, p, r2, r2},
	}
	for i := range p {
		cases = append(cases, tc{fmt.Sprintf("bit flip in hash %d", i), s1, s2, flip(p, i, 42), r1, r2})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := tlog.VerifyConsistency(c.s1, c.s2, c.proof, c.r1, c.r2); err == nil {
				t.Error("accepted")
			}
		})
	}
}

// A log rebuilt with one different record, or with a record removed and the
// rest re-appended, cannot prove that it extends a checkpoint of the
// original log.
func TestRewrittenLogFailsConsistency(t *testing.T) {
	const saved = 120
	orig := buildTree(t, "a", saved)
	savedRoot, _ := tlog.Root(orig, saved)

	rewrites := map[string]func(i uint64) []byte{
		"one record changed": func(i uint64) []byte {
			if i == 57 {
				return eventHash("evil", i)
			}
			return eventHash("a", i)
		},
		"one record removed": func(i uint64) []byte {
			if i >= 57 {
				return eventHash("a", i+1)
			}
			return eventHash("a", i)
		},
	}
	for name, leaf := range rewrites {
		t.Run(name, func(t *testing.T) {
			m := memNodes{}
			for i := range uint64(200) {
				if _, err := tlog.Append(m, i, leaf(i)); err != nil {
					t.Fatal(err)
				}
			}
			root, _ := tlog.Root(m, 200)
			p, err := tlog.ConsistencyProof(m, saved, 200)
			if err != nil {
				t.Fatal(err)
			}
			if err := tlog.VerifyConsistency(saved, 200, p, savedRoot, root); err == nil {
				t.Fatal("a rewritten log proved consistency with the saved checkpoint")
			}
		})
	}
}

func TestProofErrors(t *testing.T) {
	m := buildTree(t, "a", 10)
	if _, err := tlog.InclusionProof(m, 10, 10); err == nil {
		t.Error("inclusion proof of a leaf beyond the tree")
	}
	if _, err := tlog.ConsistencyProof(m, 5, 4); err == nil {
		t.Error("consistency proof with sizes out of order")
	}
	if _, err := tlog.Root(memNodes{}, 3); err == nil {
		t.Error("root over missing nodes")
	}
	if _, err := tlog.Append(m, 10, []byte("short")); err == nil {
		t.Error("appended a leaf that is not 32 bytes")
	}
}

func BenchmarkInclusionProof(b *testing.B) {
	const n = 1 << 16
	m := buildTree(b, "bench", n)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := tlog.InclusionProof(m, uint64(i*7919)%n, n); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppend(b *testing.B) {
	m := memNodes{}
	var i uint64
	for b.Loop() {
		if _, err := tlog.Append(m, i, eventHash("bench", i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
