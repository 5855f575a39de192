package app

import (
	"testing"

	"github.com/bojanz/currency"
)

func TestPlanBreakEven(t *testing.T) {
	amt := func(n, c string) currency.Amount {
		a, err := currency.NewAmount(n, c)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	for _, tc := range []struct {
		fee, pct, cost, code string
		net                  string
		n                    int64
	}{
		{"25.00", "0", "342.00", "USD", "25.00", 14},  // 13 × 25 = 325 < 342 ≤ 350
		{"25.00", "10", "342.00", "USD", "22.50", 16}, // 15 × 22.50 = 337.50 < 342
		{"9.99", "15", "342.00", "USD", "8.49", 41},   // discount 1.4985 → 1.50
		{"30.00", "", "360.00", "USD", "30.00", 12},   // exactly 12
		{"500", "33.33", "3228", "JPY", "333", 10},
		{"25.00", "10", "0.00", "USD", "22.50", 0},
	} {
		b, err := PlanBreakEven(amt(tc.fee, tc.code), tc.pct, amt(tc.cost, tc.code))
		if err != nil || b.Attendees != tc.n || b.NetPerAttendee.Number() != tc.net {
			t.Errorf("%s at %s%% for %s: %d attendees at %s, %v; want %d at %s", tc.fee, tc.pct, tc.cost, b.Attendees, b.NetPerAttendee.Number(), err, tc.n, tc.net)
		}
	}
	for _, tc := range []struct{ fee, pct, cost, key string }{
		{"25.00", "100", "10.00", "error.payperuse.never_breaks_even"},
		{"25.00", "101", "10.00", "error.payperuse.discount_share"},
		{"25.00", "abc", "10.00", "error.payperuse.discount_share"},
	} {
		_, err := PlanBreakEven(amt(tc.fee, "USD"), tc.pct, amt(tc.cost, "USD"))
		if AsError(err).Key != tc.key {
			t.Errorf("%+v: %v", tc, err)
		}
	}
	if _, err := PlanBreakEven(amt("1", "USD"), "0", amt("1", "EUR")); AsError(err).Key != "error.payperuse.currency_mismatch" {
		t.Errorf("currency mismatch: %v", err)
	}
}
