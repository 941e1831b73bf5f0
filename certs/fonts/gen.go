//go:build ignore

// gen.go builds the single-byte (Windows-1252) font definitions that the
// fast rendering path uses, from the DejaVu TrueType files beside it:
//
//	cd certs && go generate
//
// Each face is first cut to the glyphs Windows-1252 can address, so that a
// certificate embeds about 30 KB per face instead of the whole font, then
// converted by fpdf.MakeFont into a JSON metrics file and a zlib-compressed
// font program (.z). Rerun it whenever a .ttf here changes.
package main

import (
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/go-pdf/fpdf"
	"golang.org/x/text/encoding/charmap"
)

var faces = []string{"DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono"}

func main() {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/go-pdf/fpdf").Output()
	if err != nil {
		log.Fatalf("locate fpdf: %v", err)
	}
	encoding := filepath.Join(strings.TrimSpace(string(out)), "font", "cp1252.map")
	tmp, err := os.MkdirTemp("", "certs-fonts")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	for _, face := range faces {
		full, err := os.ReadFile(filepath.Join("fonts", face+".ttf"))
		if err != nil {
			log.Fatal(err)
		}
		// The .z file takes the name of the cut font: keep it distinct from
		// the full .ttf so that both can sit in fonts/.
		cut := filepath.Join(tmp, face+"-cp1252.ttf")
		if err := os.WriteFile(cut, fpdf.UTF8CutFont(full, cp1252Runes()), 0o644); err != nil {
			log.Fatal(err)
		}
		if err := fpdf.MakeFont(cut, encoding, "fonts", nil, true); err != nil {
			log.Fatalf("%s: %v", face, err)
		}
	}
}

// cp1252Runes lists every printable character Windows-1252 encodes.
func cp1252Runes() string {
	var b strings.Builder
	for c := 0x20; c < 0x100; c++ {
		if r := charmap.Windows1252.DecodeByte(byte(c)); r != '\ufffd' && r != 0x7f {
			b.WriteRune(r)
		}
	}
	return b.String()
}
