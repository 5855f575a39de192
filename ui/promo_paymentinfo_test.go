package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/trainpay/trainpay/app"
)

// Acceptance 5: a headless UI test generates 20 codes, applies one on the
// Payment Information page (the paid-sessions feature's page, with the real
// PromoService behind it) and pays on the sandbox.
func TestPromoGenerateTwentyApplyOnPaymentInformationAndPay(t *testing.T) {
	promo := &app.PromoService{}
	e := newSessionsEnv(t, "en", true, promo)
	ctx := context.Background()
	promo.Store, promo.Site, promo.Sessions = e.db, e.payEnv.env.site, e.db
	promo.Secrets, promo.Mailer = &promoSecrets{m: map[string]string{}}, &outbox{}
	e.provision(app.FeaturePromoCodes)
	states, _ := e.db.Features(ctx)
	for i := range states {
		if states[i].Feature == app.FeaturePromoCodes {
			states[i].Enabled = true
		}
	}
	if err := e.db.SaveFeatures(ctx, states, nil); err != nil {
		t.Fatal(err)
	}
	e.deps.Promo = promo
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
	d := p.Card()
	if d == nil {
		t.Fatalf("no card dialog: %q", p.Widgets().Message.Text)
	}
	fillCard(e.w, d, "4111111111111111", "123")
	if d.Widgets().Postcode.Text == "" {
		replace(e.w, d.Widgets().Postcode, "00-001")
	}
	test.Tap(d.Widgets().Pay)
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
