// Package pdftext writes any text into a go-pdf/fpdf document without
// failing: names and other free text in any script, emoji included.
//
// fpdf draws a UTF-8 font's text as it is given, character by character:
// it does not order right-to-left text, join Arabic letters or fall back to
// another font, and it stops with an error on a character beyond the Basic
// Multilingual Plane (an emoji). Doc draws through prepare, which does
// these (see there), in DejaVu Sans with Droid Sans Fallback for Chinese,
// Japanese and Korean; a character neither font has is drawn as
// Substitute, while the PDF's text, as readers extract, search and copy
// it, keeps the character.
package pdftext

import (
	"fmt"
	"strings"
	"unicode/utf16"

	"codeberg.org/go-pdf/fpdf"
	"github.com/go-text/typesetting/segmenter"
)

// Doc draws text on an fpdf document in the package's fonts. Its
// CellFormat and MultiCell stand in for fpdf's: those draw a string in one
// font and measure it with that font's widths, while a line here may be
// drawn in pieces of several fonts, some marked with an ActualText.
type Doc struct {
	pdf          *fpdf.Fpdf
	bold         bool
	size         float64
	haveFallback bool
}

// New registers the fonts with pdf (Droid Sans Fallback only once some
// text needs it) and returns a Doc drawing on it.
func New(pdf *fpdf.Fpdf) *Doc {
	pdf.AddUTF8FontFromBytes(primaryFamily, "", regularTTF)
	pdf.AddUTF8FontFromBytes(primaryFamily, "B", boldTTF)
	return &Doc{pdf: pdf, size: 10}
}

// SetFont sets the style ("" or "B" for bold) and the size in points of
// the text drawn next.
func (d *Doc) SetFont(style string, size float64) {
	d.bold, d.size = strings.Contains(strings.ToUpper(style), "B"), size
	d.use(primary)
}

func (d *Doc) use(f face) {
	if f == fallback {
		if !d.haveFallback {
			d.pdf.AddUTF8FontFromBytes(fallbackFamily, "", fallbackTTF)
			d.haveFallback = true
		}
		d.pdf.SetFont(fallbackFamily, "", d.size)
		return
	}
	style := ""
	if d.bold {
		style = "B"
	}
	d.pdf.SetFont(primaryFamily, style, d.size)
}

// width is the width of pieces in the current size, in user units.
func (d *Doc) width(pieces []piece) float64 {
	w := 0.0
	for _, p := range pieces {
		d.use(p.font)
		w += d.pdf.GetStringWidth(p.text)
	}
	d.use(primary)
	return w
}

// Width is the width s takes on one line, in user units.
func (d *Doc) Width(s string) float64 {
	return d.width(prepare(s, d.bold, auto))
}

// CellFormat draws s on one line in a cell, like fpdf's CellFormat: w
// (0: to the right margin) and h are the cell's size, border is "", "1"
// or any of "LTRB", ln is where the position goes after (0 right, 1 the
// next line's start, 2 below), align is "L", "C" or "R". Line breaks in s
// are drawn as spaces.
func (d *Doc) CellFormat(w, h float64, s, border string, ln int, align string, fill bool) {
	d.cell(w, h, prepare(s, d.bold, auto), border, ln, align, fill)
}

func (d *Doc) cell(w, h float64, pieces []piece, border string, ln int, align string, fill bool) {
	pdf := d.pdf
	left, _, right, _ := pdf.GetMargins()
	pageW, _ := pdf.GetPageSize()
	if w == 0 {
		w = pageW - right - pdf.GetX()
	}
	// The cell itself (border, fill, and a page break if it does not
	// fit); then the pieces inside it, at its final position.
	pdf.CellFormat(w, h, "", border, 0, "", fill, 0, "")
	x, y := pdf.GetX()-w, pdf.GetY()
	textW := d.width(pieces)
	margin := pdf.GetCellMargin()
	at := x + margin
	switch {
	case strings.Contains(align, "R"):
		at = x + w - margin - textW
	case strings.Contains(align, "C"):
		at = x + (w-textW)/2
	}
	// A cell of several pieces is one marked-content sequence, so that a
	// reader of the content stream can tell one cell's pieces from the
	// next cell.
	if len(pieces) > 1 {
		pdf.RawWriteStr("/Span BMC")
	}
	// The baseline where fpdf's CellFormat puts it.
	_, fontSize := pdf.GetFontSize()
	baseline := y + .5*h + .3*fontSize
	for _, p := range pieces {
		d.use(p.font)
		if p.actual != "" {
			pdf.RawWriteStr("/Span <</ActualText " + textString(p.actual) + ">> BDC")
		}
		pdf.Text(at, baseline, p.text)
		if p.actual != "" {
			pdf.RawWriteStr("EMC")
		}
		at += pdf.GetStringWidth(p.text)
	}
	if len(pieces) > 1 {
		pdf.RawWriteStr("EMC")
	}
	d.use(primary)
	switch ln {
	case 1:
		pdf.SetXY(left, y+h)
	case 2:
		pdf.SetXY(x, y+h)
	default:
		pdf.SetXY(x+w, y)
	}
}

// MultiCell draws s in lines of width w (0: to the right margin), like
// fpdf's MultiCell: lines break at spaces, or between characters where a
// word is longer than a line (as Chinese and Japanese are written), and at
// line breaks in s. border is "", "1" or any of "LTRB" around the whole
// block. Afterwards the position is at the left margin below the block.
func (d *Doc) MultiCell(w, h float64, s, border, align string, fill bool) {
	pdf := d.pdf
	left, _, right, _ := pdf.GetMargins()
	pageW, _ := pdf.GetPageSize()
	if w == 0 {
		w = pageW - right - pdf.GetX()
	}
	avail := w - 2*pdf.GetCellMargin()
	var lines [][]piece
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		// The paragraph's direction holds for each of its lines.
		dir := ltr
		if firstStrongRTL([]rune(para)) {
			dir = rtl
		}
		for _, line := range d.wrap(para, avail, dir) {
			lines = append(lines, prepare(line, d.bold, dir))
		}
	}
	border = strings.ToUpper(border)
	if border == "1" {
		border = "LTRB"
	}
	x := pdf.GetX()
	for i, line := range lines {
		b := ""
		for _, side := range "LR" {
			if strings.ContainsRune(border, side) {
				b += string(side)
			}
		}
		if i == 0 && strings.Contains(border, "T") {
			b += "T"
		}
		if i == len(lines)-1 && strings.Contains(border, "B") {
			b += "B"
		}
		pdf.SetX(x)
		d.cell(w, h, line, b, 2, align, fill)
	}
	pdf.SetX(left)
}

// wrap breaks one paragraph into lines no wider than avail.
func (d *Doc) wrap(para string, avail float64, dir direction) []string {
	fits := func(s string) bool { return d.width(prepare(s, d.bold, dir)) <= avail }
	if fits(para) {
		return []string{para}
	}
	var lines []string
	line := ""
	for _, word := range strings.Split(para, " ") {
		candidate := word
		if line != "" {
			candidate = line + " " + word
		}
		if fits(candidate) {
			line = candidate
			continue
		}
		if line != "" {
			lines = append(lines, line)
			line = ""
		}
		// A word wider than a line is broken between characters
		// (grapheme clusters: a letter stays with its marks).
		for _, c := range graphemes(word) {
			if line != "" && !fits(line+c) {
				lines = append(lines, line)
				line = ""
			}
			line += c
		}
	}
	return append(lines, line)
}

func graphemes(s string) []string {
	var seg segmenter.Segmenter
	seg.Init([]rune(s))
	var out []string
	for it := seg.GraphemeIterator(); it.Next(); {
		out = append(out, string(it.Grapheme().Text))
	}
	return out
}

// Fit shortens s with "..." until it takes at most width on one line.
func (d *Doc) Fit(s string, width float64) string {
	if d.Width(s) <= width {
		return s
	}
	// The longest start of s that fits with the ellipsis, by bisection:
	// a text as long as a note would take a measure per character.
	g := graphemes(s)
	lo, hi := 1, len(g) // g[:lo] is kept even if it does not fit
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if d.Width(strings.Join(g[:mid], "")+"...") <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return strings.Join(g[:lo], "") + "..."
}

// Metadata is s as fpdf can write it in the document's information
// (title, author): valid UTF-8, with characters beyond the Basic
// Multilingual Plane, which fpdf's encoder mangles, as U+FFFD.
func Metadata(s string) string {
	return strings.Map(func(r rune) rune {
		if r > 0xFFFF {
			return '\ufffd'
		}
		return r
	}, strings.ToValidUTF8(s, "\ufffd"))
}

// textString writes s as a PDF text string: UTF-16BE with a byte order
// mark, in hexadecimal.
func textString(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}
