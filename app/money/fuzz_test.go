package money

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/bojanz/currency"
)

// fuzzCodes are the currencies the fuzz targets pick from: 0, 2, 3 and 4
// fraction digits, letter and non-letter symbols.
var fuzzCodes = []string{"USD", "PLN", "JPY", "BHD", "GBP", "EUR", "CLF", "CHF"}

func fuzzArgs(codeIdx uint8, pl bool) (string, string) {
	lang := "en"
	if pl {
		lang = "pl"
	}
	return fuzzCodes[int(codeIdx)%len(fuzzCodes)], lang
}

func addParseSeeds(f *testing.F) {
	for _, tc := range parseCases {
		idx := strings.Index(strings.Join(fuzzCodes, ","), tc.code) / 4
		f.Add(tc.input, uint8(idx), tc.lang == "pl")
	}
	for _, s := range []string{"12,50\u00a0zł", "1\u00a0234\u00a0567,89", "0,0000", "9999999999", "1.", "-", "¥", "\xff", "1,234.5678"} {
		f.Add(s, uint8(0), true)
		f.Add(s, uint8(3), false)
	}
}

// checkParseErr verifies the error contract shared by the fuzz targets.
func checkParseErr(t *testing.T, err error, input string) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("non-ParseError for %q: %v", input, err)
	}
	if pe.Input != input || pe.Kind < KindEmpty || pe.Kind > KindWrongDecimalSeparator || pe.Kind == KindZero {
		t.Fatalf("bad ParseError for %q: %+v", input, pe)
	}
	if pe.Error() == "" || pe.Kind.Key() == "money.err.unknown" {
		t.Fatalf("bad message for %q: %+v", input, pe)
	}
}

func FuzzParse(f *testing.F) {
	addParseSeeds(f)
	f.Fuzz(func(t *testing.T, input string, codeIdx uint8, pl bool) {
		code, lang := fuzzArgs(codeIdx, pl)
		a, err := Parse(input, code, lang)
		if err != nil {
			checkParseErr(t, err, input)
			return
		}
		if a.CurrencyCode() != code {
			t.Fatalf("Parse(%q, %s) currency %s", input, code, a.CurrencyCode())
		}
		if a.IsNegative() {
			t.Fatalf("Parse(%q, %s, %s) = %s: negative", input, code, lang, a)
		}
		// Exactly the currency's digits, so ToMinor never fails or rounds.
		_, frac, _ := strings.Cut(a.Number(), ".")
		if len(frac) != int(Digits(code)) {
			t.Fatalf("Parse(%q, %s, %s) = %s: %d fraction digits", input, code, lang, a, len(frac))
		}
		minor, err := ToMinor(a)
		if err != nil {
			t.Fatalf("ToMinor(%s): %v", a, err)
		}
		if limit, _ := MaxAmount(code); mustCmp(t, a, limit) > 0 {
			t.Fatalf("Parse(%q) = %s above the maximum", input, a)
		}
		if back, _ := FromMinor(minor, code); !back.Equal(a) {
			t.Fatalf("FromMinor(ToMinor(%s)) = %s", a, back)
		}
		for _, s := range []string{FormatNumber(a, lang), Format(a, lang)} {
			b, err := Parse(s, code, lang)
			if err != nil || !b.Equal(a) || b.Number() != a.Number() {
				t.Fatalf("Parse(%q) = %v, %v; want %s (from input %q)", s, b, err, a, input)
			}
		}
		if p, err := ParsePositive(input, code, lang); a.IsZero() != (err != nil) || (err == nil && !p.Equal(a)) {
			t.Fatalf("ParsePositive(%q) = %v, %v", input, p, err)
		}
	})
}

func FuzzParseRate(f *testing.F) {
	addParseSeeds(f)
	for _, s := range []string{"0,1234", "0.1234", "0,1234 zł", "$0.1234", "999 999,9999", "999,999.9999", "0.00001"} {
		f.Add(s, uint8(0), false)
		f.Add(s, uint8(1), true)
	}
	f.Fuzz(func(t *testing.T, input string, codeIdx uint8, pl bool) {
		code, lang := fuzzArgs(codeIdx, pl)
		r, err := ParseRate(input, code, lang)
		if err != nil {
			checkParseErr(t, err, input)
			return
		}
		if r.Currency() != code || r.E4() < 0 || r.E4() > MaxRateE4 {
			t.Fatalf("ParseRate(%q, %s, %s) = %v", input, code, lang, r)
		}
		s := r.Format(lang)
		back, err := ParseRate(s, code, lang)
		if err != nil || back != r {
			t.Fatalf("ParseRate(Format(%v) = %q) = %v, %v", r, s, back, err)
		}
		// Any accepted rate prices an hour without error, exactly.
		cost, err := r.Cost(60, currency.RoundUp)
		if err != nil {
			t.Fatalf("%v.Cost(60): %v", r, err)
		}
		if exact := r.e4 * 60; !Round(amt(t, fmt.Sprintf("%d.%04d", exact/1e4, exact%1e4), code), currency.RoundUp).Equal(cost) {
			t.Fatalf("%v.Cost(60) = %v, want %d e4 rounded up", r, cost, exact)
		}
	})
}
