package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

// TestConfirmationShowsThePromotionalCodesDiscount: after paying with a
// promotional code, the confirmation says which code, how much it took off,
// the price before it and what was paid; also when the code made the
// registration free. In English and Polish.
func TestConfirmationShowsThePromotionalCodesDiscount(t *testing.T) {
	for _, c := range []struct {
		language, code string
		card           bool
		want           []string
	}{
		{"en", "half", true, []string{
			"Promotional code HALF: −PLN 100.00", "Price before the code: PLN 200.00", "Paid: PLN 100.00.",
		}},
		{"en", "free", false, []string{
			"Promotional code FREE: −PLN 200.00", "Price before the code: PLN 200.00", "Paid: PLN 0.00.",
		}},
		{"pl", "half", true, []string{
			"Kod rabatowy HALF: −100,00 zł", "Cena przed rabatem: 200,00 zł", "Zapłacono: 100,00 zł.",
		}},
		{"pl", "free", false, []string{
			"Kod rabatowy FREE: −200,00 zł", "Cena przed rabatem: 200,00 zł", "Zapłacono: 0,00 zł.",
		}},
	} {
		t.Run(c.language+"/"+c.code, func(t *testing.T) {
			e := newSessionsEnv(t, c.language, true, &fakePromo{})
			s := e.schedulePaid("Discounts", 200_00, 10)
			f := showRegisterDialog(e.deps, e.w, s, nil)
			registerAttendee(t, f, "Ewa", "Lis", "ewa@example.com")
			p := f.payment
			test.Type(p.Widgets().Code, c.code)
			test.Tap(p.Widgets().Apply)
			test.Tap(p.PayButton())
			if c.card {
				d := payByCard(t, e.w, p)
				test.Tap(d.Widgets().Close)
			}
			texts := screenTexts(e.w)
			if !hasText(texts, T("register.confirmed")) {
				t.Fatalf("not confirmed: %q", texts)
			}
			for _, want := range c.want {
				if !hasText(texts, want) {
					t.Errorf("the confirmation lacks %q: %q", want, texts)
				}
			}
		})
	}
}
