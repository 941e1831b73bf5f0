package rfc3161_test

import (
	"context"
	"math/big"
	"testing"

	"github.com/lre-project/lre/rfc3161"
)

// BenchmarkLocalTimestamp measures what every deposit pays: request, sign,
// and verify with the embedded authority.
func BenchmarkLocalTimestamp(b *testing.B) {
	l := rfc3161.NewLocal(newAuthority(b))
	digest := sum256("deposit")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.Timestamp(ctx, digest); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify measures checking one stored token (an auditor's bundle
// holds one per evidence event).
func BenchmarkVerify(b *testing.B) {
	a := newAuthority(b)
	digest, nonce := sum256("deposit"), big.NewInt(1)
	resp := issue(b, a, digest, nonce)
	roots := a.Roots()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rfc3161.Verify(resp, digest, nonce, roots, nil); err != nil {
			b.Fatal(err)
		}
	}
}
