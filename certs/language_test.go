package certs_test

import (
	"strings"
	"testing"

	"github.com/lre-project/lre/certs"
)

// TestNoOtherLanguage renders every kind of certificate in French and in
// English and reads it with pdftotext: no sentence or label of the other
// language's wording may appear (those the two languages share, like
// "Type", and the short ones that are words of both, are left out).
func TestNoOtherLanguage(t *testing.T) {
	r := certs.NewRenderer(nil, nil)
	for _, lang := range []string{"fr", "en"} {
		other := "en"
		if lang == "en" {
			other = "fr"
		}
		foreign := foreignWording(certs.Wording(other), certs.Wording(lang))
		for _, kind := range kinds {
			t.Run(string(kind)+"/"+lang, func(t *testing.T) {
				pdf, err := r.RenderUnsigned(certificate(t, kind, lang))
				if err != nil {
					t.Fatal(err)
				}
				got := pdfText(t, pdf)
				for _, w := range foreign {
					if strings.Contains(got, w) {
						t.Errorf("the %s certificate shows the %s wording %q", lang, other, w)
					}
				}
			})
		}
	}
}

// foreignWording is the pieces of the other language's wording that this
// language does not also use: each split at its format verbs, collapsed
// like the extracted text, and at least 8 characters long.
func foreignWording(other, own []string) []string {
	mine := map[string]bool{}
	for _, s := range own {
		for _, p := range strings.Split(s, "%") {
			mine[collapse(p)] = true
		}
	}
	var out []string
	for _, s := range other {
		for _, p := range strings.Split(s, "%") {
			p = strings.TrimSpace(collapse(strings.TrimLeft(p, "dsv/")))
			if len(p) >= 8 && !mine[p] && !strings.Contains(p, "  ") {
				out = append(out, p)
			}
		}
	}
	return out
}
