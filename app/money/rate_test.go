package money

import (
	"errors"
	"math"
	"testing"

	"github.com/bojanz/currency"
)

func TestRateCost(t *testing.T) {
	for _, tc := range []struct {
		minutes int64
		e4      int64
		code    string
		mode    currency.RoundingMode
		want    string
	}{
		{2250, 1200, "USD", currency.RoundHalfUp, "270.00"},
		{900, 800, "USD", currency.RoundHalfUp, "72.00"},
		{2250, 1235, "USD", currency.RoundHalfUp, "277.88"}, // 277.875
		{2250, 1235, "USD", currency.RoundHalfEven, "277.88"},
		{2250, 1235, "USD", currency.RoundDown, "277.87"},
		{2249, 1235, "USD", currency.RoundHalfEven, "277.75"}, // 277.7515
		{1, 50, "USD", currency.RoundHalfUp, "0.01"},          // 0.005
		{1, 50, "USD", currency.RoundHalfEven, "0.00"},
		{1, 5000, "JPY", currency.RoundHalfUp, "1"}, // 0.5 yen
		{1, 5000, "JPY", currency.RoundHalfEven, "0"},
		{3, 5000, "JPY", currency.RoundHalfEven, "2"},  // 1.5
		{125, 1234, "JPY", currency.RoundHalfUp, "15"}, // 15.425
		{2250, 1235, "BHD", currency.RoundHalfUp, "277.875"},
		{7, 1, "BHD", currency.RoundUp, "0.001"}, // 0.0007
		{10_000 * 600, 1234, "PLN", currency.RoundHalfUp, "740400.00"},
		{0, 1234, "PLN", currency.RoundHalfUp, "0.00"},
		{100, 0, "PLN", currency.RoundHalfUp, "0.00"},
		{1000, MaxRateE4 / 10, "USD", currency.RoundHalfUp, "99999999.90"},
	} {
		got, err := RateFromE4(tc.e4, tc.code).Cost(tc.minutes, tc.mode)
		if err != nil || got.Number() != tc.want || got.CurrencyCode() != tc.code {
			t.Errorf("%d min × %d e4 %s (mode %d) = %v, %v; want %s", tc.minutes, tc.e4, tc.code, tc.mode, got, err, tc.want)
		}
		if _, err := ToMinor(got); err != nil {
			t.Errorf("ToMinor(cost %v): %v", got, err)
		}
	}
	for _, tc := range []struct {
		minutes, e4 int64
		code        string
		mode        currency.RoundingMode
		err         error
	}{
		{-1, 1234, "PLN", currency.RoundHalfUp, ErrNegative},
		{1, -1234, "PLN", currency.RoundHalfUp, ErrNegative},
		{1, 1234, "", currency.RoundHalfUp, ErrUnknownCurrency},
		{1, 1234, "ZZZ", currency.RoundHalfUp, ErrUnknownCurrency},
		{1, 1234, "PLN", currency.RoundingMode(9), ErrRoundingMode},
		{math.MaxInt64, math.MaxInt64, "PLN", currency.RoundHalfUp, ErrOutOfRange},
		{math.MaxInt64, 1, "PLN", currency.RoundHalfUp, ErrOutOfRange},
		{10_000_000_000, 10_000, "USD", currency.RoundHalfUp, ErrOutOfRange},
	} {
		if got, err := RateFromE4(tc.e4, tc.code).Cost(tc.minutes, tc.mode); !errors.Is(err, tc.err) {
			t.Errorf("%d min × %d e4 %s = %v, %v; want %v", tc.minutes, tc.e4, tc.code, got, err, tc.err)
		}
	}
	// The exact limit is still accepted.
	if got, err := RateFromE4(10_000, "USD").Cost(MaxMajor, currency.RoundHalfUp); err != nil || got.Number() != "999999999.00" {
		t.Errorf("cost at the limit = %v, %v", got, err)
	}
}

func TestParseRate(t *testing.T) {
	for _, tc := range []struct {
		lang, code, input string
		e4                int64
		kind              ParseErrorKind
	}{
		{"en", "USD", "0.12", 1200, 0},
		{"en", "USD", "0.1234", 1234, 0},
		{"en", "USD", "$0.1234", 1234, 0},
		{"en", "USD", "0.1", 1000, 0},
		{"en", "USD", "2", 20000, 0},
		{"en", "USD", "0", 0, 0},
		{"en", "USD", "999,999.9999", MaxRateE4, 0},
		{"pl", "PLN", "0,1234", 1234, 0},
		{"pl", "PLN", "0,1234 zł", 1234, 0},
		{"pl", "PLN", "12 345,6789 zł", 123456789, 0},
		{"en", "JPY", "0.5", 5000, 0},
		{"en", "JPY", "12.3456", 123456, 0},
		{"en", "BHD", "0.0005", 5, 0},
		{"en", "USD", "0.12345", 0, KindTooManyDigits},
		{"pl", "PLN", "0,12345", 0, KindTooManyDigits},
		{"en", "USD", "-0.12", 0, KindNegative},
		{"en", "USD", "1000000", 0, KindTooLarge},
		{"en", "USD", "", 0, KindEmpty},
		{"en", "USD", "abc", 0, KindSyntax},
		{"en", "USD", "1e-3", 0, KindSyntax},
		{"pl", "PLN", "0.12", 0, KindWrongDecimalSeparator},
		{"en", "USD", "0,12", 0, KindWrongDecimalSeparator},
	} {
		r, err := ParseRate(tc.input, tc.code, tc.lang)
		if tc.kind == 0 {
			if err != nil || r.E4() != tc.e4 || r.Currency() != tc.code {
				t.Errorf("ParseRate(%q, %s, %s) = %v, %v; want e4 %d", tc.input, tc.code, tc.lang, r, err, tc.e4)
			}
			continue
		}
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Kind != tc.kind || pe.Digits != RateDigits {
			t.Errorf("ParseRate(%q, %s, %s) err = %v, want kind %v", tc.input, tc.code, tc.lang, err, tc.kind)
		}
	}
	if _, err := ParseRate("1", "ZZZ", "en"); !errors.Is(err, ErrUnknownCurrency) {
		t.Errorf("ParseRate unknown currency: %v", err)
	}
}

func TestRateFormat(t *testing.T) {
	for _, tc := range []struct {
		e4         int64
		code, lang string
		want       string
	}{
		{1234, "PLN", "pl", "0,1234\u00a0zł"},
		{1200, "PLN", "pl", "0,12\u00a0zł"},
		{1000, "PLN", "pl", "0,10\u00a0zł"},
		{123456789, "PLN", "pl", "12\u00a0345,6789\u00a0zł"},
		{1234, "USD", "en", "$0.1234"},
		{1200, "USD", "en", "$0.12"},
		{1230, "USD", "en", "$0.123"},
		{20000, "USD", "en", "$2.00"},
		{0, "USD", "en", "$0.00"},
		{5000, "JPY", "en", "¥0.5"},
		{20000, "JPY", "en", "¥2"},
		{5, "BHD", "en", "BHD\u00a00.0005"},
		{10000, "BHD", "en", "BHD\u00a01.000"},
		{1234, "PLN", "en", "PLN\u00a00.1234"},
	} {
		r := RateFromE4(tc.e4, tc.code)
		if got := r.Format(tc.lang); got != tc.want {
			t.Errorf("RateFromE4(%d, %s).Format(%s) = %+q, want %+q", tc.e4, tc.code, tc.lang, got, tc.want)
		}
		back, err := ParseRate(r.Format(tc.lang), tc.code, tc.lang)
		if err != nil || back != r {
			t.Errorf("ParseRate(Format(%v)) = %v, %v", r, back, err)
		}
	}
	for _, tc := range []struct {
		r    Rate
		want string
	}{
		{RateFromE4(1234, "PLN"), "0.1234 PLN"},
		{RateFromE4(5, "USD"), "0.0005 USD"},
		{RateFromE4(-5, "USD"), "-0.0005 USD"},
		{RateFromE4(123456789, "USD"), "12345.6789 USD"},
		{RateFromE4(math.MinInt64, "USD"), "-922337203685477.5808 USD"},
		{Rate{}, "0.0000 "},
	} {
		if got := tc.r.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
	if got := RateFromE4(1234, "ZZZ").Format("en"); got != "0.1234 ZZZ" {
		t.Errorf("unknown currency Format = %q", got)
	}
}

func TestRateFormatNumber(t *testing.T) {
	for _, tc := range []struct {
		e4   int64
		code string
		lang string
		want string
	}{
		{1234, "PLN", "pl", "0,1234"},
		{1200, "USD", "en", "0.12"},
		{12345678, "USD", "en", "1234.5678"},
		{5000, "JPY", "en", "0.5"},
		{0, "PLN", "pl", "0,00"},
	} {
		r := RateFromE4(tc.e4, tc.code)
		if got := r.FormatNumber(tc.lang); got != tc.want {
			t.Errorf("RateFromE4(%d, %s).FormatNumber(%s) = %q, want %q", tc.e4, tc.code, tc.lang, got, tc.want)
		}
		back, err := ParseRate(r.FormatNumber(tc.lang), tc.code, tc.lang)
		if err != nil || back.E4() != tc.e4 {
			t.Errorf("ParseRate(FormatNumber) = %v, %v; want e4 %d", back.E4(), err, tc.e4)
		}
	}
}
