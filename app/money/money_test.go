package money

import (
	"errors"
	"math"
	"testing"

	"github.com/bojanz/currency"
)

func TestDigits(t *testing.T) {
	for code, want := range map[string]uint8{"JPY": 0, "USD": 2, "PLN": 2, "GBP": 2, "EUR": 2, "BHD": 3, "KWD": 3, "CLF": 4, "": 0, "ZZZ": 0} {
		if got := Digits(code); got != want {
			t.Errorf("Digits(%q) = %d, want %d", code, got, want)
		}
	}
	if IsValidCode("") || IsValidCode("ZZZ") || IsValidCode("usd") || !IsValidCode("PLN") {
		t.Error("IsValidCode")
	}
}

func TestFromToMinor(t *testing.T) {
	for _, tc := range []struct {
		minor int64
		code  string
		want  string
	}{
		{1250, "USD", "12.50"},
		{1250, "JPY", "1250"},
		{1250, "BHD", "1.250"},
		{0, "PLN", "0.00"},
		{-599, "PLN", "-5.99"},
		{math.MaxInt64, "USD", "92233720368547758.07"},
		{math.MinInt64, "USD", "-92233720368547758.08"},
	} {
		a, err := FromMinor(tc.minor, tc.code)
		if err != nil || a.Number() != tc.want || a.CurrencyCode() != tc.code {
			t.Errorf("FromMinor(%d, %s) = %v, %v; want %s", tc.minor, tc.code, a, err, tc.want)
			continue
		}
		back, err := ToMinor(a)
		if err != nil || back != tc.minor {
			t.Errorf("ToMinor(%v) = %d, %v; want %d", a, back, err, tc.minor)
		}
	}
	if _, err := FromMinor(1, "ZZZ"); !errors.Is(err, ErrUnknownCurrency) {
		t.Errorf("FromMinor unknown currency: %v", err)
	}
	if _, err := FromMinor(1, ""); !errors.Is(err, ErrUnknownCurrency) {
		t.Errorf("FromMinor empty currency: %v", err)
	}
}

func TestToMinor(t *testing.T) {
	for _, tc := range []struct {
		n, code string
		want    int64
		err     error
	}{
		{"12.50", "USD", 1250, nil},
		{"12.500", "USD", 1250, nil}, // trailing zeros are exact
		{"12.5", "USD", 1250, nil},
		{"12", "USD", 1200, nil},
		{"-0.01", "USD", -1, nil},
		{"1235", "JPY", 1235, nil},
		{"1.234", "BHD", 1234, nil},
		{"12.345", "USD", 0, ErrInexact},
		{"12.001", "USD", 0, ErrInexact},
		{"1.5", "JPY", 0, ErrInexact},
		{"1.2345", "BHD", 0, ErrInexact},
		{"0.0000000000000000000000000000000000000000001", "USD", 0, ErrInexact},
		{"92233720368547758.08", "USD", 0, ErrOutOfRange},
		{"1E30", "USD", 0, ErrOutOfRange},
		{"Infinity", "USD", 0, ErrOutOfRange},
		{"-Infinity", "USD", 0, ErrOutOfRange},
		{"NaN", "USD", 0, ErrOutOfRange},
	} {
		got, err := ToMinor(amt(t, tc.n, tc.code))
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("ToMinor(%s %s) = %d, %v; want %v", tc.n, tc.code, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ToMinor(%s %s) = %d, %v; want %d", tc.n, tc.code, got, err, tc.want)
		}
	}
	if _, err := ToMinor(currency.Amount{}); !errors.Is(err, ErrUnknownCurrency) {
		t.Errorf("ToMinor(Amount{}) = %v, want ErrUnknownCurrency", err)
	}
}

func TestMaxAmount(t *testing.T) {
	for code, want := range map[string]string{"USD": "999999999.99", "JPY": "999999999", "BHD": "999999999.999"} {
		a, err := MaxAmount(code)
		if err != nil || a.Number() != want {
			t.Errorf("MaxAmount(%s) = %v, %v", code, a, err)
		}
		m, err := ToMinor(a)
		if err != nil || m <= 0 {
			t.Errorf("ToMinor(MaxAmount(%s)) = %d, %v", code, m, err)
		}
	}
	z, err := Zero("JPY")
	if err != nil || z.Number() != "0" || !z.IsZero() {
		t.Errorf("Zero(JPY) = %v, %v", z, err)
	}
}

// The package keeps no mutable state; exercise it concurrently under -race.
func TestConcurrentUse(t *testing.T) {
	done := make(chan bool)
	for i := 0; i < 8; i++ {
		go func() {
			defer func() { done <- true }()
			for j := 0; j < 200; j++ {
				a, err := Parse("12 345,67 zł", "PLN", "pl")
				if err != nil || Format(a, "pl") != "12\u00a0345,67\u00a0zł" {
					t.Errorf("Parse/Format: %v %v", a, err)
					return
				}
				if _, _, err := ApplyPercentDiscount(a, "33.33", currency.RoundHalfEven); err != nil {
					t.Error(err)
					return
				}
				if c, err := RateFromE4(1235, "USD").Cost(2250, currency.RoundHalfDown); err != nil || c.Number() != "277.87" {
					t.Errorf("Cost: %v %v", c, err)
					return
				}
			}
		}()
	}
	for i := 0; i < 8; i++ {
		<-done
	}
}
