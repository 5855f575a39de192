package money

import (
	"errors"
	"testing"
)

// parseCase expects either want (the amount's Number()) or kind.
type parseCase struct {
	lang, code, input string
	want              string
	kind              ParseErrorKind
}

var parseCases = []parseCase{
	// English, USD.
	{"en", "USD", "12.50", "12.50", 0},
	{"en", "USD", "12.5", "12.50", 0},
	{"en", "USD", "12", "12.00", 0},
	{"en", "USD", "  12.50 \t", "12.50", 0},
	{"en", "USD", "0", "0.00", 0},
	{"en", "USD", "0.00", "0.00", 0},
	{"en", "USD", "007", "7.00", 0},
	{"en", "USD", "1,234.56", "1234.56", 0},
	{"en", "USD", "1234.56", "1234.56", 0},
	{"en", "USD", "12,345", "12345.00", 0},
	{"en", "USD", "1,234,567.89", "1234567.89", 0},
	{"en", "USD", "$12.50", "12.50", 0},
	{"en", "USD", "$ 12.50", "12.50", 0},
	{"en", "USD", "12.50$", "12.50", 0},
	{"en", "USD", "12.50 USD", "12.50", 0},
	{"en", "USD", "USD12.50", "12.50", 0},
	{"en", "USD", "usd 12.50", "12.50", 0},
	{"en", "USD", "999,999,999.99", "999999999.99", 0},
	{"en", "USD", "000999999999.99", "999999999.99", 0},
	{"en", "USD", "", "", KindEmpty},
	{"en", "USD", "   ", "", KindEmpty},
	{"en", "USD", "$", "", KindEmpty},
	{"en", "USD", "abc", "", KindSyntax},
	{"en", "USD", "12abc", "", KindSyntax},
	{"en", "USD", "1e3", "", KindSyntax},
	{"en", "USD", "1E3", "", KindSyntax},
	{"en", "USD", "+5", "", KindSyntax},
	{"en", "USD", "-", "", KindSyntax},
	{"en", "USD", ".5", "", KindSyntax},
	{"en", "USD", "5.", "", KindSyntax},
	{"en", "USD", "1.2.3", "", KindSyntax},
	{"en", "USD", "1,2,3", "", KindSyntax},
	{"en", "USD", "1,234,56", "", KindSyntax},
	{"en", "USD", "1,23.45", "", KindSyntax},
	{"en", "USD", "1234,567.00", "", KindSyntax},
	{"en", "USD", "0,123.00", "", KindSyntax},
	{"en", "USD", "1 234.56", "", KindSyntax},
	{"en", "USD", "12.50 €", "", KindSyntax},
	{"en", "USD", "$12.50$", "", KindSyntax},
	{"en", "USD", "NaN", "", KindSyntax},
	{"en", "USD", "Infinity", "", KindSyntax},
	{"en", "USD", "١٢", "", KindSyntax}, // Arabic-Indic digits
	{"en", "USD", "-5", "", KindNegative},
	{"en", "USD", "−5", "", KindNegative}, // U+2212
	{"en", "USD", "-$5.00", "", KindNegative},
	{"en", "USD", "$-5.00", "", KindNegative},
	{"en", "USD", "- 0", "", KindNegative},
	{"en", "USD", "12.345", "", KindTooManyDigits},
	{"en", "USD", "12.500", "", KindTooManyDigits},
	{"en", "USD", "1000000000", "", KindTooLarge},
	{"en", "USD", "1,000,000,000.00", "", KindTooLarge},
	{"en", "USD", "99999999999999999999999999999999", "", KindTooLarge},
	{"en", "USD", "12,50", "", KindWrongDecimalSeparator},
	{"en", "USD", "12,5", "", KindWrongDecimalSeparator},
	{"en", "USD", "1234,567", "", KindWrongDecimalSeparator},
	{"en", "USD", "0,123", "", KindWrongDecimalSeparator},
	// Unknown languages follow English rules.
	{"de", "USD", "1,234.56", "1234.56", 0},
	{"", "USD", "12,50", "", KindWrongDecimalSeparator},

	// Polish, PLN.
	{"pl", "PLN", "12,50", "12.50", 0},
	{"pl", "PLN", "12,5", "12.50", 0},
	{"pl", "PLN", "12", "12.00", 0},
	{"pl", "PLN", "1234,56", "1234.56", 0},
	{"pl", "PLN", "1 234,56", "1234.56", 0},
	{"pl", "PLN", "12 345,67", "12345.67", 0},
	{"pl", "PLN", "12\u00a0345,67", "12345.67", 0},
	{"pl", "PLN", "12\u202f345,67", "12345.67", 0},
	{"pl", "PLN", "1 234 567,89", "1234567.89", 0},
	{"pl", "PLN", "12,50 zł", "12.50", 0},
	{"pl", "PLN", "12,50zł", "12.50", 0},
	{"pl", "PLN", "12,50\u00a0zł", "12.50", 0},
	{"pl", "PLN", "12\u00a0345,67\u00a0zł", "12345.67", 0},
	{"pl", "PLN", "12,50 ZŁ", "12.50", 0},
	{"pl", "PLN", "12,50 zl", "12.50", 0},
	{"pl", "PLN", "12,50 PLN", "12.50", 0},
	{"pl", "PLN", "PLN 12,50", "12.50", 0},
	{"pl", "PLN", "zł 12,50", "12.50", 0},
	{"pl", "PLN", "0", "0.00", 0},
	{"pl", "PLN", "999 999 999,99", "999999999.99", 0},
	{"pl-PL", "PLN", "12,50", "12.50", 0},
	{"pl", "PLN", "", "", KindEmpty},
	{"pl", "PLN", "zł", "", KindEmpty},
	{"pl", "PLN", "abc", "", KindSyntax},
	{"pl", "PLN", "1e3", "", KindSyntax},
	{"pl", "PLN", "12,50,1", "", KindSyntax},
	{"pl", "PLN", "1 2 3", "", KindSyntax},
	{"pl", "PLN", "12 34,56", "", KindSyntax},
	{"pl", "PLN", "1234 567,00", "", KindSyntax},
	{"pl", "PLN", "1 234\u00a0567,00", "", KindSyntax}, // mixed grouping separators
	{"pl", "PLN", "1  234,00", "", KindSyntax},
	{"pl", "PLN", "1,234.56", "", KindSyntax},
	{"pl", "PLN", "1.234,56", "", KindSyntax},
	{"pl", "PLN", "12,50 $", "", KindSyntax},
	{"pl", "PLN", "-5", "", KindNegative},
	{"pl", "PLN", "-5,00 zł", "", KindNegative},
	{"pl", "PLN", "12,345", "", KindTooManyDigits},
	{"pl", "PLN", "1 000 000 000", "", KindTooLarge},
	{"pl", "PLN", "12.50", "", KindWrongDecimalSeparator},
	{"pl", "PLN", "12.5 zł", "", KindWrongDecimalSeparator},
	{"pl", "PLN", "1 234.50", "", KindWrongDecimalSeparator},
	{"pl", "PLN", "12.345", "", KindWrongDecimalSeparator},

	// JPY: 0 digits.
	{"en", "JPY", "1235", "1235", 0},
	{"en", "JPY", "1,235", "1235", 0},
	{"en", "JPY", "¥1,235", "1235", 0},
	{"en", "JPY", "1,235 JPY", "1235", 0},
	{"en", "JPY", "999999999", "999999999", 0},
	{"en", "JPY", "1.5", "", KindTooManyDigits},
	{"en", "JPY", "1.0", "", KindTooManyDigits},
	{"pl", "JPY", "1235 ¥", "1235", 0},
	{"pl", "JPY", "1,5", "", KindTooManyDigits},
	{"en", "JPY", "1000000000", "", KindTooLarge},

	// BHD: 3 digits.
	{"en", "BHD", "1.234", "1.234", 0},
	{"en", "BHD", "1,234.567", "1234.567", 0},
	{"en", "BHD", "BHD 1,234.567", "1234.567", 0},
	{"en", "BHD", "1.5", "1.500", 0},
	{"en", "BHD", "999999999.999", "999999999.999", 0},
	{"en", "BHD", "1.2345", "", KindTooManyDigits},
	{"pl", "BHD", "1234,567 BHD", "1234.567", 0},
	{"pl", "BHD", "1,2345", "", KindTooManyDigits},

	// Other currencies.
	{"en", "GBP", "£12.50", "12.50", 0},
	{"en", "EUR", "€12.50", "12.50", 0},
	{"pl", "EUR", "12,50 €", "12.50", 0},
	{"en", "PLN", "PLN 12.50", "12.50", 0},
	{"en", "PLN", "12.50 zł", "12.50", 0},
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		got, err := Parse(tc.input, tc.code, tc.lang)
		if tc.kind == 0 {
			if err != nil {
				t.Errorf("Parse(%q, %s, %s): unexpected error %v", tc.input, tc.code, tc.lang, err)
				continue
			}
			if got.Number() != tc.want || got.CurrencyCode() != tc.code {
				t.Errorf("Parse(%q, %s, %s) = %s, want %s %s", tc.input, tc.code, tc.lang, got, tc.want, tc.code)
			}
			continue
		}
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q, %s, %s) = %v, %v; want ParseError %v", tc.input, tc.code, tc.lang, got, err, tc.kind)
			continue
		}
		if pe.Kind != tc.kind || pe.Input != tc.input || pe.Digits != Digits(tc.code) {
			t.Errorf("Parse(%q, %s, %s) error = %+v, want kind %v", tc.input, tc.code, tc.lang, pe, tc.kind)
		}
		if !errors.Is(err, &ParseError{Kind: tc.kind}) {
			t.Errorf("errors.Is(%v, kind %v) = false", err, tc.kind)
		}
	}
}

func TestParseUnknownCurrency(t *testing.T) {
	for _, code := range []string{"", "XXX1", "usd", "ZZZ"} {
		_, err := Parse("1", code, "en")
		if !errors.Is(err, ErrUnknownCurrency) {
			t.Errorf("Parse with code %q: err = %v, want ErrUnknownCurrency", code, err)
		}
		var pe *ParseError
		if errors.As(err, &pe) {
			t.Errorf("Parse with code %q returned a ParseError", code)
		}
	}
}

func TestParsePositive(t *testing.T) {
	for _, tc := range []struct {
		lang, code, input string
		kind              ParseErrorKind
	}{
		{"en", "USD", "0", KindZero},
		{"en", "USD", "0.00", KindZero},
		{"pl", "PLN", "0,00 zł", KindZero},
		{"en", "JPY", "0", KindZero},
		{"en", "USD", "-1", KindNegative},
		{"en", "USD", "", KindEmpty},
		{"en", "USD", "0.01", 0},
		{"pl", "PLN", "0,01", 0},
		{"en", "JPY", "1", 0},
	} {
		a, err := ParsePositive(tc.input, tc.code, tc.lang)
		if tc.kind == 0 {
			if err != nil || !a.IsPositive() {
				t.Errorf("ParsePositive(%q) = %v, %v", tc.input, a, err)
			}
			continue
		}
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Kind != tc.kind {
			t.Errorf("ParsePositive(%q) err = %v, want kind %v", tc.input, err, tc.kind)
		}
	}
}

func TestParseErrorMessages(t *testing.T) {
	cases := []struct {
		kind ParseErrorKind
		name string
		key  string
	}{
		{KindEmpty, "Empty", "money.err.empty"},
		{KindSyntax, "Syntax", "money.err.syntax"},
		{KindNegative, "Negative", "money.err.negative"},
		{KindZero, "Zero", "money.err.zero"},
		{KindTooManyDigits, "TooManyDigits", "money.err.too_many_digits"},
		{KindTooLarge, "TooLarge", "money.err.too_large"},
		{KindWrongDecimalSeparator, "WrongDecimalSeparator", "money.err.wrong_decimal_separator"},
	}
	for _, c := range cases {
		if c.kind.String() != c.name || c.kind.Key() != c.key {
			t.Errorf("kind %d: %q %q, want %q %q", c.kind, c.kind.String(), c.kind.Key(), c.name, c.key)
		}
		if (&ParseError{Kind: c.kind}).Error() == "" {
			t.Errorf("kind %v: empty message", c.kind)
		}
	}
	if k := ParseErrorKind(0); k.Key() != "money.err.unknown" || k.String() != "ParseErrorKind(0)" {
		t.Errorf("zero kind: %q %q", k.Key(), k.String())
	}
	for _, c := range []struct {
		input, code, lang, want string
	}{
		{"12.50", "PLN", "pl", `money: "12.50": use a comma as the decimal separator`},
		{"12,50", "USD", "en", `money: "12,50": use a dot as the decimal separator`},
		{"12.345", "USD", "en", `money: "12.345": at most 2 decimal places allowed`},
		{"1.5", "JPY", "en", `money: "1.5": at most 0 decimal places allowed`},
		{"abc", "USD", "en", `money: "abc" is not a valid amount`},
	} {
		_, err := Parse(c.input, c.code, c.lang)
		if err == nil || err.Error() != c.want {
			t.Errorf("Parse(%q).Error() = %v, want %q", c.input, err, c.want)
		}
	}
}
