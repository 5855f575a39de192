package money

import (
	"errors"
	"testing"

	"github.com/bojanz/currency"
)

func TestRoundHalfValues(t *testing.T) {
	for _, tc := range []struct {
		n, code          string
		halfUp, halfEven string
	}{
		{"0.125", "USD", "0.13", "0.12"},
		{"0.135", "USD", "0.14", "0.14"},
		{"2.675", "USD", "2.68", "2.68"},
		{"2.665", "USD", "2.67", "2.66"},
		{"277.875", "USD", "277.88", "277.88"},
		{"277.865", "USD", "277.87", "277.86"},
		{"-0.125", "USD", "-0.13", "-0.12"},
		{"0.124999", "USD", "0.12", "0.12"},
		{"0.125001", "USD", "0.13", "0.13"},
		{"12.50", "USD", "12.50", "12.50"},
		{"0.5", "JPY", "1", "0"},
		{"1.5", "JPY", "2", "2"},
		{"2.5", "JPY", "3", "2"},
		{"1.0005", "BHD", "1.001", "1.000"},
		{"1.0015", "BHD", "1.002", "1.002"},
	} {
		a := amt(t, tc.n, tc.code)
		if got := Round(a, currency.RoundHalfUp); got.Number() != tc.halfUp {
			t.Errorf("Round(%s, RoundHalfUp) = %s, want %s", a, got.Number(), tc.halfUp)
		}
		if got := Round(a, currency.RoundHalfEven); got.Number() != tc.halfEven {
			t.Errorf("Round(%s, RoundHalfEven) = %s, want %s", a, got.Number(), tc.halfEven)
		}
	}
	// The other named modes.
	a := amt(t, "1.231", "USD")
	for mode, want := range map[currency.RoundingMode]string{
		currency.RoundUp: "1.24", currency.RoundDown: "1.23", currency.RoundHalfDown: "1.23",
	} {
		if got := Round(a, mode); got.Number() != want {
			t.Errorf("Round(%s, %d) = %s, want %s", a, mode, got.Number(), want)
		}
	}
	if got := Round(amt(t, "1.235", "USD"), currency.RoundHalfDown); got.Number() != "1.23" {
		t.Errorf("RoundHalfDown(1.235) = %s", got.Number())
	}
}

func TestRoundInvalidModePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Round with an unknown mode did not panic")
		}
	}()
	Round(amt(t, "1", "USD"), currency.RoundingMode(99))
}

func TestPercent(t *testing.T) {
	for _, tc := range []struct {
		n, code, pct string
		mode         currency.RoundingMode
		want         string
	}{
		{"9.99", "USD", "15", currency.RoundHalfUp, "1.50"}, // 1.4985
		{"9.99", "USD", "15", currency.RoundHalfEven, "1.50"},
		{"9.99", "USD", "15", currency.RoundDown, "1.49"},
		{"10.00", "USD", "33.33", currency.RoundHalfUp, "3.33"},
		{"0.50", "USD", "25", currency.RoundHalfUp, "0.13"}, // 0.125
		{"0.50", "USD", "25", currency.RoundHalfEven, "0.12"},
		{"100", "USD", "100", currency.RoundHalfUp, "100.00"},
		{"100", "USD", "0", currency.RoundHalfUp, "0.00"},
		{"100", "USD", "250", currency.RoundHalfUp, "250.00"},
		{"100", "USD", "0.0001", currency.RoundHalfUp, "0.00"},
		{"999", "JPY", "15", currency.RoundHalfUp, "150"}, // 149.85
		{"1.999", "BHD", "15", currency.RoundHalfUp, "0.300"},
		{"-9.99", "USD", "15", currency.RoundHalfUp, "-1.50"},
		{"92233720368547758.07", "USD", "1000", currency.RoundHalfUp, "922337203685477580.70"},
	} {
		got, err := Percent(amt(t, tc.n, tc.code), tc.pct, tc.mode)
		if err != nil || got.Number() != tc.want || got.CurrencyCode() != tc.code {
			t.Errorf("Percent(%s %s, %s, %d) = %v, %v; want %s", tc.n, tc.code, tc.pct, tc.mode, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		n, code, pct string
		mode         currency.RoundingMode
		err          error
	}{
		{"10", "USD", "", currency.RoundHalfUp, ErrInvalidPercent},
		{"10", "USD", "-5", currency.RoundHalfUp, ErrInvalidPercent},
		{"10", "USD", "1e2", currency.RoundHalfUp, ErrInvalidPercent},
		{"10", "USD", "15,5", currency.RoundHalfUp, ErrInvalidPercent},
		{"10", "USD", "15.", currency.RoundHalfUp, ErrInvalidPercent},
		{"10", "USD", ".5", currency.RoundHalfUp, ErrInvalidPercent},
		{"10", "USD", "1.23456", currency.RoundHalfUp, ErrInvalidPercent},
		{"10", "USD", "1000.01", currency.RoundHalfUp, ErrInvalidPercent},
		{"10", "USD", "NaN", currency.RoundHalfUp, ErrInvalidPercent},
		{"10.001", "USD", "15", currency.RoundHalfUp, ErrInexact},
		{"10", "USD", "15", currency.RoundingMode(42), ErrRoundingMode},
	} {
		_, err := Percent(amt(t, tc.n, tc.code), tc.pct, tc.mode)
		if !errors.Is(err, tc.err) {
			t.Errorf("Percent(%s, %q) err = %v, want %v", tc.n, tc.pct, err, tc.err)
		}
	}
}

func TestApplyPercentDiscount(t *testing.T) {
	for _, tc := range []struct {
		fee, code, pct  string
		discount, total string
	}{
		{"9.99", "USD", "15", "1.50", "8.49"},
		{"9.99", "GBP", "15", "1.50", "8.49"},
		{"9.99", "PLN", "15", "1.50", "8.49"},
		{"999", "JPY", "15", "150", "849"},
		{"9.999", "BHD", "15", "1.500", "8.499"}, // 1.49985
		{"10.00", "USD", "33.33", "3.33", "6.67"},
		{"29.99", "PLN", "33.33", "10.00", "19.99"}, // 9.995667
		{"0.03", "GBP", "33.33", "0.01", "0.02"},    // 0.009999
		{"1000", "JPY", "33.33", "333", "667"},      // 333.3
		{"10.000", "BHD", "33.33", "3.333", "6.667"},
		{"9.99", "USD", "100", "9.99", "0.00"},
		{"9.99", "GBP", "100", "9.99", "0.00"},
		{"49.90", "PLN", "100", "49.90", "0.00"},
		{"999", "JPY", "100.0000", "999", "0"},
		{"9.99", "USD", "0", "0.00", "9.99"},
		{"0", "USD", "50", "0.00", "0.00"},
		{"0.01", "USD", "50", "0.01", "0.00"}, // 0.005 half-up
		{"12.5", "PLN", "10", "1.25", "11.25"},
	} {
		d, total, err := ApplyPercentDiscount(amt(t, tc.fee, tc.code), tc.pct, currency.RoundHalfUp)
		if err != nil || d.Number() != tc.discount || total.Number() != tc.total ||
			d.CurrencyCode() != tc.code || total.CurrencyCode() != tc.code {
			t.Errorf("ApplyPercentDiscount(%s %s, %s%%) = %v, %v, %v; want %s, %s",
				tc.fee, tc.code, tc.pct, d, total, err, tc.discount, tc.total)
		}
	}
	// The rounding mode is the caller's explicit choice.
	d, total, err := ApplyPercentDiscount(amt(t, "0.01", "USD"), "50", currency.RoundHalfEven)
	if err != nil || d.Number() != "0.00" || total.Number() != "0.01" {
		t.Errorf("half-even 50%% of 0.01 = %v, %v, %v", d, total, err)
	}
	for _, tc := range []struct {
		fee, code, pct string
		err            error
	}{
		{"9.99", "USD", "100.01", ErrInvalidPercent},
		{"9.99", "USD", "150", ErrInvalidPercent},
		{"-9.99", "USD", "15", ErrNegative},
		{"9.999", "USD", "15", ErrInexact},
	} {
		if _, _, err := ApplyPercentDiscount(amt(t, tc.fee, tc.code), tc.pct, currency.RoundHalfUp); !errors.Is(err, tc.err) {
			t.Errorf("ApplyPercentDiscount(%s, %s) err = %v, want %v", tc.fee, tc.pct, err, tc.err)
		}
	}
	if _, _, err := ApplyPercentDiscount(currency.Amount{}, "15", currency.RoundHalfUp); !errors.Is(err, ErrUnknownCurrency) {
		t.Errorf("zero Amount: %v", err)
	}
}

func TestApplyFixedDiscount(t *testing.T) {
	for _, tc := range []struct {
		fee, disc, code string
		applied, total  string
	}{
		{"9.99", "2", "USD", "2.00", "7.99"},
		{"9.99", "20", "USD", "9.99", "0.00"},
		{"9.99", "9.99", "GBP", "9.99", "0.00"},
		{"9.99", "10.00", "GBP", "9.99", "0.00"},
		{"49.90", "5.5", "PLN", "5.50", "44.40"},
		{"49.90", "100", "PLN", "49.90", "0.00"},
		{"999", "100", "JPY", "100", "899"},
		{"999", "5000", "JPY", "999", "0"},
		{"1.500", "0.250", "BHD", "0.250", "1.250"},
		{"9.99", "0", "USD", "0.00", "9.99"},
		{"0", "5", "USD", "0.00", "0.00"},
	} {
		d, total, err := ApplyFixedDiscount(amt(t, tc.fee, tc.code), amt(t, tc.disc, tc.code))
		if err != nil || d.Number() != tc.applied || total.Number() != tc.total {
			t.Errorf("ApplyFixedDiscount(%s, %s %s) = %v, %v, %v; want %s, %s",
				tc.fee, tc.disc, tc.code, d, total, err, tc.applied, tc.total)
		}
	}
	for _, tc := range []struct {
		fee, fc, disc, dc string
		err               error
	}{
		{"9.99", "USD", "1", "PLN", ErrCurrencyMismatch},
		{"9.99", "USD", "-1", "USD", ErrNegative},
		{"-9.99", "USD", "1", "USD", ErrNegative},
		{"9.99", "USD", "1.005", "USD", ErrInexact},
	} {
		if _, _, err := ApplyFixedDiscount(amt(t, tc.fee, tc.fc), amt(t, tc.disc, tc.dc)); !errors.Is(err, tc.err) {
			t.Errorf("ApplyFixedDiscount(%s %s, %s %s) err = %v, want %v", tc.fee, tc.fc, tc.disc, tc.dc, err, tc.err)
		}
	}
}
