package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

// Acceptance 5: a headless UI test generates 20 codes, applies one on the
// Payment Information page (the paid-sessions feature's page, with the real
// PromoService behind it) and pays on the sandbox.
func TestPromoGenerateTwentyApplyOnPaymentInformationAndPay(t *testing.T) {
	e, promo := newPromoSessionsEnv(t, "en")
	ctx := context.Background()
	sess := e.schedulePaid("Discounts", 200_00, 10)

	site := e.site()
	s := newPromoScreen(e.deps, e.w, site)
	e.w.SetContent(s.root)
	test.Tap(s.generate)
	s.form.quantity.SetText("20")
	s.form.value.SetText("25")
	test.Tap(s.form.submit)
	if len(s.shown()) != 20 {
		t.Fatalf("%d codes: %q %q", len(s.shown()), s.form.msg.Text, s.status.Text)
	}
	code := s.shown()[7].Code

	f := showRegisterDialog(e.deps, e.w, sess, nil)
	registerAttendee(t, f, "Ewa", "Lis", "ewa@example.com")
	p := f.payment
	if p == nil {
		t.Fatalf("no Payment Information page: %q", f.message.Text)
	}
	test.Type(p.Widgets().Code, "  "+strings.ToLower(code)+" ")
	test.Tap(p.Widgets().Apply)
	texts := screenTexts(e.w)
	for _, want := range []string{"Total to pay: PLN 150.00"} {
		if !hasText(texts, want) {
			t.Fatalf("lacks %q: %q", want, texts)
		}
	}
	test.Tap(p.PayButton())
	d := payByCard(t, e.w, p)
	if _, err := d.Outcome(); err != nil {
		t.Fatalf("payment: %v", err)
	}
	if e.charges() != 1 {
		t.Fatalf("sandbox charges: %d", e.charges())
	}
	codes, err := promo.Codes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range codes {
		if c.Code == code && (c.Uses != 1 || c.Reserved != 0) {
			t.Fatalf("code after paying: %+v", c)
		}
	}
	rep, err := promo.Reports(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep {
		if r.Code == code && (r.Uses != 1 || r.RevenueMinor != 150_00 || r.DiscountMinor != 50_00) {
			t.Fatalf("report %+v", r)
		}
	}
}
