package registry_test

import (
	"context"
	"testing"

	"github.com/trainpay/trainpay/app"
)

// A charge to a budget needs no processor, credentials or network, in
// Production as in Test: the internal gateway approves it at once, and its
// refund, void and lookup too.
func TestBudgetChargesGoThroughTheInternalGatewayInEveryMode(t *testing.T) {
	f := newFixture(t, "PL", "PLN")
	ctx := context.Background()
	for _, mode := range []app.Mode{app.ModeTest, app.ModeProduction} {
		if err := f.site.SetMode(ctx, f.admin, mode); err != nil {
			t.Fatal(err)
		}
		gw, proc, got, err := f.reg.ForMethod(ctx, app.MethodBudget)
		if err != nil || proc != app.ProcessorInternal || got != mode {
			t.Fatalf("%s: %v %s %s", mode, err, proc, got)
		}
		sale := gw.Sale(ctx, app.SaleRequest{Key: "k1", Amount: amount(t, "12.34", "PLN")})
		if sale.Outcome != app.OutcomeApproved || sale.Reference == "" {
			t.Fatalf("%s: sale %+v", mode, sale)
		}
		again, err := f.reg.ForPayment(ctx, app.Payment{Processor: app.ProcessorInternal, Mode: mode})
		if err != nil {
			t.Fatal(err)
		}
		if r := again.Refund(ctx, app.RefundRequest{Key: "k2"}); r.Outcome != app.OutcomeApproved {
			t.Fatalf("%s: refund %+v", mode, r)
		}
		if r := again.Void(ctx, app.VoidRequest{Key: "k3"}); r.Outcome != app.OutcomeApproved {
			t.Fatalf("%s: void %+v", mode, r)
		}
		if r := again.Lookup(ctx, app.LookupRequest{Kind: app.LookupSale, Key: "k1"}); r.Outcome != app.OutcomeApproved || r.Reference != sale.Reference {
			t.Fatalf("%s: lookup %+v, sale %+v", mode, r, sale)
		}
	}
}
