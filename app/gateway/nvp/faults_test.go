package nvp

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/nvp/nvptest"
)

var allFaults = []nvptest.Fault{
	nvptest.LostReplyAfterProcessing,
	nvptest.TimeoutBeforeProcessing,
	nvptest.ResetBeforeProcessing,
	nvptest.HTTP500AfterProcessing,
	nvptest.HTTP503BeforeProcessing,
	nvptest.MalformedAfterProcessing,
}

// TestSaleFaultMatrix: every fault leaves the sale Unknown; Lookup then
// settles it from the ledger (charged → Approved with the ledger's id,
// not charged → NotFound); the app's next step (charge again under a new
// attempt only after NotFound) never charges twice.
func TestSaleFaultMatrix(t *testing.T) {
	for _, fault := range allFaults {
		t.Run(fault.String(), func(t *testing.T) {
			fx := newFixture(t)
			fx.c = fx.client(func(c *Config) { c.Timeout = 300 * time.Millisecond })
			amt := amount(t, "49.99", "GBP")
			req := saleReq(newInvoice(), amt, card(panVisa))
			fx.srv.Inject("DoDirectPayment", fault)
			r := fx.c.Sale(fx.ctx, req)
			wantOutcome(t, "faulted sale", r, app.OutcomeUnknown)
			if r.Brand != app.BrandVisa || r.Last4 != "1111" {
				t.Errorf("card summary lost: %+v", r)
			}

			l := fx.c.Lookup(fx.ctx, lookupSale(req.InvoiceID, amt))
			sales := fx.srv.Sales(req.InvoiceID)
			if fault.Processes() {
				wantOutcome(t, "lookup", l, app.OutcomeApproved)
				if len(sales) != 1 || l.Reference != sales[0].TransactionID || !l.Duplicate {
					t.Fatalf("lookup %+v, ledger %+v", l, sales)
				}
			} else {
				wantOutcome(t, "lookup", l, app.OutcomeNotFound)
				if len(sales) != 0 {
					t.Fatalf("ledger %+v, want empty", sales)
				}
				// The app charges under a new attempt.
				retry := saleReq(newInvoice(), amt, card(panVisa))
				wantOutcome(t, "retry", fx.c.Sale(fx.ctx, retry), app.OutcomeApproved)
			}
			charges := 0
			for _, e := range fx.srv.Ledger() {
				if e.Kind == "sale" {
					charges++
				}
			}
			if charges != 1 {
				t.Fatalf("%d charges, want exactly 1", charges)
			}
		})
	}
}

func TestSaleDialFailure(t *testing.T) {
	fx := newFixture(t)
	dead := nvptest.NewServer(t)
	url := dead.URL()
	dead.Close()
	c := fx.client(func(c *Config) { c.Endpoint = url })
	req := saleReq(newInvoice(), amount(t, "10", "GBP"), card(panVisa))
	r := c.Sale(fx.ctx, req)
	wantOutcome(t, "dial failure", r, app.OutcomeNotProcessed)
	if r.Code != "CONNECT" {
		t.Errorf("code %q", r.Code)
	}
	// NotProcessed: the same attempt may be sent again, and charges once.
	wantOutcome(t, "retry", fx.c.Sale(fx.ctx, req), app.OutcomeApproved)
	if n := len(fx.srv.Sales(req.InvoiceID)); n != 1 {
		t.Errorf("%d sales, want 1", n)
	}
	// A context cancelled before connecting is NotProcessed too.
	ctx, cancel := context.WithCancel(fx.ctx)
	cancel()
	wantOutcome(t, "cancelled", fx.c.Sale(ctx, saleReq(newInvoice(), amount(t, "10", "GBP"), card(panVisa))), app.OutcomeNotProcessed)
	wantOutcome(t, "test connection", c.TestConnection(fx.ctx), app.OutcomeNotProcessed)
}

func TestLookupCannotAsk(t *testing.T) {
	fx := newFixture(t)
	req := saleReq(newInvoice(), amount(t, "10", "GBP"), card(panVisa))
	fx.srv.Inject("DoDirectPayment", nvptest.LostReplyAfterProcessing)
	wantOutcome(t, "sale", fx.c.Sale(fx.ctx, req), app.OutcomeUnknown)
	for _, f := range []nvptest.Fault{nvptest.ResetBeforeProcessing, nvptest.HTTP500AfterProcessing, nvptest.MalformedAfterProcessing} {
		fx.srv.Inject("TransactionSearch", f)
		wantOutcome(t, "lookup with "+f.String(), fx.c.Lookup(fx.ctx, lookupSale(req.InvoiceID, req.Amount)), app.OutcomeUnknown)
	}
	fx.srv.Fail("TransactionSearch", nvptest.Error{Code: "10002"})
	wantOutcome(t, "lookup refused", fx.c.Lookup(fx.ctx, lookupSale(req.InvoiceID, req.Amount)), app.OutcomeUnknown)
	// And then it settles.
	wantOutcome(t, "lookup", fx.c.Lookup(fx.ctx, lookupSale(req.InvoiceID, req.Amount)), app.OutcomeApproved)
	wantOutcome(t, "lookup without invoice", fx.c.Lookup(fx.ctx, app.LookupRequest{Kind: app.LookupSale}), app.OutcomeUnknown)
	wantOutcome(t, "odd kind", fx.c.Lookup(fx.ctx, app.LookupRequest{Kind: "capture", InvoiceID: "x"}), app.OutcomeUnknown)
}

func TestLookupSuspiciousMatches(t *testing.T) {
	// Two payments under one invoice (the merchant turned the duplicate
	// check off): a person must look.
	fx := newFixture(t, nvptest.WithoutDuplicateInvoiceCheck())
	req := saleReq(newInvoice(), amount(t, "10", "GBP"), card(panVisa))
	wantOutcome(t, "first", fx.c.Sale(fx.ctx, req), app.OutcomeApproved)
	wantOutcome(t, "second", fx.c.Sale(fx.ctx, req), app.OutcomeApproved)
	l := fx.c.Lookup(fx.ctx, lookupSale(req.InvoiceID, req.Amount))
	wantOutcome(t, "two payments", l, app.OutcomeUnknown)
	if !strings.Contains(l.Message, "double charge") {
		t.Errorf("message %q", l.Message)
	}

	// A different amount than journalled.
	req2, sale := fx.approvedSale("10")
	l = fx.c.Lookup(fx.ctx, lookupSale(req2.InvoiceID, amount(t, "12", "GBP")))
	wantOutcome(t, "amount mismatch", l, app.OutcomeUnknown)
	// The same amount written differently matches.
	l = fx.c.Lookup(fx.ctx, lookupSale(req2.InvoiceID, amount(t, "10.0", "GBP")))
	wantOutcome(t, "same amount", l, app.OutcomeApproved)

	// A refunded sale still charged: the refund row is not a payment.
	wantOutcome(t, "refund", fx.c.Refund(fx.ctx, app.RefundRequest{Key: "r-susp", OriginalRef: sale.Reference, Full: true}), app.OutcomeApproved)
	l = fx.c.Lookup(fx.ctx, lookupSale(req2.InvoiceID, req2.Amount))
	wantOutcome(t, "refunded sale", l, app.OutcomeApproved)
	if l.Reference != sale.Reference || !strings.Contains(l.Message, "Refunded") {
		t.Errorf("refunded sale lookup %+v", l)
	}
}

// clock is a settable time source shared by the client and the server.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestSearchLagGuard: PayPal's search shows a payment a while after it was
// made. A lookup in that window must not say "not found", or the app would
// charge again.
func TestSearchLagGuard(t *testing.T) {
	clk := &clock{t: time.Now()}
	fx := newFixture(t, nvptest.WithSearchLag(2*time.Minute), nvptest.WithClock(clk.now))
	c := fx.client(func(c *Config) { c.SearchLag = 0 }) // DefaultSearchLag
	c.now = clk.now

	req := saleReq(newInvoice(), amount(t, "10", "GBP"), card(panVisa))
	fx.srv.Inject("DoDirectPayment", nvptest.LostReplyAfterProcessing)
	wantOutcome(t, "sale", c.Sale(fx.ctx, req), app.OutcomeUnknown)

	l := c.Lookup(fx.ctx, lookupSale(req.InvoiceID, req.Amount))
	wantOutcome(t, "early lookup", l, app.OutcomeUnknown)
	if !strings.Contains(l.Message, "too recently") {
		t.Errorf("message %q", l.Message)
	}
	clk.add(DefaultSearchLag + time.Second)
	wantOutcome(t, "later lookup", c.Lookup(fx.ctx, lookupSale(req.InvoiceID, req.Amount)), app.OutcomeApproved)

	// A sale that never arrived: Unknown at first, NotFound after the lag.
	req = saleReq(newInvoice(), amount(t, "10", "GBP"), card(panVisa))
	fx.srv.Inject("DoDirectPayment", nvptest.HTTP503BeforeProcessing)
	wantOutcome(t, "sale", c.Sale(fx.ctx, req), app.OutcomeUnknown)
	wantOutcome(t, "early lookup", c.Lookup(fx.ctx, lookupSale(req.InvoiceID, req.Amount)), app.OutcomeUnknown)
	clk.add(DefaultSearchLag + time.Second)
	wantOutcome(t, "later lookup", c.Lookup(fx.ctx, lookupSale(req.InvoiceID, req.Amount)), app.OutcomeNotFound)

	// The TransactionSearch window starts LookupWindow before now.
	got, _ := fx.srv.LastRequest("TransactionSearch")
	if got.Fields["STARTDATE"] != clk.now().UTC().Add(-LookupWindow).Format("2006-01-02T15:04:05Z") || got.Fields["INVNUM"] != req.InvoiceID {
		t.Errorf("TransactionSearch fields %v", got.Fields)
	}
}

// TestRefundFaultMatrix: a refund whose answer is lost is settled by
// Lookup, which resends it with the same MSGSUBID: a processed original
// comes back as a duplicate (11607), an unprocessed one is performed now.
// Either way exactly one refund exists.
func TestRefundFaultMatrix(t *testing.T) {
	for _, fault := range allFaults {
		for _, full := range []bool{true, false} {
			name := fault.String() + "/partial"
			if full {
				name = fault.String() + "/full"
			}
			t.Run(name, func(t *testing.T) {
				fx := newFixture(t)
				fx.c = fx.client(func(c *Config) { c.Timeout = 300 * time.Millisecond })
				_, sale := fx.approvedSale("30")
				req := app.RefundRequest{Key: "refund-" + newInvoice(), OriginalRef: sale.Reference, Full: full}
				look := app.LookupRequest{Kind: app.LookupRefund, Key: req.Key, OriginalRef: sale.Reference}
				if !full {
					req.Amount = amount(t, "12.50", "GBP")
					look.Amount = req.Amount
				}
				fx.srv.Inject("RefundTransaction", fault)
				wantOutcome(t, "refund", fx.c.Refund(fx.ctx, req), app.OutcomeUnknown)

				l := fx.c.Lookup(fx.ctx, look)
				wantOutcome(t, "lookup", l, app.OutcomeApproved)
				if l.Duplicate != fault.Processes() {
					t.Errorf("duplicate %v, want %v", l.Duplicate, fault.Processes())
				}
				refunds := fx.srv.Refunds(sale.Reference)
				if len(refunds) != 1 || l.Reference != refunds[0].TransactionID {
					t.Fatalf("lookup %+v, refunds %+v", l, refunds)
				}
				want := "30.00"
				if !full {
					want = "12.50"
				}
				if refunds[0].Amount != want {
					t.Errorf("refunded %s, want %s", refunds[0].Amount, want)
				}
				// A second lookup stays idempotent.
				wantOutcome(t, "second lookup", fx.c.Lookup(fx.ctx, look), app.OutcomeApproved)
				if n := len(fx.srv.Refunds(sale.Reference)); n != 1 {
					t.Fatalf("%d refunds after two lookups", n)
				}
			})
		}
	}
}

func TestVoidFaultMatrix(t *testing.T) {
	for _, fault := range allFaults {
		t.Run(fault.String(), func(t *testing.T) {
			fx := newFixture(t)
			fx.c = fx.client(func(c *Config) { c.Timeout = 300 * time.Millisecond })
			auth := fx.srv.Authorize(newInvoice(), "10.00", "GBP")
			fx.srv.Inject("DoVoid", fault)
			wantOutcome(t, "void", fx.c.Void(fx.ctx, app.VoidRequest{Key: "void-x", OriginalRef: auth}), app.OutcomeUnknown)
			l := fx.c.Lookup(fx.ctx, app.LookupRequest{Kind: app.LookupVoid, Key: "void-x", OriginalRef: auth})
			wantOutcome(t, "lookup", l, app.OutcomeApproved)
			if l.Duplicate != fault.Processes() || l.Reference != auth {
				t.Errorf("lookup %+v", l)
			}
			voids := 0
			for _, e := range fx.srv.Ledger() {
				if e.Kind == "void" {
					voids++
				}
			}
			if voids != 1 {
				t.Errorf("%d voids, want 1", voids)
			}
		})
	}
}
