package money

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bojanz/currency"
)

// ParseErrorKind classifies why user input was refused. The UI translates
// messages by kind; the names and [ParseErrorKind.Key] values are stable.
type ParseErrorKind uint8

// Parse error kinds. The zero value is not a valid kind.
const (
	KindEmpty                 ParseErrorKind = iota + 1 // nothing entered
	KindSyntax                                          // not a number in the UI language's format
	KindNegative                                        // a minus sign was entered
	KindZero                                            // zero where a positive amount is required
	KindTooManyDigits                                   // more fraction digits than allowed (see ParseError.Digits)
	KindTooLarge                                        // above MaxMajor (or MaxRateMajor for rates)
	KindWrongDecimalSeparator                           // the other language's decimal separator (see ParseError.DecimalSeparator)
)

var kindNames = [...]string{
	KindEmpty:                 "Empty",
	KindSyntax:                "Syntax",
	KindNegative:              "Negative",
	KindZero:                  "Zero",
	KindTooManyDigits:         "TooManyDigits",
	KindTooLarge:              "TooLarge",
	KindWrongDecimalSeparator: "WrongDecimalSeparator",
}

var kindKeys = [...]string{
	KindEmpty:                 "money.err.empty",
	KindSyntax:                "money.err.syntax",
	KindNegative:              "money.err.negative",
	KindZero:                  "money.err.zero",
	KindTooManyDigits:         "money.err.too_many_digits",
	KindTooLarge:              "money.err.too_large",
	KindWrongDecimalSeparator: "money.err.wrong_decimal_separator",
}

// String returns the kind's stable name, e.g. "TooManyDigits".
func (k ParseErrorKind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("ParseErrorKind(%d)", uint8(k))
}

// Key returns the stable translation key for the kind, e.g.
// "money.err.too_many_digits". Unknown kinds return "money.err.unknown".
func (k ParseErrorKind) Key() string {
	if int(k) < len(kindKeys) && kindKeys[k] != "" {
		return kindKeys[k]
	}
	return "money.err.unknown"
}

// ParseError is returned by [Parse], [ParsePositive] and [ParseRate] for
// input the user has to correct.
type ParseError struct {
	Kind  ParseErrorKind
	Input string // the input as given (untrimmed)
	// Digits is the maximum number of fraction digits allowed: the
	// currency's digits for amounts, RateDigits for rates.
	Digits uint8
	// DecimalSeparator is the decimal separator of the UI language the
	// input was parsed for ("," for pl, "." for en), for messages such as
	// "use a comma".
	DecimalSeparator string
}

// Error returns an English description (for logs; the UI translates by Kind).
func (e *ParseError) Error() string {
	switch e.Kind {
	case KindEmpty:
		return "money: no amount entered"
	case KindSyntax:
		return fmt.Sprintf("money: %q is not a valid amount", e.Input)
	case KindNegative:
		return fmt.Sprintf("money: %q: amount must not be negative", e.Input)
	case KindZero:
		return fmt.Sprintf("money: %q: amount must be greater than zero", e.Input)
	case KindTooManyDigits:
		return fmt.Sprintf("money: %q: at most %d decimal places allowed", e.Input, e.Digits)
	case KindTooLarge:
		return fmt.Sprintf("money: %q: amount is too large", e.Input)
	case KindWrongDecimalSeparator:
		name := "a dot"
		if e.DecimalSeparator == "," {
			name = "a comma"
		}
		return fmt.Sprintf("money: %q: use %s as the decimal separator", e.Input, name)
	}
	return fmt.Sprintf("money: %q: invalid amount (%v)", e.Input, e.Kind)
}

// Is makes errors.Is(err, &ParseError{Kind: k}) match any ParseError of
// kind k.
func (e *ParseError) Is(target error) bool {
	t, ok := target.(*ParseError)
	return ok && t.Kind == e.Kind
}

// numberFormat describes how numbers are written in a UI language.
type numberFormat struct {
	lang     string // "en" or "pl"
	decimal  rune
	grouping []rune // accepted grouping separators
	other    rune   // the other language's decimal separator
}

var (
	formatEN = numberFormat{lang: "en", decimal: '.', grouping: []rune{','}, other: ','}
	formatPL = numberFormat{lang: "pl", decimal: ',', grouping: []rune{' ', '\u00a0', '\u202f'}, other: '.'}
)

// normLang maps a UI language to "pl" or "en": "pl", "PL", "pl-PL", "pl_PL"
// are Polish, anything else uses English rules.
func normLang(lang string) string {
	l := strings.ToLower(strings.TrimSpace(lang))
	if l == "pl" || strings.HasPrefix(l, "pl-") || strings.HasPrefix(l, "pl_") {
		return "pl"
	}
	return "en"
}

func numberFormatFor(lang string) numberFormat {
	if normLang(lang) == "pl" {
		return formatPL
	}
	return formatEN
}

// currencyAliases are extra spellings accepted after/before a number.
var currencyAliases = map[string][]string{
	"PLN": {"zl"}, // "zł" typed without Polish diacritics
}

// affixes returns the currency markers accepted around a number for code:
// the ISO code, its CLDR symbols in both UI languages and aliases, longest
// first. Matching is case-insensitive.
func affixes(code string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	add(code)
	for _, l := range []string{"en", "pl"} {
		s, _ := currency.GetSymbol(code, currency.NewLocale(l))
		add(s)
	}
	for _, s := range currencyAliases[code] {
		add(s)
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

func isSpace(r rune) bool { return unicode.IsSpace(r) }

func trimSpace(s string) string { return strings.TrimFunc(s, isSpace) }

// cutMinus removes a leading minus sign (ASCII hyphen-minus or U+2212).
func cutMinus(s string) (string, bool) {
	for _, m := range []string{"-", "\u2212"} {
		if rest, ok := strings.CutPrefix(s, m); ok {
			return trimSpace(rest), true
		}
	}
	return s, false
}

// cutAffix removes one currency marker before or after the number.
func cutAffix(s string, affixes []string) string {
	for _, a := range affixes {
		if len(s) >= len(a) && strings.EqualFold(s[:len(a)], a) {
			return trimSpace(s[len(a):])
		}
		if len(s) >= len(a) && strings.EqualFold(s[len(s)-len(a):], a) {
			return trimSpace(s[:len(s)-len(a)])
		}
	}
	return s
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// integerPart validates the integer part of a number (digits, optionally
// grouped in threes with one kind of grouping separator) and returns its
// digits.
func (nf numberFormat) integerPart(s string) (string, bool) {
	if allDigits(s) {
		return s, true
	}
	// Find the grouping separator in use: the first non-digit rune.
	i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if i <= 0 {
		return "", false
	}
	sep, _ := utf8.DecodeRuneInString(s[i:])
	valid := false
	for _, g := range nf.grouping {
		valid = valid || g == sep
	}
	if !valid {
		return "", false
	}
	groups := strings.Split(s, string(sep))
	first := groups[0]
	if len(first) > 3 || first[0] == '0' || !allDigits(first) {
		return "", false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 || !allDigits(g) {
			return "", false
		}
	}
	return strings.Join(groups, ""), true
}

// split validates a number without sign or currency and returns its integer
// and fraction digits.
func (nf numberFormat) split(s string) (intDigits, fracDigits string, ok bool) {
	intPart, frac, hasDec := strings.Cut(s, string(nf.decimal))
	if hasDec && !allDigits(frac) { // also refuses a second separator and "5,"
		return "", "", false
	}
	intDigits, ok = nf.integerPart(intPart)
	return intDigits, frac, ok
}

// wrongDecimal reports whether s would be a valid number if the other UI
// language's decimal separator were used (pl: "12.50"; en: "12,50", which
// is not valid en grouping).
func (nf numberFormat) wrongDecimal(s string) bool {
	if strings.Count(s, string(nf.other)) != 1 || strings.ContainsRune(s, nf.decimal) {
		return false
	}
	intPart, frac, _ := strings.Cut(s, string(nf.other))
	if !allDigits(frac) {
		return false
	}
	if nf.lang == "en" {
		return allDigits(intPart)
	}
	_, ok := nf.integerPart(intPart)
	return ok
}

// parseDecimal is the strict grammar shared by Parse and ParseRate:
//
//	[minus] [marker] [minus] number [marker]   (one marker at most)
//
// where marker is the currency code or symbol and number uses the UI
// language's decimal separator and optional grouping. Spaces around the
// sign and marker are ignored. It returns the canonical decimal string
// (no leading zeros, exactly padTo fraction digits when padTo >= 0).
func parseDecimal(input, code, lang string, maxFrac uint8, maxIntDigits int, padTo int) (string, *ParseError) {
	nf := numberFormatFor(lang)
	fail := func(k ParseErrorKind) (string, *ParseError) {
		return "", &ParseError{Kind: k, Input: input, Digits: maxFrac, DecimalSeparator: string(nf.decimal)}
	}
	s := trimSpace(input)
	if s == "" {
		return fail(KindEmpty)
	}
	s, neg := cutMinus(s)
	s = cutAffix(s, affixes(code))
	if !neg {
		s, neg = cutMinus(s)
	}
	if s == "" {
		if neg {
			return fail(KindSyntax)
		}
		return fail(KindEmpty)
	}
	intDigits, frac, ok := nf.split(s)
	if !ok {
		if nf.wrongDecimal(s) {
			return fail(KindWrongDecimalSeparator)
		}
		return fail(KindSyntax)
	}
	if neg {
		return fail(KindNegative)
	}
	intDigits = strings.TrimLeft(intDigits, "0")
	if intDigits == "" {
		intDigits = "0"
	}
	if len(intDigits) > maxIntDigits {
		return fail(KindTooLarge)
	}
	if len(frac) > int(maxFrac) {
		return fail(KindTooManyDigits)
	}
	if padTo > len(frac) {
		frac += strings.Repeat("0", padTo-len(frac))
	}
	if frac == "" {
		return intDigits, nil
	}
	return intDigits + "." + frac, nil
}

// Parse parses an amount typed by a user in the UI language lang ("en" or
// "pl"; anything else follows "en" rules) for the currency code.
//
// Accepted, after trimming surrounding white space:
//   - digits with the language's decimal separator: pl "12,50", en "12.50";
//   - optional grouping of the integer part in groups of three: pl with a
//     space, U+00A0 or U+202F ("12 345,67", one kind per input), en with a
//     comma ("12,345.67");
//   - an optional currency marker before or after the number, with or
//     without a space: the ISO code or the currency's symbol in en or pl,
//     case-insensitively ("12,50 zł", "PLN 12,50", "$12.50", "12.50 USD").
//
// Refused with a *[ParseError]: empty input (KindEmpty); anything else,
// e.g. "abc", "1e3", "+5", "1,2,3", "12,50,1", ".5", "5." (KindSyntax); a
// minus sign (KindNegative); more fraction digits than the currency has,
// even if they are zeros (KindTooManyDigits: "12.345" USD, "12,345" PLN in
// pl, "1.5" JPY); an integer part above [MaxMajor] (KindTooLarge); and the
// other language's decimal separator (KindWrongDecimalSeparator: "12.50"
// in pl, "12,50" in en; "12,345" in en is valid grouping, 12345.00).
//
// Zero is accepted; use [ParsePositive] to refuse it. The result carries
// exactly the currency's digits (Parse("12,5", "PLN", "pl") is 12.50 PLN).
// An unknown currency code returns an error wrapping [ErrUnknownCurrency]
// (a programming error, not a *ParseError).
func Parse(input, code, lang string) (currency.Amount, error) {
	d, err := digitsOf(code)
	if err != nil {
		return currency.Amount{}, err
	}
	n, perr := parseDecimal(input, code, lang, d, MaxMajorDigits, int(d))
	if perr != nil {
		return currency.Amount{}, perr
	}
	return currency.NewAmount(n, code)
}

// ParsePositive is [Parse] but also refuses zero (KindZero).
func ParsePositive(input, code, lang string) (currency.Amount, error) {
	a, err := Parse(input, code, lang)
	if err != nil {
		return a, err
	}
	if a.IsZero() {
		d := Digits(code)
		return currency.Amount{}, &ParseError{
			Kind: KindZero, Input: input, Digits: d,
			DecimalSeparator: string(numberFormatFor(lang).decimal),
		}
	}
	return a, nil
}
