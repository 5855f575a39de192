package nvp

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/nvp/nvptest"
)

// TestSaleErrorMapping sends a sale for each code against a server told
// to refuse it with that code, and checks the Outcome and Field. The
// expectations are written out here rather than read from the table, so
// that a change of the table must be a change of this test.
func TestSaleErrorMapping(t *testing.T) {
	fx := newFixture(t)
	type want struct {
		outcome app.Outcome
		field   string
	}
	D, I, M, N, U := app.OutcomeDeclined, app.OutcomeInvalidCard, app.OutcomeMerchantConfig, app.OutcomeNotProcessed, app.OutcomeUnknown
	cases := map[string]want{
		// Declines.
		"10417": {D, ""}, "10486": {D, ""}, "15005": {D, ""}, "15007": {D, ""}, "10544": {D, ""}, "10752": {D, ""},
		"10505": {D, ""}, "10534": {D, ""}, "10537": {D, ""}, "10538": {D, ""}, "10539": {D, ""}, "10541": {D, ""},
		"10545": {D, ""}, "10546": {D, ""}, "10553": {D, ""}, "10554": {D, ""}, "10555": {D, ""}, "10556": {D, ""},
		"10558": {D, ""}, "10564": {D, ""}, "10754": {D, ""}, "10756": {D, ""}, "10759": {D, ""}, "10761": {D, ""},
		"10764": {D, ""}, "11611": {D, ""}, "15001": {D, ""}, "15002": {D, ""},
		"99999": {D, ""}, // undocumented code with ACK=Failure: nothing moved
		// Invalid card data.
		"10527": {I, "number"}, "10521": {I, "number"}, "10535": {I, "number"}, "10510": {I, "number"}, "10566": {I, "number"},
		"15006": {I, "number"}, "10519": {I, "number"},
		"10502": {I, "expiry"}, "10508": {I, "expiry"}, "10562": {I, "expiry"}, "10563": {I, "expiry"},
		"10504": {I, "cvv"}, "10748": {I, "cvv"}, "15004": {I, "cvv"}, "10571": {I, "cvv"}, "10762": {I, "cvv"},
		"10567": {I, "start"}, "11998": {I, "start"},
		"10512": {I, "holder"}, "10513": {I, "holder"}, "10561": {I, "postcode"},
		// Merchant configuration.
		"10002": {M, ""}, "10501": {M, ""}, "10548": {M, ""}, "10549": {M, ""}, "10550": {M, ""}, "10007": {M, ""},
		"10758": {M, ""}, "10760": {M, ""}, "10565": {M, ""}, "15003": {M, ""}, "10526": {M, ""}, "10755": {M, ""},
		// Refused before processing.
		"10004": {N, ""}, "10101": {N, ""}, "10509": {N, ""}, "10525": {N, ""}, "81251": {N, ""},
		// PayPal does not know.
		"10001": {U, ""}, "10547": {U, ""}, "10763": {U, ""},
		// Duplicate invoice without a findable payment: unknown, never a decline.
		"10412": {U, ""}, "10536": {U, ""},
	}
	for _, code := range slices.Sorted(maps.Keys(cases)) {
		w := cases[code]
		fx.srv.Fail("DoDirectPayment", nvptest.Error{Code: code, Short: "Short " + code, Long: "Long message " + code + "."})
		r := fx.c.Sale(fx.ctx, saleReq(newInvoice(), amount(t, "10", "GBP"), card(panVisa)))
		if r.Outcome != w.outcome || r.Field != w.field {
			t.Errorf("%s: outcome %q field %q, want %q %q (%s)", code, r.Outcome, r.Field, w.outcome, w.field, r.Message)
			continue
		}
		if r.Code != "L_ERRORCODE0="+code || !strings.Contains(r.Message, "Long message "+code) || !strings.Contains(r.Message, "CORRELATIONID") {
			t.Errorf("%s: code %q message %q", code, r.Code, r.Message)
		}
		if r.Outcome == D && len(r.Message) < 20 {
			t.Errorf("%s: decline without an actionable message", code)
		}
	}
	// Every code of the table gives a message and its code.
	for code, ci := range codes {
		if ci.say == "" || (ci.cls == clsInvalidCard) != (ci.field != "") {
			t.Errorf("table entry %s: %+v", code, ci)
		}
	}
	if n := len(fx.srv.Ledger()); n != 0 {
		t.Errorf("%d ledger entries, want 0", n)
	}
}

func TestSeveralErrorsMostCautiousWins(t *testing.T) {
	fx := newFixture(t)
	e := func(code, sev string) nvptest.Error { return nvptest.Error{Code: code, Severity: sev} }
	for _, tc := range []struct {
		errs []nvptest.Error
		want app.Outcome
		code string
	}{
		{[]nvptest.Error{e("10752", "Error"), e("10001", "Error")}, app.OutcomeUnknown, "L_ERRORCODE1=10001"},
		{[]nvptest.Error{e("10527", "Error"), e("10002", "Error")}, app.OutcomeMerchantConfig, "L_ERRORCODE1=10002"},
		{[]nvptest.Error{e("10417", "Error"), e("10504", "Error")}, app.OutcomeInvalidCard, "L_ERRORCODE1=10504"},
		// A warning next to an error does not decide.
		{[]nvptest.Error{e("10001", "Warning"), e("10752", "Error")}, app.OutcomeDeclined, "L_ERRORCODE1=10752"},
		// Warnings alone on a failure do decide.
		{[]nvptest.Error{e("10504", "Warning")}, app.OutcomeInvalidCard, "L_ERRORCODE0=10504"},
	} {
		fx.srv.Fail("DoDirectPayment", tc.errs...)
		r := fx.c.Sale(fx.ctx, saleReq(newInvoice(), amount(t, "10", "GBP"), card(panVisa)))
		if r.Outcome != tc.want || r.Code != tc.code {
			t.Errorf("%v: %q %q, want %q %q", tc.errs, r.Outcome, r.Code, tc.want, tc.code)
		}
	}
}

func TestHeldForReview(t *testing.T) {
	fx := newFixture(t)
	fx.srv.Warn("DoDirectPayment", nvptest.Error{
		Code: "11610", Short: "Payment Pending your review in Fraud Management Filters",
		Long: "Payment Pending your review in Fraud Management Filters", Severity: "Warning",
	})
	req := saleReq(newInvoice(), amount(t, "10", "GBP"), card(panVisa))
	r := fx.c.Sale(fx.ctx, req)
	wantOutcome(t, "fmf", r, app.OutcomeHeldForReview)
	if r.Reference == "" || !r.Charged() {
		t.Errorf("held: %+v", r)
	}
	// Lookup sees the Pending payment and reports it as charged.
	l := fx.c.Lookup(fx.ctx, lookupSale(req.InvoiceID, req.Amount))
	wantOutcome(t, "lookup held", l, app.OutcomeApproved)
	if l.Reference != r.Reference {
		t.Errorf("lookup reference %q, want %q", l.Reference, r.Reference)
	}
	// An unrelated warning leaves an approval approved.
	fx.srv.Warn("DoDirectPayment", nvptest.Error{Code: "10215", Short: "Soft descriptor truncated", Severity: "Warning"})
	r = fx.c.Sale(fx.ctx, saleReq(newInvoice(), amount(t, "10", "GBP"), card(panVisa)))
	wantOutcome(t, "warning", r, app.OutcomeApproved)
	if !strings.Contains(r.Message, "10215") {
		t.Errorf("warning not in message: %q", r.Message)
	}
}

func TestRefundAndVoidErrorMapping(t *testing.T) {
	fx := newFixture(t)
	_, sale := fx.approvedSale("10")
	for code, want := range map[string]app.Outcome{
		"10009": app.OutcomeDeclined, "10011": app.OutcomeDeclined, "10007": app.OutcomeMerchantConfig,
		"10004": app.OutcomeNotProcessed, "10001": app.OutcomeUnknown, "11604": app.OutcomeUnknown,
	} {
		fx.srv.Fail("RefundTransaction", nvptest.Error{Code: code})
		r := fx.c.Refund(fx.ctx, app.RefundRequest{Key: "rf-" + code, OriginalRef: sale.Reference, Full: true})
		if r.Outcome != want {
			t.Errorf("refund %s: %q, want %q", code, r.Outcome, want)
		}
	}
	auth := fx.srv.Authorize(newInvoice(), "10.00", "GBP")
	for code, want := range map[string]app.Outcome{
		"10600": app.OutcomeApproved, "10622": app.OutcomeApproved, "10601": app.OutcomeDeclined, "10602": app.OutcomeDeclined,
		"10609": app.OutcomeDeclined, "10628": app.OutcomeNotProcessed, "10001": app.OutcomeUnknown,
	} {
		fx.srv.Fail("DoVoid", nvptest.Error{Code: code})
		r := fx.c.Void(fx.ctx, app.VoidRequest{Key: "vd-" + code, OriginalRef: auth})
		if r.Outcome != want {
			t.Errorf("void %s: %q, want %q", code, r.Outcome, want)
		}
		if want == app.OutcomeApproved && (!r.Duplicate || r.Reference != auth) {
			t.Errorf("void %s: %+v", code, r)
		}
	}
	if n := len(fx.srv.Refunds(sale.Reference)); n != 0 {
		t.Errorf("%d refunds, want 0", n)
	}
}

// TestDuplicateInvoice: a second send of the same attempt (same INVNUM)
// is refused by PayPal as a duplicate invoice, which proves the first one
// charged. The adapter reports that first payment instead of a failure.
func TestDuplicateInvoice(t *testing.T) {
	for _, code := range []string{"10412", "10536"} {
		t.Run(code, func(t *testing.T) {
			fx := newFixture(t, nvptest.WithDuplicateInvoiceCode(code))
			req, first := fx.approvedSale("25")
			again := fx.c.Sale(fx.ctx, req)
			wantOutcome(t, "resend", again, app.OutcomeApproved)
			if !again.Duplicate || again.Reference != first.Reference || again.Code != "L_ERRORCODE0="+code {
				t.Errorf("resend: %+v", again)
			}
			if n := len(fx.srv.Sales(req.InvoiceID)); n != 1 {
				t.Errorf("%d sales, want 1", n)
			}
			// The search cannot be made: still Unknown, never a decline.
			fx.srv.Inject("TransactionSearch", nvptest.HTTP503BeforeProcessing)
			third := fx.c.Sale(fx.ctx, req)
			wantOutcome(t, "resend, search down", third, app.OutcomeUnknown)
			if !strings.Contains(third.Message, "Do not charge again") {
				t.Errorf("message %q", third.Message)
			}
		})
	}
}

// TestDuplicateInvoiceOnTheOnlySend: the app sends a DoDirectPayment once,
// but it reaches PayPal twice (an intermediary resent it); the answer the
// app gets is 10412 for its own invoice. The sale is reported as the one
// payment PayPal holds, found by TransactionSearch, never as a failure.
func TestDuplicateInvoiceOnTheOnlySend(t *testing.T) {
	fx := newFixture(t)
	fx.srv.Inject("DoDirectPayment", nvptest.DeliveredTwice)
	req := saleReq(newInvoice(), amount(t, "25", "GBP"), card(panVisa))
	r := fx.c.Sale(fx.ctx, req)
	wantOutcome(t, "sale", r, app.OutcomeApproved)
	sales := fx.srv.Sales(req.InvoiceID)
	if len(sales) != 1 || r.Reference != sales[0].TransactionID || !r.Duplicate || r.Code != "L_ERRORCODE0=10412" {
		t.Errorf("sale %+v, PayPal holds %+v", r, sales)
	}
	if _, searched := fx.srv.LastRequest("TransactionSearch"); !searched {
		t.Error("the payment was not looked up by TransactionSearch")
	}
}

func TestDuplicateInvoiceNotYetSearchable(t *testing.T) {
	fx := newFixture(t, nvptest.WithSearchLag(time.Hour))
	req := saleReq(newInvoice(), amount(t, "25", "GBP"), card(panVisa))
	fx.srv.Inject("DoDirectPayment", nvptest.LostReplyAfterProcessing)
	wantOutcome(t, "lost", fx.c.Sale(fx.ctx, req), app.OutcomeUnknown)
	r := fx.c.Sale(fx.ctx, req) // resent by mistake
	wantOutcome(t, "resend", r, app.OutcomeUnknown)
	if n := len(fx.srv.Sales(req.InvoiceID)); n != 1 {
		t.Errorf("%d sales, want 1", n)
	}
}
