package pdftext

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"codeberg.org/go-pdf/fpdf"

	"github.com/trainpay/trainpay/app/receipt/receipttest"
)

// hostile is text a name or note field may hold.
var hostile = []string{
	"Zoë 😀",
	"😀",
	"\xff\xfeinvalid UTF-8\xe2",
	"\u0301 a mark with no letter",
	"\u202eright-to-left override\u202c and \u2067שרה\u2069 isolated",
	"nul\x00 and bell\a",
	"मनोज कुमार (Devanagari, which no font here has)",
	"สมชาย ใจดี",
	"مُحَمَّد بْنُ عَبْدِ اللّٰه",
	"שָׁלוֹם עֲלֵיכֶם",
	"\u200d\u200c\ufe0f",
	"👨‍👩‍👧‍👦🏳️‍🌈🇵🇱",
	"𠀋𠀌𠀍 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
	strings.Repeat("王秀英山田さくら김민준", 40),
	strings.Repeat("Zoë שרה محمد 12 ", 60),
}

// pieceFontsHaveTheirCharacters checks what fpdf is given: characters of
// the Basic Multilingual Plane that the piece's font draws.
func pieceFontsHaveTheirCharacters(t testing.TB, in string, bold bool) {
	t.Helper()
	for _, p := range prepare(in, bold, auto) {
		f := primaryFont(bold)
		if p.font == fallback {
			f = parsedFallback()
		}
		for _, r := range p.text {
			if !f.has(r) {
				t.Fatalf("prepare(%q) draws %U in font %d, which lacks it", in, r, p.font)
			}
		}
	}
}

// writeAll draws s in every way Doc draws and writes the PDF.
func writeAll(s string) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(false)
	d := New(pdf)
	pdf.AddPage()
	for _, style := range []string{"", "B"} {
		d.SetFont(style, 10)
		d.CellFormat(0, 6, s, "1", 1, "L", false)
		d.CellFormat(60, 6, d.Fit(s, 58), "", 1, "R", true)
		d.MultiCell(80, 5, s, "1", "C", false)
	}
	var buf bytes.Buffer
	err := pdf.Output(&buf)
	return buf.Bytes(), err
}

// No text makes the document fail, and fpdf is only ever given characters
// its font has.
func TestDocWritesAnyText(t *testing.T) {
	for _, s := range hostile {
		pieceFontsHaveTheirCharacters(t, s, false)
		pieceFontsHaveTheirCharacters(t, s, true)
		if _, err := writeAll(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
}

func FuzzDocWritesAnyText(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pieceFontsHaveTheirCharacters(t, s, false)
		if _, err := writeAll(s); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
	})
}

// MultiCell breaks text no line can hold: at spaces, and between the
// characters of a long word or of Chinese, which has no spaces; every line
// fits the cell and nothing is lost.
func TestMultiCellWrapsWithinTheCell(t *testing.T) {
	for _, s := range []string{
		strings.Repeat("王秀英山田さくら", 12),
		"Zoë " + strings.Repeat("Łukasz", 30) + " Ærøskøbing",
		strings.Repeat("שרה כהן ", 20),
	} {
		pdf := fpdf.New("P", "mm", "A4", "")
		pdf.SetCompression(false)
		d := New(pdf)
		pdf.AddPage()
		d.SetFont("", 10)
		y := pdf.GetY()
		d.MultiCell(50, 5, s, "", "L", false)
		var buf bytes.Buffer
		if err := pdf.Output(&buf); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(receipttest.Text(buf.Bytes()), "\n")
		if len(lines) < 2 || pdf.GetY() != y+5*float64(len(lines)) {
			t.Fatalf("%q in %d lines, %.1f mm down", s, len(lines), pdf.GetY()-y)
		}
		words := 0
		for _, l := range lines {
			if w := d.Width(l); w > 50-2*pdf.GetCellMargin()+1e-9 {
				t.Errorf("line %q is %.1f mm wide", l, w)
			}
			words += len(strings.Fields(l))
		}
		if !strings.ContainsRune(s, 'ש') && strings.Join(lines, "") != strings.ReplaceAll(s, " ", "") &&
			strings.Join(lines, " ") != s {
			t.Errorf("lines %q do not make %q", lines, s)
		}
		if strings.ContainsRune(s, 'ש') && words != len(strings.Fields(s)) {
			t.Errorf("lines %q lost words of %q", lines, s)
		}
	}
}

// Receipts may be written from several goroutines at once.
func TestPrepareFromManyGoroutines(t *testing.T) {
	want := drawn(prepare("محمد عبد الله 😀 王", true, auto))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if got := drawn(prepare("محمد عبد الله 😀 王", true, auto)); got != want {
					t.Errorf("got %q, want %q", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

// Fit keeps the longest start of the text that fits with an ellipsis.
func TestFitShortensToTheWidth(t *testing.T) {
	pdf := fpdf.New("P", "mm", "A4", "")
	d := New(pdf)
	d.SetFont("", 9)
	for _, s := range []string{strings.Repeat("Zażółć gęślą jaźń ", 10), strings.Repeat("הדרכה מתקדמת ", 10), strings.Repeat("王秀英😀", 30)} {
		got := d.Fit(s, 60)
		kept := strings.TrimSuffix(got, "...")
		if !strings.HasPrefix(s, kept) || kept == got || d.Width(got) > 60 {
			t.Fatalf("Fit(%q) = %q, %.1f mm", s, got, d.Width(got))
		}
		if longer := s[:len(kept)+len(graphemes(s[len(kept):])[0])]; d.Width(longer+"...") <= 60 {
			t.Errorf("Fit(%q) = %q, but %q fits", s, got, longer)
		}
	}
	if got := d.Fit("Zoë", 60); got != "Zoë" {
		t.Errorf("Fit shortened %q", got)
	}
}
