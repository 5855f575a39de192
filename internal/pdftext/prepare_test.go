package pdftext

import (
	"slices"
	"strings"
	"testing"
	"unicode"

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
		// Each mark just before (left of) its letter, where HarfBuzz
		// puts it: dal; fatha and shadda (which DejaVu ligates into a
		// glyph no character draws, so they are drawn one by one), meem;
		// fatha, hah; damma, meem. TestPrepareMarksLandOnTheirLetters
		// checks where they land.
		{"marks", "مُحَمَّد", "\ufeaa\u064e\u0651\ufee4\u064e\ufea4\u064f\ufee3"},
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
			// ligature's character compatibility-equivalent to it); with
			// marks, which follow their letters, the same characters.
			says := norm.NFKC.String(string(actual))
			if strings.ContainsFunc(c.in, func(r rune) bool { return unicode.Is(unicode.Mn, r) }) {
				got, want := []rune(says), []rune(norm.NFC.String(c.in))
				slices.Sort(got)
				slices.Sort(want)
				if string(got) != string(want) {
					t.Errorf("prepare(%q) says %q", c.in, says)
				}
			} else if c.name != "number in arabic" && says != c.in {
				t.Errorf("prepare(%q) says %q", c.in, says)
			}
		})
	}
}

// Each mark (Arabic vowel, Hebrew point) is drawn over the letter it
// belongs to.
func TestPrepareMarksLandOnTheirLetters(t *testing.T) {
	for _, c := range []struct {
		in string
		on map[int]rune // the n-th mark from the left, and the letter (as drawn) it sits on
	}{
		{"مُحَمَّد", map[int]rune{0: '\ufee4', 1: '\ufee4', 2: '\ufea4', 3: '\ufee3'}},
		{"שָׁלוֹם", map[int]rune{0: 'ו', 1: 'ש', 2: 'ש'}},
		// DejaVu draws ayin over a hataf vowel in its alternative form.
		{"עֲלֵיכֶם", map[int]rune{0: 'כ', 1: 'ל', 2: '\ufb20'}},
	} {
		f := primaryFont(false)
		upem := float64(f.face.Upem())
		type span struct {
			r        rune
			from, to float64
		}
		var letters []span
		var marks []span
		pen := 0.0
		for _, p := range prepare(c.in, false, auto) {
			// fpdf draws each character at the pen and moves it by the
			// character's advance width: none for a mark.
			for _, r := range p.text {
				g, _ := f.face.NominalGlyph(r)
				adv := float64(f.face.HorizontalAdvance(g)) / upem
				if unicode.Is(unicode.Mn, r) {
					ext, _ := f.face.GlyphExtents(g)
					centre := pen + (float64(ext.XBearing)+float64(ext.Width)/2)/upem
					marks = append(marks, span{r, centre, centre})
				} else {
					letters = append(letters, span{r, pen, pen + adv})
				}
				pen += adv
			}
		}
		if len(marks) != len(c.on) {
			t.Fatalf("%q: marks %v", c.in, marks)
		}
		for i, m := range marks {
			var on rune
			for _, l := range letters {
				if l.from <= m.from && m.from <= l.to {
					on = l.r
				}
			}
			if on != c.on[i] {
				t.Errorf("%q: mark %U is over %q (%U), want %q", c.in, m.r, on, on, c.on[i])
			}
		}
	}
}

// In right-to-left text HarfBuzz draws each mirrored character (brackets,
// and also < > « » ≤) as its mirror image; the typed character stays its
// ActualText, so that readers extract what was typed.
func TestPrepareMirroredCharactersKeepTheTypedOne(t *testing.T) {
	for _, c := range []struct{ in, drawn, typed string }{
		{"שרה (כהן)", "(", ")"},
		{"שרה <כהן>", "<", ">"},
		{"שרה «כהן»", "«", "»"},
		{"שרה ≤ 5", "≥", "≤"},
	} {
		var found bool
		for _, p := range prepare(c.in, false, auto) {
			if p.text == c.drawn {
				found = true
				if p.actual != c.typed {
					t.Errorf("prepare(%q) draws %q with ActualText %q, want %q", c.in, p.text, p.actual, c.typed)
				}
			}
		}
		if !found {
			t.Errorf("prepare(%q) does not draw %q: %q", c.in, c.drawn, drawn(prepare(c.in, false, auto)))
		}
	}
}
