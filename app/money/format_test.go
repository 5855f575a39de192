package money

import (
	"testing"

	"github.com/bojanz/currency"
)

func amt(t testing.TB, n, code string) currency.Amount {
	t.Helper()
	a, err := currency.NewAmount(n, code)
	if err != nil {
		t.Fatalf("NewAmount(%q, %q): %v", n, code, err)
	}
	return a
}

// Expected strings are exact bytes as produced by bojanz/currency v1.4.2
// (CLDR): Polish uses U+00A0 between number and symbol and as the grouping
// separator, and groups only from five integer digits.
func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		n, code, lang, want string
	}{
		{"12.50", "PLN", "pl", "12,50\u00a0zł"},
		{"12.5", "PLN", "pl", "12,50\u00a0zł"},
		{"1234.56", "PLN", "pl", "1234,56\u00a0zł"},
		{"12345.67", "PLN", "pl", "12\u00a0345,67\u00a0zł"},
		{"1234567.89", "PLN", "pl", "1\u00a0234\u00a0567,89\u00a0zł"},
		{"0", "PLN", "pl", "0,00\u00a0zł"},
		{"1234.56", "USD", "pl", "1234,56\u00a0$"},
		{"12.50", "EUR", "pl", "12,50\u00a0€"},
		{"1235", "JPY", "pl", "1235\u00a0¥"},
		{"1234.567", "BHD", "pl", "1234,567\u00a0BHD"},
		{"12.50", "PLN", "pl-PL", "12,50\u00a0zł"},

		{"1234.56", "USD", "en", "$1,234.56"},
		{"12.5", "GBP", "en", "£12.50"},
		{"1235", "JPY", "en", "¥1,235"},
		{"1234.5", "JPY", "en", "¥1,235"}, // display rounding, half-up
		{"1234.567", "BHD", "en", "BHD\u00a01,234.567"},
		{"1.5", "BHD", "en", "BHD\u00a01.500"},
		{"12.50", "PLN", "en", "PLN\u00a012.50"},
		{"12.50", "EUR", "en", "€12.50"},
		{"0.125", "USD", "en", "$0.13"},
		{"-5", "USD", "en", "-$5.00"},
		{"1234.56", "USD", "fr", "$1,234.56"}, // unknown language: en rules
	} {
		if got := Format(amt(t, tc.n, tc.code), tc.lang); got != tc.want {
			t.Errorf("Format(%s %s, %s) = %+q, want %+q", tc.n, tc.code, tc.lang, got, tc.want)
		}
	}
}

func TestFormatNumber(t *testing.T) {
	for _, tc := range []struct {
		n, code, lang, want string
	}{
		{"12.50", "PLN", "pl", "12,50"},
		{"12.5", "PLN", "pl", "12,50"},
		{"12345.67", "PLN", "pl", "12345,67"},
		{"12.50", "USD", "en", "12.50"},
		{"1234.56", "USD", "en", "1234.56"},
		{"1235", "JPY", "en", "1235"},
		{"1234.567", "BHD", "pl", "1234,567"},
		{"0", "USD", "en", "0.00"},
	} {
		if got := FormatNumber(amt(t, tc.n, tc.code), tc.lang); got != tc.want {
			t.Errorf("FormatNumber(%s %s, %s) = %+q, want %+q", tc.n, tc.code, tc.lang, got, tc.want)
		}
	}
}

// Parse(FormatNumber(x)) == x and Parse(Format(x)) == x.
func TestFormatParseRoundTrip(t *testing.T) {
	values := []string{
		"0", "0.01", "0.1", "1", "12.5", "999", "1000", "1234.56", "12345.67",
		"100000", "999999999.99", "123456789.123", "5",
	}
	for _, lang := range []string{"en", "pl"} {
		for _, code := range []string{"USD", "PLN", "GBP", "EUR", "JPY", "BHD", "CLF", "CHF"} {
			for _, v := range values {
				a := Round(amt(t, v, code), currency.RoundHalfEven)
				if limit, _ := MaxAmount(code); mustCmp(t, a, limit) > 0 {
					continue // 999999999.99 JPY rounds to 1000000000
				}
				for name, s := range map[string]string{
					"FormatNumber": FormatNumber(a, lang),
					"Format":       Format(a, lang),
				} {
					got, err := Parse(s, code, lang)
					if err != nil || !got.Equal(a) {
						t.Errorf("Parse(%s(%s), %s) = %v, %v; want %s", name, a, lang, got, err, a)
					}
				}
			}
		}
	}
}

func mustCmp(t testing.TB, a, b currency.Amount) int {
	t.Helper()
	c, err := a.Cmp(b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
