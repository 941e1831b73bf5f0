package certs_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/core"
)

// TestDeterministic: the unsigned document is a function of the certificate
// alone, whichever renderer makes it, and sealing only appends to it.
func TestDeterministic(t *testing.T) {
	for _, kind := range kinds {
		t.Run(string(kind), func(t *testing.T) {
			c := certificate(t, kind, "fr")
			a, err := certs.NewRenderer(testSeal(t), nil).RenderUnsigned(c)
			if err != nil {
				t.Fatal(err)
			}
			b, err := certs.NewRenderer(nil, nil, certs.WithoutQRCache()).RenderUnsigned(certificate(t, kind, "fr"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Fatal("two renderings differ")
			}
			signed, err := certs.NewRenderer(testSeal(t), nil).Render(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(signed, a) {
				t.Fatal("the sealed document does not start with the unsigned one")
			}
		})
	}
}

// TestGolden compares pdftotext's reading of each unsigned certificate with
// testdata/certs/golden; -update rewrites the files.
func TestGolden(t *testing.T) {
	r := certs.NewRenderer(nil, nil)
	for _, kind := range kinds {
		for _, lang := range []string{"fr", "en"} {
			t.Run(string(kind)+"/"+lang, func(t *testing.T) {
				t.Parallel()
				pdf, err := r.RenderUnsigned(certificate(t, kind, lang))
				if err != nil {
					t.Fatal(err)
				}
				got := run(t, "pdftotext", "-layout", "-enc", "UTF-8", writeTemp(t, pdf), "-")
				path := filepath.Join(fixtures, "golden", string(kind)+"-"+lang+".txt")
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				// Compared with whitespace collapsed: poppler versions lay out
				// the columns with different spacing.
				if collapse(got) != collapse(string(want)) {
					t.Errorf("pdftotext differs from %s (run with -update after checking):\n%s", path, got)
				}
			})
		}
	}
}

// TestUnicodeFonts: forcing the Unicode fonts changes the file, not the
// text.
func TestUnicodeFonts(t *testing.T) {
	c := certificate(t, core.CertNotification, "fr")
	fast, err := certs.NewRenderer(nil, nil).RenderUnsigned(c)
	if err != nil {
		t.Fatal(err)
	}
	uni, err := certs.NewRenderer(nil, nil, certs.WithUnicodeFonts()).RenderUnsigned(c)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(fast, uni) {
		t.Fatal("WithUnicodeFonts had no effect")
	}
	if a, b := pdfText(t, fast), pdfText(t, uni); a != b {
		t.Errorf("texts differ:\n%s\n---\n%s", a, b)
	}
}
