package storage_test

import (
	"context"
	"strings"
	"testing"

	"github.com/trainpay/trainpay/app"
)

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
