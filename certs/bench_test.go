package certs_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/core"
)

// BenchmarkRenderNaive renders the straightforward way: fpdf's Unicode font
// path, which re-parses each TrueType face for every document, and a QR code
// encoded for every certificate.
func BenchmarkRenderNaive(b *testing.B) {
	benchRender(b, certs.NewRenderer(testSeal(b), nil, certs.WithUnicodeFonts(), certs.WithoutQRCache()), false)
}

// BenchmarkRender renders with pre-parsed Windows-1252 fonts, the path of
// every certificate whose text fits that character set, and the QR code
// cache, as when a letter's certificates are fetched again.
func BenchmarkRender(b *testing.B) {
	benchRender(b, certs.NewRenderer(testSeal(b), nil), false)
}

// BenchmarkRenderNewLetter is BenchmarkRender with a QR code to encode for
// every certificate: a stream of first renderings of distinct letters.
func BenchmarkRenderNewLetter(b *testing.B) {
	benchRender(b, certs.NewRenderer(testSeal(b), nil), true)
}

func benchRender(b *testing.B, r *certs.Renderer, newURL bool) {
	c := certificate(b, core.CertReceipt, "fr")
	url := c.VerifyURL
	ctx := context.Background()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if newURL {
			n++
			c.VerifyURL = url + "?n=" + strconv.Itoa(n)
		}
		if _, err := r.Render(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
}
