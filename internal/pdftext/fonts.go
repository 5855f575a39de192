package pdftext

import (
	"bytes"
	_ "embed"
	"sync"

	"github.com/go-text/typesetting/font"
)

// DejaVu Sans (Bitstream Vera licence, fonts/LICENSE-DejaVu) sets the
// text: Latin, Greek, Cyrillic, Hebrew, Arabic with its presentation forms,
// and the substitute box. fpdf puts only the glyphs used into a PDF.
var (
	//go:embed fonts/DejaVuSans.ttf
	regularTTF []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	boldTTF []byte
)

// Droid Sans Fallback (Apache 2.0, fonts/LICENSE-DroidSansFallback, 3.4 MB)
// draws the Chinese, Japanese and Korean characters DejaVu lacks. It has no
// bold; bold text in these scripts is drawn regular. A PDF embeds it only
// when some text needs it.
//
//go:embed fonts/DroidSansFallback.ttf
var fallbackTTF []byte

// face is a font a piece of text is drawn in.
type face uint8

const (
	primary  face = iota // DejaVu Sans, regular or bold as the text is
	fallback             // Droid Sans Fallback
)

// The fonts' families as registered with fpdf.
const (
	primaryFamily  = "DejaVu"
	fallbackFamily = "DroidSansFallback"
)

// parsedFont is a font parsed once per process: its character map tells
// which characters it draws, and, for the primary fonts, which character
// draws each glyph the Arabic and Hebrew shaping picks.
type parsedFont struct {
	face *font.Face
	// chars maps a glyph to the lowest character the font draws with it.
	chars map[font.GID]rune
}

func parse(ttf []byte) func() *parsedFont {
	return sync.OnceValue(func() *parsedFont {
		f, err := font.ParseTTF(bytes.NewReader(ttf))
		if err != nil {
			// The fonts are embedded and tested; a broken one is a
			// broken build.
			panic("pdftext: embedded font: " + err.Error())
		}
		p := &parsedFont{face: f, chars: map[font.GID]rune{}}
		it := f.Cmap.Iter()
		for it.Next() {
			r, g := it.Char()
			if old, ok := p.chars[g]; !ok || r < old {
				p.chars[g] = r
			}
		}
		return p
	})
}

var (
	parsedRegular  = parse(regularTTF)
	parsedBold     = parse(boldTTF)
	parsedFallback = parse(fallbackTTF)
)

func primaryFont(bold bool) *parsedFont {
	if bold {
		return parsedBold()
	}
	return parsedRegular()
}

// has reports whether f draws r. fpdf writes text as 16-bit codes, so
// characters beyond the Basic Multilingual Plane never count as drawn.
func (f *parsedFont) has(r rune) bool {
	if r > 0xFFFF {
		return false
	}
	g, ok := f.face.NominalGlyph(r)
	return ok && g != 0
}
