package storetest

import (
	"context"
	"testing"

	"github.com/trainpay/trainpay/app"
)

// RunPromoReturnStore is the contract of giving a promotional code's use
// back: a registration refunded in full returns its use, to the code's
// limit and to the attendee's, and the database does it when the refund
// settles; a partial refund keeps the use until the rest is refunded too.
// open returns a fresh, empty store.
func RunPromoReturnStore(t *testing.T, open func(*testing.T) PromoBackend) {
	for _, tc := range []struct {
		name string
		run  func(*testing.T, func(*testing.T) PromoBackend)
	}{
		{"FullRefundReturnsTheUseToTheCodeAndTheAttendee", promoFullRefundReturnsTheUse},
		{"PartialRefundKeepsTheUseUntilTheRestIsRefunded", promoPartialRefundKeepsTheUse},
		{"ReturnedUseLetsAnotherAttendeeTakeTheLastUse", promoReturnedUseFreesTheLastUse},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, open) })
	}
}

// SAVE20 (ten uses, one per attendee) used once and refunded in full: the
// code is back at 0 of 10 and the attendee may use it again. The report
// still counts the refunded registration's money.
func promoFullRefundReturnsTheUse(t *testing.T, open func(*testing.T) PromoBackend) {
	f := newPromoFixture(t, open, "PLN")
	ctx := context.Background()
	sess := f.session("Excel", 10000, "PLN")
	code := f.code(app.PromoCode{Code: "SAVE20", Kind: app.DiscountPercent, PercentBP: 2000, UseLimit: 10, PerAttendeeLimit: 1})
	reg := f.registration(sess, "ola@example.pl")
	q, _ := f.reserve(sess, reg, "ola@example.pl", code.Code)
	sale, err := f.pay(reg, q.TotalMinor, q.Currency, app.StateApproved)
	if err != nil {
		t.Fatal(err)
	}
	if used, reserved := f.uses(code.ID); used != 1 || reserved != 0 {
		t.Fatalf("paid: %d used, %d reserved", used, reserved)
	}
	f.refund(sale, 8000)
	if used, reserved := f.uses(code.ID); used != 0 || reserved != 0 {
		t.Fatalf("refunded in full: %d used, %d reserved, want the use back", used, reserved)
	}
	rep, err := f.promo.Reports(ctx, code.ID)
	if err != nil || rep[0].Uses != 0 || rep[0].RefundedUses != 1 || rep[0].ChargedMinor != 8000 ||
		rep[0].RefundedMinor != 8000 || rep[0].RevenueMinor != 0 || rep[0].DiscountMinor != 0 {
		t.Fatalf("report %+v %v", rep, err)
	}
	// The same attendee registers again and may use the code again.
	again := f.registration(sess, "ola@example.pl")
	q, _ = f.reserve(sess, again, "ola@example.pl", code.Code)
	if _, err := f.pay(again, q.TotalMinor, q.Currency, app.StateApproved); err != nil {
		t.Fatal(err)
	}
	if used, _ := f.uses(code.ID); used != 1 {
		t.Fatalf("used again: %d", used)
	}
}

// A partial refund keeps the use (the attendee kept part of what the code
// bought); refunding the rest returns it.
func promoPartialRefundKeepsTheUse(t *testing.T, open func(*testing.T) PromoBackend) {
	f := newPromoFixture(t, open, "USD")
	ctx := context.Background()
	sess := f.session("Go", 10000, "USD")
	code := f.code(app.PromoCode{Code: "HALF-BACK", UseLimit: 5, PerAttendeeLimit: 1}) // 15% off: 85.00
	reg := f.registration(sess, "ann@example.com")
	q, _ := f.reserve(sess, reg, "ann@example.com", code.Code)
	sale, err := f.pay(reg, q.TotalMinor, q.Currency, app.StateApproved)
	if err != nil {
		t.Fatal(err)
	}
	f.refund(sale, 4250)
	if used, _ := f.uses(code.ID); used != 1 {
		t.Fatalf("partly refunded: %d used, want the use kept", used)
	}
	other := f.registration(sess, "ann@example.com")
	_, err = f.promo.Quote(ctx, sess, "ann@example.com", code.Code)
	wantKey(t, err, "error.promo.already_used", "the attendee's use is kept")
	f.refund(sale, 4250)
	if used, _ := f.uses(code.ID); used != 0 {
		t.Fatalf("refunded the rest: %d used, want the use back", used)
	}
	f.reserve(sess, other, "ann@example.com", code.Code)
}

// A code with one use, used: nobody else may use it; refunded in full,
// the next attendee takes the use, and then it is used up again.
func promoReturnedUseFreesTheLastUse(t *testing.T, open func(*testing.T) PromoBackend) {
	f := newPromoFixture(t, open, "USD")
	ctx := context.Background()
	sess := f.session("SQL", 10000, "USD")
	code := f.code(app.PromoCode{Code: "ONLY-ONE", UseLimit: 1, PerAttendeeLimit: 1})
	first := f.registration(sess, "a@example.com")
	q, _ := f.reserve(sess, first, "a@example.com", code.Code)
	sale, err := f.pay(first, q.TotalMinor, q.Currency, app.StateApproved)
	if err != nil {
		t.Fatal(err)
	}
	second := f.registration(sess, "b@example.com")
	_, err = f.promo.Quote(ctx, sess, "b@example.com", code.Code)
	wantKey(t, err, "error.promo.used_up", "the only use is taken")
	f.refund(sale, q.TotalMinor)
	q, _ = f.reserve(sess, second, "b@example.com", code.Code)
	if _, err := f.pay(second, q.TotalMinor, q.Currency, app.StateApproved); err != nil {
		t.Fatal(err)
	}
	third := f.registration(sess, "c@example.com")
	_, err = f.promo.Quote(ctx, sess, "c@example.com", code.Code)
	wantKey(t, err, "error.promo.used_up", "the returned use is taken again")
	_ = third
	if used, _ := f.uses(code.ID); used != 1 {
		t.Fatalf("uses %d", used)
	}
}
