package storage_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
)

// The per-code report counts refunds: a refunded registration's payment is
// no longer revenue, and its discount no longer counts once nothing of it
// was kept; a partial refund lowers the revenue by what was refunded.
func TestPromoReportAccountsForRefunds(t *testing.T) {
	f := newPromoFixture(t, "USD")
	ctx := context.Background()
	sess := f.session("Refunds", 10000, "USD")
	code := f.code(app.PromoCode{Code: "REFUND-ME", UseLimit: 0, PerAttendeeLimit: 1}) // 15% off: 85.00 to pay
	var sales []app.Payment
	for _, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		reg := f.registration(sess, email)
		q, err := f.promo.Quote(ctx, sess, email, code.Code)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.promo.Reserve(ctx, q, reg); err != nil {
			t.Fatal(err)
		}
		p, err := f.pay1(q, reg)
		if err != nil {
			t.Fatal(err)
		}
		sales = append(sales, p)
	}
	report := func() app.PromoReport {
		t.Helper()
		rep, err := f.promo.Reports(ctx, code.ID)
		if err != nil || len(rep) != 1 {
			t.Fatalf("%+v %v", rep, err)
		}
		return rep[0]
	}
	if r := report(); r.Uses != 3 || r.RevenueMinor != 25500 || r.ChargedMinor != 25500 || r.DiscountMinor != 4500 || r.RefundedUses != 0 {
		t.Fatalf("before refunds %+v", r)
	}
	full, _ := currency.NewAmountFromInt64(8500, "USD")
	if _, err := f.pay.Refund(ctx, sales[0].ID, full, "refunded by the host"); err != nil {
		t.Fatal(err)
	}
	half, _ := currency.NewAmountFromInt64(4250, "USD")
	if _, err := f.pay.Refund(ctx, sales[1].ID, half, "cancelled by the attendee"); err != nil {
		t.Fatal(err)
	}
	r := report()
	// Uses are final and stay; revenue is what was kept: 85 + 42.50.
	if r.Uses != 3 || r.Attendees != 3 || r.RefundedUses != 2 {
		t.Fatalf("uses after refunds %+v", r)
	}
	if r.ChargedMinor != 25500 || r.RefundedMinor != 12750 || r.RevenueMinor != 12750 {
		t.Fatalf("revenue after refunds %+v", r)
	}
	// The fully refunded registration's 15.00 is no longer a discount given.
	if r.DiscountMinor != 3000 {
		t.Fatalf("discount after refunds %+v", r)
	}
	var b bytes.Buffer
	if err := app.WritePromoReportsCSV(&b, []app.PromoReport{r}); err != nil {
		t.Fatal(err)
	}
	want := "code,recipients,sent,uses,attendees,refunded_uses,charged,refunded,revenue,total_discount,currency\r\n" +
		"REFUND-ME,0,0,3,3,2,255.00,127.50,127.50,30.00,USD\r\n"
	if b.String() != want {
		t.Fatalf("CSV\n%s\nwant\n%s", b.String(), want)
	}
}

// A zero-total use (a 100% code) is a discount while the registration
// stands, and none once it is cancelled.
func TestPromoReportFreeRegistrationCancelled(t *testing.T) {
	f := newPromoFixture(t, "PLN")
	ctx := context.Background()
	sess := f.session("Darmowa", 20000, "PLN")
	code := f.code(app.PromoCode{Code: "FREE-100", Kind: app.DiscountPercent, PercentBP: 10000, UseLimit: 5})
	reg := f.registration(sess, "ola@example.pl")
	q, err := f.promo.Quote(ctx, sess, "ola@example.pl", code.Code)
	if err != nil {
		t.Fatal(err)
	}
	id, err := f.promo.Reserve(ctx, q, reg)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.promo.ConfirmFree(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Write().Exec(`UPDATE registration SET status = 'paid' WHERE id = ?`, reg); err != nil {
		t.Fatal(err)
	}
	if rep, _ := f.promo.Reports(ctx, code.ID); rep[0].DiscountMinor != 20000 || rep[0].RevenueMinor != 0 {
		t.Fatalf("standing %+v", rep[0])
	}
	if _, err := f.db.Write().Exec(`UPDATE registration SET status = 'cancelled' WHERE id = ?`, reg); err != nil {
		t.Fatal(err)
	}
	if rep, _ := f.promo.Reports(ctx, code.ID); rep[0].DiscountMinor != 0 || rep[0].Uses != 1 {
		t.Fatalf("cancelled %+v", rep[0])
	}
}

func TestPromoTemplateSaveResetAndPreview(t *testing.T) {
	f := newPromoFixture(t, "PLN")
	ctx := context.Background()
	sess := f.session("Excel dla księgowych", 20000, "PLN")
	code := f.code(app.PromoCode{Code: "EXCEL-10", AllSessions: false, SessionIDs: []int64{sess}})
	bad := app.PromoMailTemplate{Language: "pl", Subject: "Kod %PromoKod%", Body: "Cześć %attendeename%, %PromoCode%, 15% taniej, 20% więcej"}
	err := f.promo.SaveTemplate(ctx, bad)
	if e := app.AsError(err); e.Key != "error.promo.template_placeholders" || e.Data["Names"] != "%PromoKod%, %attendeename%" {
		t.Fatalf("unknown placeholders: %v %+v", err, e.Data)
	}
	good := app.PromoMailTemplate{Language: "pl", Subject: "Kod %PromoCode%", Body: "Cześć %AttendeeName%: %Discount% na %SessionTopic% do %ExpiryDate%."}
	if err := f.promo.SaveTemplate(ctx, good); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.promo.Template(ctx, "pl"); got.Body != good.Body {
		t.Fatalf("saved %+v", got)
	}
	m, err := f.promo.PreviewTemplate(ctx, good, code.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Kod EXCEL-10" || m.Body != "Cześć Anna Kowalska: 15% na Excel dla księgowych do 31.03.2026." {
		t.Fatalf("preview %+v", m)
	}
	// Without a code: a sample one.
	if m, err := f.promo.PreviewTemplate(ctx, app.DefaultPromoMailTemplate("en"), 0); err != nil ||
		!strings.Contains(m.Body, "Dear Jane Smith") || !strings.Contains(m.Body, "SPRING-25") {
		t.Fatalf("sample preview %+v %v", m, err)
	}
	def, err := f.promo.ResetTemplate(ctx, "pl")
	if err != nil || def != app.DefaultPromoMailTemplate("pl") {
		t.Fatalf("reset %+v %v", def, err)
	}
	if got, _ := f.promo.Template(ctx, "pl"); got != app.DefaultPromoMailTemplate("pl") {
		t.Fatalf("after reset %+v", got)
	}
	// Resetting again (nothing saved) is fine.
	if _, err := f.promo.ResetTemplate(ctx, "pl"); err != nil {
		t.Fatal(err)
	}
}

func TestPromoSessionTopics(t *testing.T) {
	f := newPromoFixture(t, "PLN")
	ctx := context.Background()
	a := f.session("Excel", 10000, "PLN")
	b := f.session("Word", 10000, "PLN")
	got, err := f.promo.SessionTopics(ctx, []int64{b, a, 9999})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Topic != "Word" || got[1].Topic != "Excel" || got[2].ID != 9999 || got[2].Topic != "" {
		t.Fatalf("%+v", got)
	}
}
