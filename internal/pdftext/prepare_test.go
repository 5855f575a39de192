package pdftext

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// drawn is what a line's pieces draw, left to right, with the font of each
// piece in brackets when it is the fallback and the ActualText after a
// substitute.
func drawn(pieces []piece) string {
	var b strings.Builder
	for _, p := range pieces {
		switch {
		case p.font == fallback:
			b.WriteString("[" + p.text + "]")
		case p.text == string(Substitute):
			b.WriteString("{" + p.actual + "}")
		default:
			b.WriteString(p.text)
		}
	}
	return b.String()
}

// Each line is drawn in visual order, in a font that has its characters,
// or as a substitute that keeps the character as its text.
func TestPrepareDrawsAnyTextInVisualOrder(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"latin with diacritics", "Zoë Łukasz Ærøskøbing", "Zoë Łukasz Ærøskøbing"},
		{"decomposed accent composed", "Zoe\u0308", "Zoë"},
		{"greek", "Ελένη Παπαδοπούλου", "Ελένη Παπαδοπούλου"},
		{"cyrillic", "Анастасия Щербакова", "Анастасия Щербакова"},
		{"emoji", "Zoë 😀", "Zoë {😀}"},
		{"emoji sequences are one substitute each", "Ana 👩‍💻🇵🇱👍🏽", "Ana {👩‍💻}{🇵🇱}{👍🏽}"},
		{"beyond the basic plane", "𠀋x", "{𠀋}x"},
		{"chinese in the fallback font", "王秀英", "[王秀英]"},
		{"japanese", "山田 さくら", "[山田] [さくら]"},
		{"korean", "김민준", "[김민준]"},
		{"hebrew reversed", "שרה כהן", "ןהכ הרש"},
		{"latin then hebrew", "Dr. Anna שרה כהן", "Dr. Anna ןהכ הרש"},
		{"hebrew then latin", "שרה Smith-Cohen", "Smith-Cohen הרש"},
		{"digits inside hebrew", "חדר 12 קומה 3", "3 המוק 12 רדח"},
		{"hebrew and its number in a latin line", "Room חדר 12, floor 3", "Room 12 רדח, floor 3"},
		{"decimal number inside hebrew in a latin line", "Price מחיר 12.50 zł", "Price 12.50 ריחמ zł"},
		{"brackets mirror in hebrew", "שרה (כהן)", "(ןהכ) הרש"},
		{"bidi controls dropped", "a\u200eb\u202b", "ab"},
		{"controls become spaces", "a\tb\nc", "a b c"},
		{"empty", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := drawn(prepare(c.in, false, auto)); got != c.want {
				t.Errorf("prepare(%q) draws %q, want %q", c.in, got, c.want)
			}
		})
	}
}

// Arabic letters take their joined forms (DejaVu's presentation forms), in
// visual order; each joined letter keeps the letter it is as its text.
func TestPrepareJoinsArabic(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		// meem initial, hah medial, meem medial, dal final: drawn from the left.
		{"muhammad", "محمد", "\ufeaa\ufee4\ufea4\ufee3"},
		// lam-alef is one ligature glyph.
		{"lam-alef", "لا", "\ufefb"},
		// alef, then lam initial, lam medial, heh final.
		{"allah", "الله", "\ufeea\ufee0\ufedf\u0627"},
		// peh initial, reh final (Persian, Presentation Forms-A).
		{"persian peh", "پر", "\ufeae\ufb58"},
		// digits stay left-to-right inside Arabic; sheen initial, alef
		// final, and reh and ain alone, since alef and reh join no letter
		// after them.
		{"number in arabic", "شارع 45", "45 \u0639\u0631\ufe8e\ufeb7"},
		{"bold", "محمد", "\ufeaa\ufee4\ufea4\ufee3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			pieces := prepare(c.in, c.name == "bold", auto)
			var text, actual []rune
			for _, p := range pieces {
				text = append(text, []rune(p.text)...)
				if p.actual != "" {
					actual = append([]rune(p.actual), actual...)
				} else {
					actual = append([]rune(p.text), actual...)
				}
			}
			if string(text) != c.want {
				t.Errorf("prepare(%q) draws %q %U, want %q %U", c.in, string(text), text, c.want, []rune(c.want))
			}
			// Read right to left, the pieces' text is the input again (a
			// ligature's character compatibility-equivalent to it).
			if c.name != "number in arabic" && norm.NFKC.String(string(actual)) != c.in {
				t.Errorf("prepare(%q) says %q", c.in, string(actual))
			}
		})
	}
}
