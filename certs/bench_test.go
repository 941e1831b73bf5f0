package certs_test

import (
	"context"
	"testing"

	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/core"
)

// BenchmarkRenderNaive renders with fpdf's straightforward Unicode font path,
// which re-parses each TrueType face for every document.
func BenchmarkRenderNaive(b *testing.B) {
	benchRender(b, certs.NewRenderer(testSeal(b), nil, certs.WithUnicodeFonts(), certs.WithoutQRCache()))
}

// BenchmarkRender renders with pre-parsed Windows-1252 fonts, the path every
// certificate whose text fits in that character set takes.
func BenchmarkRender(b *testing.B) {
	benchRender(b, certs.NewRenderer(testSeal(b), nil))
}

func benchRender(b *testing.B, r *certs.Renderer) {
	c := certificate(b, core.CertReceipt, "fr")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Render(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
}
