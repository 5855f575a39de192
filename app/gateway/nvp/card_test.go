package nvp

import (
	"testing"

	"github.com/trainpay/trainpay/app"
)

func TestBrandOf(t *testing.T) {
	for _, tc := range []struct {
		pan   string
		brand app.Brand
		typ   string
	}{
		{panVisa, app.BrandVisa, "Visa"},
		{"4000056655665556", app.BrandVisa, "Visa"},
		{panMC, app.BrandMastercard, "MasterCard"},
		{"5105105105105100", app.BrandMastercard, "MasterCard"},
		{panMC2, app.BrandMastercard, "MasterCard"},
		{"2720990000000000", app.BrandMastercard, "MasterCard"},
		{"2721000000000000", app.BrandMaestro, ""}, // not MC, not 5x/6x: no PayPal type
		{panAmex, app.BrandAmex, "Amex"},
		{"341111111111111", app.BrandAmex, "Amex"},
		{panDiscover, app.BrandDiscover, "Discover"},
		{"6441111111111111", app.BrandDiscover, "Discover"},
		{"6511111111111111", app.BrandDiscover, "Discover"},
		{"6221261111111111", app.BrandDiscover, "Discover"},
		{panMaestro, app.BrandMaestro, "Maestro"},
		{"6767000000000000", app.BrandMaestro, "Maestro"},
		{"5018000000000000", app.BrandMaestro, "Maestro"},
		{"6304000000000000", app.BrandMaestro, "Maestro"},
		{panJCB, app.BrandJCB, ""},
		{panDiners, app.BrandDiners, ""},
		{"30569309025904", app.BrandDiners, ""},
		{"12345", app.BrandUnknown, ""},
		{"1234567890123", app.BrandUnknown, ""},
		{"41x1111111111111", app.BrandUnknown, ""},
	} {
		b, typ := brandOf([]byte(tc.pan))
		if tc.pan == "2721000000000000" {
			// 2721 is outside every range we know.
			if b != app.BrandUnknown || typ != "" {
				t.Errorf("%s: %q %q", tc.pan[:6], b, typ)
			}
			continue
		}
		if b != tc.brand || typ != tc.typ {
			t.Errorf("%s…: %q %q, want %q %q", tc.pan[:6], b, typ, tc.brand, tc.typ)
		}
	}
}

func TestFormatAmount(t *testing.T) {
	for _, tc := range []struct{ n, code, want string }{
		{"10", "GBP", "10.00"},
		{"10.5", "GBP", "10.50"},
		{"1000", "JPY", "1000"},
		{"1000", "HUF", "1000"},
		{"1000", "TWD", "1000"},
		{"1.234", "BHD", "1.234"},
		{"12345678.9", "USD", "12345678.90"},
		{"0.10", "EUR", "0.10"},
	} {
		got, err := formatAmount(amount(t, tc.n, tc.code))
		if err != nil || got != tc.want {
			t.Errorf("%s %s: %q %v, want %q", tc.n, tc.code, got, err, tc.want)
		}
	}
	for _, tc := range [][2]string{{"10.001", "GBP"}, {"0.5", "JPY"}, {"0", "GBP"}, {"-1", "GBP"}, {"1.5", "HUF"}} {
		if got, err := formatAmount(amount(t, tc[0], tc[1])); err == nil {
			t.Errorf("%s %s: %q, want an error", tc[0], tc[1], got)
		}
	}
}

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"London", 40, "London"},
		{"  a\tb\r\nc ", 40, "a b  c"},
		{"ŁŁŁ", 5, "ŁŁ"},
		{"abcdef", 3, "abc"},
	} {
		if got := clip(tc.s, tc.n); got != tc.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

func TestScrub(t *testing.T) {
	for in, want := range map[string]string{
		"card 4111111111111111 refused": "card [digits removed] refused",
		"card 4111 1111 1111 1111":      "card [digits removed]",
		"card 4111-1111-1111-1111.":     "card [digits removed].",
		"invoice 12345678901 ok":        "invoice 12345678901 ok",
		"10527 Invalid Data":            "10527 Invalid Data",
	} {
		if got := scrub(in); got != want {
			t.Errorf("scrub(%q) = %q, want %q", in, got, want)
		}
	}
}
