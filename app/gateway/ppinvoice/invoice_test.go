package ppinvoice

import (
	"encoding/json"
	"errors"
	"os"
	"testing"
)

// TestEveryStatusInTheSpecHasAState: each word of Invoicing v2's
// invoice_status enum maps to a state other than needs-review; any other
// word needs review with the word kept.
func TestEveryStatusInTheSpecHasAState(t *testing.T) {
	data, err := os.ReadFile("ppinvoicetest/testdata/invoicing_v2.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Enum []string `json:"enum"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	enum := doc.Components.Schemas["invoice_status"].Enum
	if len(enum) < 10 {
		t.Fatalf("the spec's invoice_status has %d values", len(enum))
	}
	for _, raw := range enum {
		s := StatusOf(raw)
		if s.State == StateNeedsReview || s.Raw != raw {
			t.Errorf("%s maps to %v", raw, s)
		}
	}
	want := map[string]State{
		"DRAFT": StateDraft, "SENT": StateAwaitingPayment, "UNPAID": StateAwaitingPayment,
		"SCHEDULED": StateAwaitingPayment, "PAYMENT_PENDING": StatePaymentPending, "PAID": StatePaid,
		"MARKED_AS_PAID": StatePaid, "PARTIALLY_PAID": StatePartiallyPaid, "CANCELLED": StateCancelled,
		"REFUNDED": StateRefunded, "MARKED_AS_REFUNDED": StateRefunded, "PARTIALLY_REFUNDED": StatePartiallyRefunded,
	}
	for raw, st := range want {
		if got := StatusOf(raw).State; got != st {
			t.Errorf("%s: %s, want %s", raw, got, st)
		}
	}
	for _, raw := range []string{"MARKED_AS_PAID", "MARKED_AS_REFUNDED"} {
		if !StatusOf(raw).External() {
			t.Errorf("%s is not external", raw)
		}
	}
	if StatusOf("PAID").External() {
		t.Error("PAID is external")
	}
	for _, raw := range []string{"", "paid", "ARCHIVED", "IN_DISPUTE"} {
		if s := StatusOf(raw); s.State != StateNeedsReview || s.Raw != raw {
			t.Errorf("%q maps to %v, want needs review with the word kept", raw, s)
		}
	}
}

// TestParseMinorIsExactPerCurrency: PayPal's decimals become minor units
// exactly or not at all.
func TestParseMinorIsExactPerCurrency(t *testing.T) {
	for _, c := range []struct {
		value, code string
		want        int64
	}{
		{"10", "USD", 1000},
		{"10.5", "USD", 1050},
		{"10.50", "USD", 1050},
		{"10.500", "USD", 1050},
		{".5", "USD", 50},
		{"-3.25", "USD", -325},
		{"0.10", "PLN", 10},
		{"5000", "JPY", 5000},
		{"1.234", "BHD", 1234},
		{"15000", "HUF", 1500000},
		{"92233720368547758.07", "USD", 9223372036854775807},
		{"0.07", "USD", 7},
		{"0.1", "USD", 10},
		{"0.2", "USD", 20},
	} {
		got, err := ParseMinor(c.value, c.code)
		if err != nil || got != c.want {
			t.Errorf("ParseMinor(%q, %s) = %d, %v; want %d", c.value, c.code, got, err, c.want)
		}
	}
	for _, c := range []struct{ value, code string }{
		{"10.505", "USD"},
		{"10.5", "JPY"},
		{"1,50", "PLN"},
		{"1e3", "USD"},
		{"", "USD"},
		{" 1", "USD"},
		{"10", "XYZ"},
		{"NaN", "USD"},
		{"0x10", "USD"},
		{"92233720368547758.08", "USD"},
		{"1.", "USD"},
	} {
		if got, err := ParseMinor(c.value, c.code); err == nil {
			t.Errorf("ParseMinor(%q, %s) = %d, want an error", c.value, c.code, got)
		}
	}
	if _, err := ParseMinor("10.505", "USD"); !errors.Is(err, errInexact) {
		t.Errorf("10.505 USD: %v, want the inexact error", err)
	}
}

func TestWireValueWritesPayPalsDigits(t *testing.T) {
	for _, c := range []struct {
		minor int64
		code  string
		want  string
	}{
		{1050, "USD", "10.50"},
		{5, "USD", "0.05"},
		{123450, "PLN", "1234.50"},
		{5000, "JPY", "5000"},
		{1500000, "HUF", "15000"},
		{1234, "BHD", "1.234"},
		{-325, "USD", "-3.25"},
		{300, "TWD", "3"},
	} {
		got, err := WireValue(c.minor, c.code)
		if err != nil || got != c.want {
			t.Errorf("WireValue(%d, %s) = %q, %v; want %q", c.minor, c.code, got, err, c.want)
		}
		back, err := ParseMinor(got, c.code)
		if err != nil || back != c.minor {
			t.Errorf("%q %s reads back as %d, %v", got, c.code, back, err)
		}
	}
	if v, err := WireValue(1500050, "HUF"); err == nil {
		t.Errorf("HUF with fillér written as %q", v)
	}
}
