package storage

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// fold is the search form of a text: lower case, without accents, and the
// Latin letters that have no decomposition written as their base letter, so
// "LODZ", "lodz" and "Łódź" are all "lodz". SQLite's lower() and LIKE fold
// ASCII only, and FTS5's remove_diacritics leaves Ł (it does not decompose),
// so the rule is the app's own: the SQL function fold() (driver.go) runs it
// in the search tables' triggers, and every search term goes through it.
// Changing it means rebuilding the search tables (00014).
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(baseLetter(r))
		}
	}
	return norm.NFC.String(b.String())
}

// baseLetter writes the lower-case Latin letters that carry their accent in
// the letter itself (no decomposition) as the letter underneath.
func baseLetter(r rune) rune {
	switch r {
	case 'ł':
		return 'l'
	case 'đ':
		return 'd'
	case 'ø':
		return 'o'
	case 'ħ':
		return 'h'
	case 'ı':
		return 'i'
	case 'ŧ':
		return 't'
	case 'ƀ':
		return 'b'
	case 'ƶ':
		return 'z'
	}
	return r
}

// Fold is fold for the organisation database (storage/postgres), which
// searches the same form of the text: its trainpay_fold SQL function is
// held to this rule by its tests.
func Fold(s string) string { return fold(s) }
