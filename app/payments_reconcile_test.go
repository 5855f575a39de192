package app_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/nvp/nvptest"
	"github.com/trainpay/trainpay/app/gateway/payflow/payflowtest"
	"github.com/trainpay/trainpay/app/gateway/paypalrest/paypalresttest"
	"github.com/trainpay/trainpay/internal/testsite"
	"github.com/trainpay/trainpay/storage"
)

// TestPayflowReconcileIsAnInquiryWithoutCardData: reconciling a Payflow
// sale whose reply was lost sends an inquiry (TRXTYPE=I by CUSTREF), with
// no card number, expiry or security code on the wire, and settles the
// sale from its answer.
func TestPayflowReconcileIsAnInquiryWithoutCardData(t *testing.T) {
	svc, db, srv := newPayments(t)
	ctx := context.Background()
	srv.InjectNext(payflowtest.FaultReplyLostAfterCharge, payflowtest.FaultReplyLostAfterCharge)
	pay, err := svc.Charge(ctx, chargeRequest(t, "25.00", "USD"))
	if app.AsError(err).Code != app.EUNKNOWN {
		t.Fatalf("charge: %v, want the answer lost", err)
	}
	sent := len(srv.Requests())

	rep, err := svc.Reconcile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Charged != 1 {
		t.Errorf("report %+v, want one charged", rep)
	}
	after, err := db.Payment(ctx, pay.ID)
	if err != nil {
		t.Fatal(err)
	}
	if led := srv.Ledger(); after.State != app.StateApproved || len(led) != 1 || after.GatewayRef != led[0].PNREF {
		t.Errorf("after reconciling: %s %q, ledger %+v", after.State, after.GatewayRef, led)
	}
	reqs := srv.Requests()[sent:]
	if len(reqs) == 0 {
		t.Fatal("reconciliation sent nothing")
	}
	for _, r := range reqs {
		if v, _ := r.Field("TRXTYPE"); v != "I" {
			t.Errorf("reconciliation sent TRXTYPE=%s, want I (inquiry)", v)
		}
		if _, ok := r.Field("CUSTREF"); !ok {
			t.Error("the inquiry names no CUSTREF")
		}
		for _, f := range []string{"ACCT", "EXPDATE", "CVV2"} {
			if _, ok := r.Field(f); ok {
				t.Errorf("reconciliation sent %s", f)
			}
		}
		if r.RequestID == pay.Key {
			t.Error("reconciliation replays the sale's request ID")
		}
	}
}

// expressCheckoutCaptureLost charges through Orders v2 with every send of
// the capture timing out before PayPal processes it, so the order stays
// APPROVED with no capture and the sale ends unknown. svc's clock stamps
// the journal.
func expressCheckoutCaptureLost(t *testing.T, now func() time.Time) (*storage.DB, *paypalresttest.Server, app.Payment) {
	t.Helper()
	db, _ := testsite.Open(t)
	srv := paypalresttest.NewServer(t)
	srv.SetHold(1500 * time.Millisecond)
	f := paypalresttest.FaultTimeoutBefore
	srv.Inject(paypalresttest.OpCapture, f, f, f) // the first send and both resends
	svc := app.NewPaymentService(db, oneGateway{gw: paypalRESTClient(t, srv.URL), proc: app.ProcessorPayPalREST}, testLogger(t))
	svc.Now = now
	pay, err := svc.Charge(context.Background(), paypalRESTRequest(t, "25.00", "USD"))
	if app.AsError(err).Code != app.EUNKNOWN || pay.GatewayRef == "" {
		t.Fatalf("charge: %v (order %q), want the capture's answer lost", err, pay.GatewayRef)
	}
	if o, ok := srv.Order(pay.GatewayRef); !ok || o.Status != "APPROVED" || srv.CapturesFor(pay.Key) != 0 {
		t.Fatalf("order %+v, %d captures: want it approved and not captured", o, srv.CapturesFor(pay.Key))
	}
	return db, srv, pay
}

// TestRestartDoesNotFailARecentCapture: after a restart (a new service and
// client over the same database), an Orders v2 sale whose capture was sent
// moments ago and whose order still reads APPROVED without a capture is
// left unknown, not failed: the capture may still be running at PayPal.
// Once the guard window since the journalled capture has passed, the same
// reading settles it as not charged.
func TestRestartDoesNotFailARecentCapture(t *testing.T) {
	ctx := context.Background()
	t.Run("capture sent moments ago", func(t *testing.T) {
		db, srv, pay := expressCheckoutCaptureLost(t, time.Now)
		restarted := app.NewPaymentService(db, oneGateway{gw: paypalRESTClient(t, srv.URL), proc: app.ProcessorPayPalREST}, testLogger(t))
		if _, err := restarted.Reconcile(ctx); err != nil {
			t.Fatal(err)
		}
		after, err := db.Payment(ctx, pay.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.State != app.StateUnknown {
			t.Errorf("after a restart moments after the capture: %s (%s), want unknown", after.State, after.Message)
		}
		if srv.CapturesFor(pay.Key) != 0 {
			t.Errorf("reconciliation captured the order")
		}
	})
	t.Run("capture sent long ago", func(t *testing.T) {
		hourAgo := func() time.Time { return time.Now().Add(-time.Hour) }
		db, srv, pay := expressCheckoutCaptureLost(t, hourAgo)
		restarted := app.NewPaymentService(db, oneGateway{gw: paypalRESTClient(t, srv.URL), proc: app.ProcessorPayPalREST}, testLogger(t))
		if _, err := restarted.Reconcile(ctx); err != nil {
			t.Fatal(err)
		}
		after, err := db.Payment(ctx, pay.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.State != app.StateFailed || srv.CapturesFor(pay.Key) != 0 {
			t.Errorf("an hour after the capture: %s with %d captures, want failed with none", after.State, srv.CapturesFor(pay.Key))
		}
	})
}

// TestNVPDuplicateInvoiceIsAlreadyCharged: when PayPal refuses a
// DoDirectPayment with 10412 ("Payment has already been made for this
// InvoiceID": an earlier delivery of the same request, here resent by an
// intermediary, charged), the payment service records the sale as charged,
// with the payment TransactionSearch finds, never as failed, and never
// charges again; if the search cannot be made, the sale stays unknown and
// reconciliation settles it.
func TestNVPDuplicateInvoiceIsAlreadyCharged(t *testing.T) {
	ctx := context.Background()
	for _, searchDown := range []bool{false, true} {
		name := "search works"
		if searchDown {
			name = "search down at first"
		}
		t.Run(name, func(t *testing.T) {
			db, err := storage.Open(filepath.Join(t.TempDir(), "trainpay.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			srv := nvptest.NewServer(t)
			srv.Inject("DoDirectPayment", nvptest.DeliveredTwice)
			if searchDown {
				srv.Inject("TransactionSearch", nvptest.HTTP503BeforeProcessing)
			}
			svc := app.NewPaymentService(db, oneGateway{gw: nvpClient(t, srv.URL()), proc: app.ProcessorWPPUKNVP}, testLogger(t))
			pay, err := svc.Charge(ctx, chargeRequest(t, "25.00", "GBP"))
			if !searchDown && err != nil {
				t.Fatalf("charge: %v, want it reported as charged", err)
			}
			if searchDown && app.AsError(err).Code != app.EUNKNOWN {
				t.Fatalf("charge: %v, want unknown (do not pay again)", err)
			}
			if pay.ResultCode != "L_ERRORCODE0=10412" {
				t.Errorf("result code %q, want PayPal's duplicate-invoice refusal", pay.ResultCode)
			}
			if searchDown {
				if pay.State != app.StateUnknown {
					t.Errorf("state %s, want unknown", pay.State)
				}
				if _, err := svc.Reconcile(ctx); err != nil {
					t.Fatal(err)
				}
			}
			after, err := db.Payment(ctx, pay.ID)
			if err != nil {
				t.Fatal(err)
			}
			sales := srv.Sales(after.InvoiceID)
			if len(sales) != 1 {
				t.Fatalf("PayPal holds %d payments for the invoice, want 1", len(sales))
			}
			if after.State != app.StateApproved || after.GatewayRef != sales[0].TransactionID {
				t.Errorf("journal %s %q, want approved with PayPal's %q", after.State, after.GatewayRef, sales[0].TransactionID)
			}
			n := 0
			for _, r := range srv.Requests() {
				if r.Method == "DoDirectPayment" {
					n++
				}
			}
			if n != 1 {
				t.Errorf("the app sent %d DoDirectPayment requests, want 1", n)
			}
		})
	}
}
