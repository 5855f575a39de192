package pdftext

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/segmenter"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/bidi"
	"golang.org/x/text/unicode/norm"
)

// Substitute is drawn, in DejaVu Sans, for a character no embedded font
// has (emoji, rare ideographs, scripts like Devanagari): a white square,
// the box a missing glyph looks like, one per user-perceived character.
// The PDF's extractable text keeps the character itself (ActualText).
const Substitute = '\u25a1'

// A piece is a stretch of one line drawn in one font, left to right.
type piece struct {
	text string // the characters to draw, in visual order
	// actual is what the piece says, in logical order, when the drawn
	// characters differ from it (a substitute, Arabic joined forms, a
	// mirrored bracket); the PDF marks it as the piece's ActualText.
	actual string
	font   face
}

// direction is a line's base direction.
type direction uint8

const (
	auto direction = iota // from the first strong character (UAX #9 P2–P3)
	ltr
	rtl
)

// prepare turns one line of text into the pieces to draw, left to right.
// It is the one text pipeline of receipts and reports:
//
//  1. The text is made valid UTF-8 and NFC-normalised (so "e" and a
//     combining diaeresis use DejaVu's "ë"); controls become spaces.
//  2. The Unicode bidirectional algorithm (golang.org/x/text/unicode/bidi)
//     gives each character its embedding level.
//  3. Each grapheme cluster (go-text/typesetting's segmenter: an emoji
//     with its modifiers and joiners, a letter with its marks) is drawn
//     in DejaVu Sans if it has all its characters, else in Droid Sans
//     Fallback if that has them, else as one Substitute.
//  4. Right-to-left stretches in DejaVu are shaped by HarfBuzz
//     (go-text/typesetting/harfbuzz, the shaper Fyne uses): Arabic letters
//     take their joined forms, lam-alef its ligature, brackets mirror. fpdf
//     writes text as characters, not glyph ids, so each glyph HarfBuzz picks
//     is written as the character DejaVu draws it with: the joined forms are
//     DejaVu's Arabic Presentation Forms. Shaping with the font's own
//     tables, rather than a hand-kept table of joining rules, also covers
//     the Persian and Urdu letters and whatever the font ligates.
//  5. Rule L2 of the bidi algorithm puts the clusters in visual order.
func prepare(s string, bold bool, base direction) []piece {
	text := []rune(clean(s))
	if len(text) == 0 {
		return nil
	}
	levels := bidiLevels(text, base)
	var seg segmenter.Segmenter
	seg.Init(text)
	var clusters [][2]int // [start, end) of each grapheme cluster
	for it := seg.GraphemeIterator(); it.Next(); {
		g := it.Grapheme()
		clusters = append(clusters, [2]int{g.Offset, g.Offset + len(g.Text)})
	}
	var units []unit
	for i := 0; i < len(clusters); {
		level := levels[clusters[i][0]]
		j := i + 1
		for j < len(clusters) && levels[clusters[j][0]] == level {
			j++
		}
		units = appendRun(units, text, clusters[i:j], level, bold)
		i = j
	}
	reorder(units)
	return merge(units)
}

// unit is what reordering moves as a whole: a grapheme cluster, or a
// cluster HarfBuzz shaped (its pieces already in visual order).
type unit struct {
	pieces []piece
	level  int8
}

// clean makes s one line of valid, NFC-normalised text.
func clean(s string) string {
	s = norm.NFC.String(strings.ToValidUTF8(s, "\ufffd"))
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// appendRun appends the units of the clusters of one level run.
func appendRun(units []unit, text []rune, clusters [][2]int, level int8, bold bool) []unit {
	for i := 0; i < len(clusters); {
		c := text[clusters[i][0]:clusters[i][1]]
		f, ok := fontFor(c, bold)
		switch {
		case !ok:
			units = append(units, unit{[]piece{{text: string(Substitute), actual: string(c), font: primary}}, level})
			i++
		case f == primary && level%2 == 1:
			// The longest stretch of clusters in DejaVu of one script,
			// shaped together so that letters join across it.
			script := scriptOf(c, language.Common)
			j := i + 1
			for ; j < len(clusters); j++ {
				next := text[clusters[j][0]:clusters[j][1]]
				if nf, ok := fontFor(next, bold); !ok || nf != primary {
					break
				}
				if sc := scriptOf(next, script); sc != script {
					if script != language.Common {
						break
					}
					script = sc
				}
			}
			units = append(units, shapeRTL(text, clusters[i][0], clusters[j-1][1], script, bold, level)...)
			i = j
		default:
			units = append(units, unit{[]piece{{text: drawable(c, f, bold), font: f}}, level})
			i++
		}
	}
	return units
}

// fontFor picks the font that draws every character of cluster c; ok is
// false if none does. Invisible format characters (joiners, variation
// selectors, bidi controls) a font lacks are left out, not substituted.
func fontFor(c []rune, bold bool) (f face, ok bool) {
	if covers(primaryFont(bold), c) {
		return primary, true
	}
	if covers(parsedFallback(), c) {
		return fallback, true
	}
	return primary, false
}

func covers(f *parsedFont, c []rune) bool {
	for _, r := range c {
		if !f.has(r) && !invisible(r) {
			return false
		}
	}
	return true
}

// invisible reports whether r draws nothing by itself: bidi controls (the
// order is worked out already), joiners and other format characters, and
// variation selectors.
func invisible(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Variation_Selector, unicode.Bidi_Control)
}

// drawable is cluster c as font f draws it: without the invisible
// characters f lacks, and without bidi controls.
func drawable(c []rune, f face, bold bool) string {
	pf := parsedFallback()
	if f == primary {
		pf = primaryFont(bold)
	}
	var b strings.Builder
	for _, r := range c {
		if pf.has(r) && !unicode.Is(unicode.Bidi_Control, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// scriptOf is the script of the first letter of c; characters common to
// scripts (spaces, digits, punctuation) and marks keep the script before.
func scriptOf(c []rune, before language.Script) language.Script {
	for _, r := range c {
		if s := language.LookupScript(r); s != language.Common && s != language.Inherited {
			return s
		}
	}
	return before
}

var (
	shaperMu sync.Mutex
	shaper   shaping.HarfbuzzShaper
)

// shapeRTL shapes text[start:end], right-to-left in DejaVu, and returns
// one unit per HarfBuzz cluster, in logical order (as the other units are
// before reordering), each unit's pieces in visual order.
func shapeRTL(text []rune, start, end int, script language.Script, bold bool, level int8) []unit {
	f := primaryFont(bold)
	shaperMu.Lock()
	out := shaper.Shape(shaping.Input{
		Text: text, RunStart: start, RunEnd: end,
		Direction: di.DirectionRTL, Face: f.face, Size: fixed.I(16), Script: script,
	})
	shaperMu.Unlock()
	var units []unit
	for i := 0; i < len(out.Glyphs); {
		g := out.Glyphs[i]
		j := i + 1
		for j < len(out.Glyphs) && out.Glyphs[j].TextIndex() == g.TextIndex() {
			j++
		}
		logical := []rune(drawable(text[g.TextIndex():min(g.TextIndex()+max(g.RunesCount(), 1), end)], primary, bold))
		units = append(units, unit{clusterPieces(out.Glyphs[i:j], logical, f), level})
		i = j
	}
	slices.Reverse(units)
	return units
}

// clusterPieces are the pieces of one shaped cluster: its glyphs, in
// HarfBuzz's (visual) order, written as the characters f draws them with.
//
// Marks (Arabic vowels, Hebrew points) stay where HarfBuzz puts them, just
// before (left of) their letter, and are drawn there with no width; the
// offsets HarfBuzz computes for them are not applied, as fpdf draws strings
// by advance widths. DejaVu's marks are drawn to sit on the glyph that
// follows them (TestPrepareMarksLandOnTheirLetters checks where they
// land), and readers extracting the text keep a mark drawn there with its
// word; a mark drawn at an offset of its own, they take for a word apart.
//
// Each letter in another form than typed (Arabic joined forms, a mirrored
// bracket) gets the typed letter as its ActualText, so that readers
// extract what was typed. Readers put a right-to-left ActualText of
// several characters back in an order of their own (poppler reverses it),
// so a ligature (lam-alef) gets none when it is compatibility-equivalent to
// its letters: readers extract the ligature's character, which search and
// copy-paste equate with them.
//
// A glyph no character draws (DejaVu ligates some pairs of Arabic marks)
// is drawn as the cluster's marks not drawn yet, or failing that its first
// character: marks one by one, or a letter in its isolated form, rather
// than nothing.
func clusterPieces(glyphs []shaping.Glyph, logical []rune, f *parsedFont) []piece {
	char := func(g shaping.Glyph) (rune, bool) {
		r, ok := f.chars[g.GlyphID]
		return r, ok && g.GlyphID != 0
	}
	written := map[rune]bool{}
	for _, g := range glyphs {
		if r, ok := char(g); ok {
			written[r] = true
		}
	}
	var pieces []piece
	var letters []int // indexes in pieces
	add := func(r rune, letter bool) {
		if letter {
			letters = append(letters, len(pieces))
		}
		pieces = append(pieces, piece{text: string(r), font: primary})
	}
	for _, g := range glyphs {
		r, ok := char(g)
		switch {
		case ok && r == ' ' && !slices.Contains(logical, ' '):
			// HarfBuzz hides joiners behind a space glyph of no width;
			// a written space would have one.
		case ok:
			add(r, g.Advance != 0)
		default:
			wrote := false
			for _, m := range logical {
				if unicode.Is(unicode.Mn, m) && !written[m] && f.has(m) {
					add(m, false)
					written[m], wrote = true, true
				}
			}
			if !wrote && len(logical) > 0 && f.has(logical[0]) && !written[logical[0]] {
				add(logical[0], true)
				written[logical[0]] = true
			}
		}
	}

	// The typed letters (not marks) the drawn letters stand for.
	var typed []rune
	for _, r := range logical {
		if !unicode.Is(unicode.Mn, r) {
			typed = append(typed, r)
		}
	}
	var drawn []rune
	for _, i := range letters {
		drawn = append(drawn, []rune(pieces[i].text)...)
	}
	slices.Reverse(drawn) // to logical order
	switch {
	case string(drawn) == string(typed):
	case len(drawn) == len(typed) && standsFor(drawn, typed):
		for k, i := range letters {
			if l := typed[len(typed)-1-k]; pieces[i].text != string(l) {
				pieces[i].actual = string(l)
			}
		}
	case len(letters) > 0 && norm.NFKC.String(string(drawn)) != norm.NFKC.String(string(typed)):
		pieces[letters[0]].actual = string(typed)
	}
	return pieces
}

// standsFor reports whether each drawn character is the typed one, a
// compatibility form of it (an Arabic joined form) or its mirror image (a
// bracket in right-to-left text).
func standsFor(drawn, typed []rune) bool {
	for i, d := range drawn {
		l := typed[i]
		if d != l && norm.NFKC.String(string(d)) != string(l) && bracketMirror(l) != d {
			return false
		}
	}
	return true
}

// bracketMirror is the other bracket of the pair r belongs to
// (BidiBrackets.txt), or r. go-text/typesetting keeps its full
// BidiMirroring table internal since v0.3, so this uses x/text's bidi
// tables, which export the bracket pairs only through ReverseString. Other
// mirrored characters HarfBuzz swaps (< >, « ») are single-letter clusters,
// whose ActualText is the typed letter either way (clusterPieces).
func bracketMirror(r rune) rune {
	m, _ := utf8.DecodeRuneInString(bidi.ReverseString(string(r)))
	return m
}

// bidiLevels gives each character of a line its embedding level.
//
// x/text's bidi resolves the levels but only reports runs as left-to-right
// or right-to-left (even or odd level). Without explicit embeddings the
// levels are 0–2: in a right-to-left line that is 1 or 2, as reported; in
// a left-to-right line, the numbers that follow right-to-left text are at
// level 2 (rules W1–W7: "חדר 12" in an English sentence reads "12 רדח"),
// which liftNumbers works out. Explicit embeddings and overrides are
// resolved to these levels too, which is exact for the text people type.
func bidiLevels(text []rune, base direction) (levels []int8) {
	rtlLine := base == rtl || base == auto && firstStrongRTL(text)
	paraLevel := int8(0)
	if rtlLine {
		paraLevel = 1
	}
	levels = make([]int8, len(text))
	for i := range levels {
		levels[i] = paraLevel
	}
	defer func() {
		// x/text's bidi is marked as under construction: should it panic
		// on some input, the line is drawn in its base direction rather
		// than the document failing.
		if recover() != nil {
			for i := range levels {
				levels[i] = paraLevel
			}
		}
	}()
	var p bidi.Paragraph
	var opts []bidi.Option
	if rtlLine {
		opts = append(opts, bidi.DefaultDirection(bidi.RightToLeft))
	}
	if _, err := p.SetString(string(text), opts...); err != nil {
		return levels
	}
	o, err := p.Order()
	if err != nil {
		return levels
	}
	for i := 0; i < o.NumRuns(); i++ {
		run := o.Run(i)
		start, end := run.Pos()
		odd := run.Direction() == bidi.RightToLeft
		for k := start; k <= end && k < len(levels); k++ {
			switch {
			case odd:
				levels[k] = 1
			case rtlLine:
				levels[k] = 2
			default:
				levels[k] = 0
			}
		}
	}
	if !rtlLine {
		liftNumbers(text, levels)
	}
	return levels
}

// firstStrongRTL reports whether the first strong character of text is
// right-to-left (rules P2–P3).
func firstStrongRTL(text []rune) bool {
	for _, r := range text {
		p, _ := bidi.LookupRune(r)
		switch p.Class() {
		case bidi.L:
			return false
		case bidi.R, bidi.AL:
			return true
		}
	}
	return false
}

// liftNumbers raises to level 2 the numbers of a left-to-right line that
// follow right-to-left text: the digits, the separators between two of
// them (W4), the terminators next to them (W5) and their marks (W1). The
// neutrals between the right-to-left text and the number are already at
// level 1 (N1), so such a number starts right where a level-1 run ends.
func liftNumbers(text []rune, levels []int8) {
	class := func(i int) bidi.Class {
		p, _ := bidi.LookupRune(text[i])
		return p.Class()
	}
	isNum := func(c bidi.Class) bool { return c == bidi.EN || c == bidi.AN }
	// etBeforeNumber reports whether the terminators from k on end at a
	// European number.
	etBeforeNumber := func(k int) bool {
		for k < len(text) && class(k) == bidi.ET {
			k++
		}
		return k < len(text) && class(k) == bidi.EN
	}
	for i := 1; i < len(text); i++ {
		if levels[i] != 0 || levels[i-1] != 1 {
			continue
		}
		for k := i; k < len(text) && levels[k] == 0; k++ {
			lifted := k > i // the character before belongs to the number
			switch c := class(k); {
			case isNum(c):
			case c == bidi.ET && (lifted || etBeforeNumber(k)):
			case c == bidi.CS && lifted && k+1 < len(text) && isNum(class(k-1)) && class(k+1) == class(k-1):
			case c == bidi.ES && lifted && k+1 < len(text) && class(k-1) == bidi.EN && class(k+1) == bidi.EN:
			case c == bidi.NSM && lifted:
			default:
				k = len(text) // the number ended
				continue
			}
			levels[k] = 2
		}
	}
}

// reorder puts units in visual order (rule L2): from the highest level
// down to the lowest odd one, each stretch at that level or above is
// reversed.
func reorder(units []unit) {
	var highest, lowestOdd int8 = 0, 127
	for _, u := range units {
		highest = max(highest, u.level)
		if u.level%2 == 1 {
			lowestOdd = min(lowestOdd, u.level)
		}
	}
	for level := highest; level >= lowestOdd; level-- {
		for i := 0; i < len(units); {
			if units[i].level < level {
				i++
				continue
			}
			j := i
			for j < len(units) && units[j].level >= level {
				j++
			}
			slices.Reverse(units[i:j])
			i = j
		}
	}
}

// merge joins neighbouring units drawn in one font that need no
// ActualText, so that a plain line is one piece.
func merge(units []unit) []piece {
	var out []piece
	for _, u := range units {
		for _, p := range u.pieces {
			if p.text == "" && p.actual == "" {
				continue
			}
			if n := len(out); n > 0 && p.actual == "" && out[n-1].actual == "" && out[n-1].font == p.font {
				out[n-1].text += p.text
				continue
			}
			out = append(out, p)
		}
	}
	return out
}
