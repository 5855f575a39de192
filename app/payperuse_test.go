package app

import (
	"testing"
)

func TestEstimate(t *testing.T) {
	for _, tc := range []struct {
		name                            string
		usage                           Usage
		rates                           Rates
		personMinutes, teleMinutes      int64
		personCost, teleCost, totalCost string
	}{
		{
			"the issue's example",
			Usage{90, 25, 10},
			Rates{1200, 800, "USD"},
			2250, 900, "270.00", "72.00", "342.00",
		},
		{
			"4-decimal rates round each line half-up",
			Usage{90, 25, 5},
			Rates{1235, 805, "USD"},
			// 277.875 → 277.88 and 36.225 → 36.23: the total is the sum of
			// the rounded lines (314.11), not the rounded sum (314.10).
			2250, 450, "277.88", "36.23", "314.11",
		},
		{
			"half a minor unit rounds up, below half down",
			Usage{1, 1, 1},
			Rates{50, 49, "PLN"},
			1, 1, "0.01", "0.00", "0.01",
		},
		{
			"JPY has no minor digits",
			Usage{90, 25, 10},
			Rates{12345, 5000, "JPY"},
			// 2777.625 → 2778; 450 exactly.
			2250, 900, "2778", "450", "3228",
		},
		{
			"JPY half a yen rounds up",
			Usage{2, 1, 0},
			Rates{2500, 0, "JPY"},
			2, 0, "1", "0", "1",
		},
		{
			"BHD has three",
			Usage{7, 3, 1},
			Rates{1235, 1, "BHD"},
			// 21 × 0.1235 = 2.5935 → 2.594; 7 × 0.0001 = 0.0007 → 0.001.
			21, 7, "2.594", "0.001", "2.595",
		},
		{
			"no teleconference",
			Usage{60, 10, 0},
			Rates{1200, 800, "PLN"},
			600, 0, "72.00", "0.00", "72.00",
		},
		{
			"10,000 computers for 600 minutes",
			Usage{600, 10_000, 10_000},
			Rates{1234, 800, "USD"},
			6_000_000, 6_000_000, "740400.00", "480000.00", "1220400.00",
		},
		{
			"free rates",
			Usage{90, 25, 10},
			Rates{0, 0, "EUR"},
			2250, 900, "0.00", "0.00", "0.00",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Estimate(tc.usage, tc.rates)
			if err != nil {
				t.Fatal(err)
			}
			if e.PersonMinutes != tc.personMinutes || e.TeleconferenceMinutes != tc.teleMinutes {
				t.Errorf("minutes = %d, %d; want %d, %d", e.PersonMinutes, e.TeleconferenceMinutes, tc.personMinutes, tc.teleMinutes)
			}
			for _, c := range []struct{ what, got, want string }{
				{"person", e.PersonCost.Number(), tc.personCost},
				{"teleconference", e.TeleconferenceCost.Number(), tc.teleCost},
				{"total", e.Total.Number(), tc.totalCost},
			} {
				if c.got != c.want {
					t.Errorf("%s = %s, want %s", c.what, c.got, c.want)
				}
			}
			if e.TotalMinor != e.PersonMinor+e.TeleconferenceMinor || e.Total.CurrencyCode() != tc.rates.Currency {
				t.Errorf("total %d (%s) is not %d + %d", e.TotalMinor, e.Total, e.PersonMinor, e.TeleconferenceMinor)
			}
		})
	}
}

func TestEstimateRefuses(t *testing.T) {
	usd := Rates{1200, 800, "USD"}
	for _, tc := range []struct {
		name  string
		usage Usage
		rates Rates
		key   string
		msg   string
	}{
		{
			"teleconference above computers",
			Usage{90, 10, 11},
			usd, "error.payperuse.teleconference_above_computers",
			"11 computers on the teleconference is more than the 10 computers connected",
		},
		{"zero duration", Usage{0, 10, 0}, usd, "error.payperuse.duration_positive", "the duration must be at least one minute"},
		{"negative duration", Usage{-90, 10, 0}, usd, "error.payperuse.duration_positive", "the duration must be at least one minute"},
		{"longer than a day", Usage{MaxSessionMinutes + 1, 10, 0}, usd, "error.payperuse.duration_too_long", "a session lasts at most 1440 minutes"},
		{"no computers", Usage{90, 0, 0}, usd, "error.payperuse.computers_positive", "at least one computer must be connected"},
		{"too many computers", Usage{90, MaxComputers + 1, 0}, usd, "error.payperuse.computers_too_many", "at most 100000 computers can be connected"},
		{"negative teleconference", Usage{90, 10, -1}, usd, "error.payperuse.teleconference_negative", "the computers on the teleconference cannot be negative"},
		{"negative rate", Usage{90, 10, 1}, Rates{-1, 0, "USD"}, "error.site.rate", "a per-minute rate must be between 0 and 1000"},
		{"unknown currency", Usage{90, 10, 1}, Rates{1, 0, "XYZ"}, "error.site.currency", `"XYZ" is not an ISO 4217 currency`},
		{
			"more than TrainPay can charge",
			Usage{MaxSessionMinutes, MaxComputers, 0},
			Rates{MaxRateE4, 0, "USD"},
			"error.payperuse.too_large", "the estimated cost is larger than TrainPay can charge",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Estimate(tc.usage, tc.rates)
			e := AsError(err)
			if err == nil || e.Code != EINVALID || e.Key != tc.key || e.Message != tc.msg {
				t.Fatalf("Estimate(%+v) = %v (%+v); want %s %q", tc.usage, err, e, tc.key, tc.msg)
			}
		})
	}
}

func BenchmarkEstimate(b *testing.B) {
	for b.Loop() {
		if _, err := Estimate(Usage{600, 10_000, 2_500}, Rates{1235, 805, "USD"}); err != nil {
			b.Fatal(err)
		}
	}
}
