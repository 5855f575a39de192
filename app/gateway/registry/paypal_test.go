package registry_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/paypalrest"
	"github.com/trainpay/trainpay/app/gateway/sandbox"
)

// sandboxBuyer approves (or cancels) on the sandbox's approval page, as a
// person in the browser would: GET the page, press a button, follow the
// redirect to TrainPay's loopback return URL.
func sandboxBuyer(t *testing.T, action string) *app.BuyerApproval {
	return &app.BuyerApproval{Show: func(l app.ApprovalLink) {
		go func() {
			resp, err := http.Get(l.URL)
			if err != nil {
				t.Errorf("approval page: %v", err)
				return
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			m := regexp.MustCompile(`name="token" value="([^"]+)"`).FindSubmatch(page)
			if m == nil || !regexp.MustCompile(`value="approve"`).Match(page) {
				t.Errorf("approval page without the form: %s", page)
				return
			}
			u, _ := url.Parse(l.URL)
			resp, err = http.PostForm(u.Scheme+"://"+u.Host+"/checkoutnow", url.Values{"token": {string(m[1])}, "action": {action}})
			if err != nil {
				t.Errorf("pressing %s: %v", action, err)
				return
			}
			resp.Body.Close()
		}()
	}}
}

func TestExpressCheckoutInTestModePaysThroughTheSandbox(t *testing.T) {
	f := newFixture(t, "US", "USD")
	ctx := context.Background()
	if err := f.merchant.SavePaymentSettings(ctx, f.admin, app.PaymentSettings{ExpressCheckout: true}); err != nil {
		t.Fatal(err)
	}
	if res, _ := f.merchant.TestConnection(ctx, f.admin, app.ProcessorPayPalREST); res.Outcome != app.OutcomeApproved {
		t.Fatalf("test connection: %+v", res)
	}
	req := app.ChargeRequest{
		Purpose: app.PurposeTestPayment, Reference: "t", Amount: amount(t, "12.50", "USD"),
		Method: app.MethodExpressCheckout, Approval: sandboxBuyer(t, "approve"), Description: "Workshop",
	}
	p, err := f.pay.Charge(ctx, req)
	if err != nil || p.State != app.StateApproved || p.Processor != app.ProcessorPayPalREST || p.Mode != app.ModeTest {
		t.Fatalf("charge: %+v, %v", p, err)
	}
	sb, _ := f.reg.Sandbox(ctx)
	orders := sb.Orders()
	if len(orders) != 1 || orders[0].CaptureID != p.GatewayRef || orders[0].CustomID != p.Key || orders[0].InvoiceID != p.InvoiceID ||
		orders[0].Brand != "Acme" || orders[0].Value != "12.50" {
		t.Fatalf("orders %+v, payment %+v", orders, p)
	}
	r, err := f.pay.Refund(ctx, p.ID, amount(t, "2.50", "USD"), "partial")
	if err != nil || r.State != app.StateApproved {
		t.Fatalf("refund: %+v, %v", r, err)
	}
	if _, err := f.pay.Refund(ctx, p.ID, amount(t, "10.00", "USD"), "rest"); err != nil {
		t.Fatalf("refund the rest: %v", err)
	}

	req.Approval = sandboxBuyer(t, "cancel")
	c, err := f.pay.Charge(ctx, req)
	if app.ErrorCode(err) != app.EDECLINED || c.State != app.StateDeclined || c.ResultCode != paypalrest.CodeCancelled {
		t.Fatalf("cancelled: %+v, %v", c, err)
	}
	if n := len(sb.Orders()); n != 2 || sb.Orders()[1].CaptureID != "" {
		t.Fatalf("the cancelled order was captured: %+v", sb.Orders())
	}
	var charged int
	for _, e := range sb.Ledger() {
		if e.Protocol == sandbox.ProtocolOrders && e.Type == "sale" {
			charged++
		}
	}
	if charged != 1 {
		t.Errorf("%d captures in the ledger", charged)
	}
}

func TestExpressCheckoutInProductionNeedsRESTCredentials(t *testing.T) {
	f := newFixture(t, "CA", "CAD")
	ctx := context.Background()
	if err := f.merchant.SavePaymentSettings(ctx, f.admin, app.PaymentSettings{ExpressCheckout: true}); err != nil {
		t.Fatal(err)
	}
	if err := f.site.SetMode(ctx, f.admin, app.ModeProduction); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := f.reg.ForMethod(ctx, app.MethodExpressCheckout); app.AsError(err).Key != "error.methods.no_credentials" {
		t.Fatalf("without credentials: %v", err)
	}
	if err := f.merchant.SaveCredentials(ctx, f.admin, app.ProcessorPayPalREST, app.RESTCredentials{ClientID: "id", Secret: "s"}); err != nil {
		t.Fatal(err)
	}
	gw, proc, mode, err := f.reg.ForMethod(ctx, app.MethodExpressCheckout)
	if err != nil || proc != app.ProcessorPayPalREST || mode != app.ModeProduction {
		t.Fatalf("%v %v %v", proc, mode, err)
	}
	if _, ok := gw.(*paypalrest.Client); !ok {
		t.Fatalf("gateway %T", gw)
	}
}

// TestExpressCheckoutCannotBeEnabledOutsideUSAndCanada: a site in the UK
// or in Poland cannot enable it, and is told why.
func TestExpressCheckoutCannotBeEnabledOutsideUSAndCanada(t *testing.T) {
	for _, tc := range [][2]string{{"GB", "GBP"}, {"PL", "PLN"}, {"US", "EUR"}} {
		f := newFixture(t, tc[0], tc[1])
		ctx := context.Background()
		err := f.merchant.SavePaymentSettings(ctx, f.admin, app.PaymentSettings{ExpressCheckout: true})
		if app.AsError(err).Key != "error.methods.express_us_ca_only" {
			t.Errorf("%v: %v", tc, err)
		}
		if _, _, _, err := f.reg.ForMethod(ctx, app.MethodExpressCheckout); err == nil {
			t.Errorf("%v: Express Checkout resolved", tc)
		}
		if m, _ := f.merchant.OfferedMethods(ctx); len(m) != 0 {
			t.Errorf("%v: offered %v", tc, m)
		}
	}
}
