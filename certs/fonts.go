package certs

import (
	"embed"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
	"golang.org/x/text/encoding/charmap"
)

//go:generate go run ./fonts/gen.go

// fontFS holds DejaVu (fonts-dejavu-core, licence in fonts/LICENSE): the full
// TrueType faces for the Unicode path, and their Windows-1252 cuts for the
// fast path (built by fonts/gen.go).
//
//go:embed fonts/*.ttf fonts/*.json fonts/*.z
var fontFS embed.FS

// Families used by the layout.
const (
	sans = "dejavu"
	mono = "dejavumono"
)

type face struct {
	family, style, file string
}

var faces = []face{
	{sans, "", "DejaVuSans"},
	{sans, "B", "DejaVuSans-Bold"},
	{mono, "", "DejaVuSansMono"},
}

// loadedFace is one face ready for fpdf, read from fontFS once.
type loadedFace struct {
	face
	ttf, json, z []byte
}

var loadedFaces = mustLoadFaces()

func mustLoadFaces() []loadedFace {
	out := make([]loadedFace, len(faces))
	for i, f := range faces {
		out[i] = loadedFace{face: f, ttf: mustRead(f.file + ".ttf"),
			json: mustRead(f.file + "-cp1252.json"), z: mustRead(f.file + "-cp1252.z")}
	}
	return out
}

func mustRead(name string) []byte {
	b, err := fontFS.ReadFile("fonts/" + name)
	if err != nil {
		panic("certs: embedded font missing: " + err.Error())
	}
	return b
}

// addFonts registers the three faces with pdf. fpdf re-parses a Unicode
// TrueType font for every document and then serialises its 65,536-entry
// width table, several milliseconds per face. The Windows-1252 definitions
// are pre-parsed metrics plus a pre-compressed, pre-cut font program: adding
// them costs microseconds. The price is that they only address 1252's 218
// characters, enough for French and English typography (é, œ, «», €, ’, …)
// but not for every name a sender may type; see encoder.
func addFonts(pdf *fpdf.Fpdf, unicode bool) {
	for _, f := range loadedFaces {
		if unicode {
			pdf.AddUTF8FontFromBytes(f.family, f.style, f.ttf)
		} else {
			pdf.AddFontFromBytes(f.family, f.style, f.json, f.z)
		}
	}
}

// encoder turns clean UTF-8 into what the current fonts expect: unchanged
// for the Unicode fonts, Windows-1252 bytes for the fast ones. A character
// 1252 lacks sets missed, and the renderer starts again with Unicode fonts.
type encoder struct {
	unicode bool
	missed  bool
}

func (e *encoder) enc(s string) string {
	if e.unicode {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		c, ok := charmap.Windows1252.EncodeRune(r)
		if !ok {
			e.missed = true
			c = '?'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// clean makes sender-written text safe to lay out: control characters
// (newlines, tabs, escapes) become spaces so that a value cannot fake a line
// of the certificate; format characters (bidirectional overrides, zero-width
// joiners, soft hyphens) go, so that nothing reorders or hides what is
// printed; characters outside the Basic Multilingual Plane, which fpdf cannot
// encode, become U+FFFD.
func clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\ufffd")
	}
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r) || unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r):
			return ' '
		case unicode.Is(unicode.Cf, r):
			return -1
		case r > 0xffff:
			return '\ufffd'
		}
		return r
	}, s)
}
