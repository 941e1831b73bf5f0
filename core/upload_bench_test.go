package core_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/lre-project/lre/core"
)

// BenchmarkReadUpload reads one attachment as the multipart intake does,
// hashing it on the way. B/op against SetBytes shows how many times the
// intake allocates a letter's size: once is the floor, since the content
// is kept for the deposit transaction.
func BenchmarkReadUpload(b *testing.B) {
	for _, size := range []int{100_000, 5_000_000} {
		b.Run(fmt.Sprintf("size=%d", size), func(b *testing.B) {
			data := bytes.Repeat([]byte("lettre recommandée "), size/20+1)[:size]
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				u, err := core.ReadUpload("a.pdf", "application/pdf", bytes.NewReader(data), core.DefaultLimits.MaxTotalBytes)
				if err != nil || u.Size != int64(size) {
					b.Fatalf("ReadUpload: %d bytes, %v", u.Size, err)
				}
			}
		})
	}
}
