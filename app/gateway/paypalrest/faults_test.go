package paypalrest

import (
	"errors"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/paypalrest/paypalresttest"
)

var allFaults = []paypalresttest.Fault{
	paypalresttest.FaultReplyLostAfter, paypalresttest.FaultTimeoutBefore, paypalresttest.FaultResetBefore,
	paypalresttest.Fault5xxHTMLBefore, paypalresttest.Fault5xxHTMLAfter, paypalresttest.FaultMalformedAfter,
}

// TestCaptureFaultsRetryUnderTheSameRequestID: one lost answer is retried
// under the same PayPal-Request-Id and ends approved with one capture.
func TestCaptureFaultsRetryUnderTheSameRequestID(t *testing.T) {
	for _, f := range allFaults {
		t.Run(f.String(), func(t *testing.T) {
			fx := newFixture(t)
			fx.srv.Inject(paypalresttest.OpCapture, f)
			r, orderID := fx.approvedSale(t)
			wantOutcome(t, "sale", r, app.OutcomeApproved)
			caps := requestsOf(fx.srv, paypalresttest.OpCapture)
			if len(caps) != 2 || caps[0].RequestID != caps[1].RequestID {
				t.Fatalf("capture calls %+v", caps)
			}
			if fx.srv.Captures() != 1 {
				t.Fatalf("%d captures", fx.srv.Captures())
			}
			o, _ := fx.srv.Order(orderID)
			if r.Reference != o.Capture.ID {
				t.Errorf("reference %q, capture %q", r.Reference, o.Capture.ID)
			}
		})
	}
}

// TestCaptureAnswerLostEveryTimeIsUnknownThenLookupSettles: all sends
// lost; the order is read; Lookup (reconciliation) settles it.
func TestCaptureAnswerLostEveryTimeIsUnknownThenLookupSettles(t *testing.T) {
	for _, f := range allFaults {
		t.Run(f.String(), func(t *testing.T) {
			fx := newFixture(t)
			fx.srv.Inject(paypalresttest.OpCapture, f, f, f)
			fx.srv.Inject(paypalresttest.OpGet, paypalresttest.Fault5xxHTMLBefore) // the confirming read fails too
			r, orderID := fx.approvedSale(t)
			wantOutcome(t, "sale", r, app.OutcomeUnknown)
			if r.Reference != orderID {
				t.Errorf("reference %q, want the order %q", r.Reference, orderID)
			}
			l := fx.c.Lookup(fx.ctx, app.LookupRequest{Kind: app.LookupSale, Key: "k", OriginalRef: orderID})
			if f.Processes() {
				wantOutcome(t, "lookup", l, app.OutcomeApproved)
				if !l.Duplicate || fx.srv.Captures() != 1 {
					t.Errorf("lookup %+v, %d captures", l, fx.srv.Captures())
				}
			} else if fx.c.now().Sub(fx.c.captureSent[orderID]) < captureGuard {
				// Sent moments ago: not yet trusted as "not charged".
				wantOutcome(t, "lookup", l, app.OutcomeUnknown)
				// After a restart the journal's time of the capture keeps
				// the guard; once it has passed, nothing was charged.
				starts := fx.buyer.captureStarts()
				if len(starts) != 1 {
					t.Fatalf("the journal was told of %d capture starts, want 1", len(starts))
				}
				fresh := fx.client(t)
				look := app.LookupRequest{Kind: app.LookupSale, OriginalRef: orderID, CaptureStartedAt: starts[0]}
				wantOutcome(t, "lookup after a restart", fresh.Lookup(fx.ctx, look), app.OutcomeUnknown)
				look.CaptureStartedAt = starts[0].Add(-time.Hour)
				wantOutcome(t, "lookup after a restart, long after the capture", fresh.Lookup(fx.ctx, look), app.OutcomeNotFound)
				if fx.srv.Captures() != 0 {
					t.Error("captured")
				}
			}
		})
	}
}

// TestCaptureIsNotSentWhenItsStartCannotBeJournalled: if the journal cannot
// record that a capture starts, the capture is not sent and nothing is
// charged.
func TestCaptureIsNotSentWhenItsStartCannotBeJournalled(t *testing.T) {
	fx := newFixture(t)
	b := newBuyer()
	b.captureErr = errors.New("disk full")
	done := fx.saleAsync(fx.ctx, saleReq(app.NewKey(), "TP10", amount(t, "10", "USD"), b))
	l := fx.link(b)
	u, _ := fx.srv.Approve(l.Reference)
	follow(t, u)
	r := fx.wait(done)
	wantOutcome(t, "sale", r, app.OutcomeNotProcessed)
	if n := len(requestsOf(fx.srv, paypalresttest.OpCapture)); n != 0 || fx.srv.Captures() != 0 {
		t.Errorf("%d capture requests, %d captures: want none", n, fx.srv.Captures())
	}
}

// TestOrderAlreadyCapturedOnRetryIsSuccess: PayPal forgot the capture's
// request id; the resend gets ORDER_ALREADY_CAPTURED, confirmed by reading
// the order.
func TestOrderAlreadyCapturedOnRetryIsSuccess(t *testing.T) {
	fx := newFixture(t)
	fx.srv.Inject(paypalresttest.OpCapture, paypalresttest.FaultReplyLostAfter)
	b := newBuyer()
	done := fx.saleAsync(fx.ctx, saleReq(app.NewKey(), "TP10", amount(t, "10", "USD"), b))
	l := fx.link(b)
	u, _ := fx.srv.Approve(l.Reference)
	fx.srv.ForgetRequestIDsOf(paypalresttest.OpCapture)
	follow(t, u)
	r := fx.wait(done)
	wantOutcome(t, "sale", r, app.OutcomeApproved)
	if !r.Duplicate || fx.srv.Captures() != 1 {
		t.Errorf("%+v, %d captures", r, fx.srv.Captures())
	}
}

// TestCreateFaultsChargeNothing: an order that may or may not exist moves
// no money; the create is resent under the journal key.
func TestCreateFaultsChargeNothing(t *testing.T) {
	for _, f := range allFaults {
		t.Run(f.String(), func(t *testing.T) {
			fx := newFixture(t)
			fx.srv.Inject(paypalresttest.OpCreate, f)
			r, _ := fx.approvedSale(t)
			wantOutcome(t, "sale", r, app.OutcomeApproved)
			creates := requestsOf(fx.srv, paypalresttest.OpCreate)
			if len(creates) != 2 || creates[0].RequestID != creates[1].RequestID {
				t.Fatalf("creates %+v", creates)
			}
			if n := len(fx.srv.Orders()); f.Processes() != (n == 1) && n != 1 {
				t.Errorf("%d orders", n)
			}
		})
	}
	fx := newFixture(t)
	fx.srv.Inject(paypalresttest.OpCreate, paypalresttest.Fault5xxHTMLAfter, paypalresttest.Fault5xxHTMLAfter, paypalresttest.Fault5xxHTMLAfter)
	b := newBuyer()
	r := fx.c.Sale(fx.ctx, saleReq(app.NewKey(), "TP11", amount(t, "10", "USD"), b))
	wantOutcome(t, "create lost", r, app.OutcomeNotProcessed)
	if len(b.links) != 0 || len(b.refs) != 0 {
		t.Error("a link was shown for an order never confirmed")
	}
}

func TestRefundFaultsAndLookup(t *testing.T) {
	for _, f := range allFaults {
		t.Run(f.String(), func(t *testing.T) {
			fx := newFixture(t, func(c *Config) { c.Retries = -1 })
			capture := fx.paid(t, "20.00")
			fx.srv.Inject(paypalresttest.OpRefund, f)
			req := app.RefundRequest{Key: app.NewKey(), OriginalRef: capture, Amount: amount(t, "5", "USD")}
			r := fx.c.Refund(fx.ctx, req)
			if r.Outcome != app.OutcomeUnknown && r.Outcome != app.OutcomeNotProcessed {
				t.Fatalf("refund %+v", r)
			}
			l := fx.c.Lookup(fx.ctx, app.LookupRequest{
				Kind: app.LookupRefund, Key: req.Key, OriginalRef: capture,
				Amount: req.Amount, AttemptedAt: fx.c.now(),
			})
			wantOutcome(t, "lookup", l, app.OutcomeApproved)
			for _, o := range fx.srv.Orders() {
				if o.Capture.RefundedMinor != 500 {
					t.Errorf("refunded %d, want 500", o.Capture.RefundedMinor)
				}
			}
		})
	}
}

func (fx *fixture) approvedSale(t *testing.T) (app.Result, string) {
	b := newBuyer()
	fx.buyer = b
	done := fx.saleAsync(fx.ctx, saleReq(app.NewKey(), "TP09", amount(t, "10", "USD"), b))
	l := fx.link(b)
	u, _ := fx.srv.Approve(l.Reference)
	follow(t, u)
	return fx.wait(done), l.Reference
}

func (fx *fixture) client(t *testing.T) *Client {
	c, err := New(Config{BaseURL: fx.srv.URL, ClientID: paypalresttest.ClientID, Secret: paypalresttest.Secret})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
