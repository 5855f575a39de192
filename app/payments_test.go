package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/payflow/payflowtest"
	"github.com/trainpay/trainpay/internal/pcitest"
	"github.com/trainpay/trainpay/internal/testsite"
	"github.com/trainpay/trainpay/storage"
)

// testLogger captures what the payment service logs, for the card-data scan.
func testLogger(t *testing.T) *slog.Logger {
	var mu sync.Mutex
	var buf bytes.Buffer
	pcitest.KeepBytes(t, "payments.log", func() []byte {
		mu.Lock()
		defer mu.Unlock()
		return append([]byte(nil), buf.Bytes()...)
	})
	return slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func newPayments(t *testing.T) (*app.PaymentService, *storage.DB, *payflowtest.Server) {
	t.Helper()
	db, _ := testsite.Open(t)
	srv := payflowtest.NewServer(t)
	svc := app.NewPaymentService(db, oneGateway{gw: payflowClient(t, srv.URL), proc: app.ProcessorPayflow}, testLogger(t))
	return svc, db, srv
}

func usd(t *testing.T, s string) currency.Amount {
	a, err := currency.NewAmount(s, "USD")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestChargeApprovedAndRefunds(t *testing.T) {
	svc, db, srv := newPayments(t)
	ctx := context.Background()
	req := chargeRequest(t, "100.00", "USD")
	card := req.Card
	sale, err := svc.Charge(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if sale.State != app.StateApproved || sale.Brand != app.BrandVisa || sale.Last4 != "1111" || sale.GatewayRef == "" {
		t.Fatalf("sale = %+v", sale)
	}
	if card.Number != nil || card.CVV != nil {
		t.Fatal("the card was not wiped after the charge")
	}
	if _, err := svc.Refund(ctx, sale.ID, usd(t, "30.00"), "partial"); err != nil {
		t.Fatal(err)
	}
	_, err = svc.Refund(ctx, sale.ID, usd(t, "70.01"), "too much")
	wantCode(t, err, app.ECONFLICT, "error.payment.refund_exceeds")
	if _, err := svc.Refund(ctx, sale.ID, usd(t, "70.00"), "the rest"); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Payment(ctx, sale.ID)
	if got.RefundedMinor != 10000 {
		t.Fatalf("refunded %d, want 10000", got.RefundedMinor)
	}
	l := srv.Ledger()
	if len(l) != 1 || l[0].Refunded.Number() != "100.00" {
		t.Fatalf("ledger = %+v", l)
	}
}

func TestChargeDeclinedAndInvalid(t *testing.T) {
	svc, db, srv := newPayments(t)
	ctx := context.Background()
	// Payflow's test rule: 2001 and up is declined (RESULT 12).
	pay, err := svc.Charge(ctx, chargeRequest(t, "2500.00", "USD"))
	wantCode(t, err, app.EDECLINED, "error.payment.declined")
	if pay.State != app.StateDeclined {
		t.Fatalf("state %s", pay.State)
	}
	// A decline a person can act on says what to do.
	for amount, key := range map[string]string{
		"1050.00": "error.payment.declined_funds",
		"1051.00": "error.payment.declined_limit", "1013.00": "error.payment.declined_referral",
		"1114.00": "error.payment.declined_cvv",
	} {
		_, err := svc.Charge(ctx, chargeRequest(t, amount, "USD"))
		wantCode(t, err, app.EDECLINED, key)
	}
	// Invalid card data is caught before any journal row or call.
	req := chargeRequest(t, "10.00", "USD")
	req.Card.Number = []byte("4111111111111112")
	_, err = svc.Charge(ctx, req)
	wantCode(t, err, app.EINVALID, "error.card.number_luhn")
	req = chargeRequest(t, "10.00", "USD")
	req.Card.ExpYear = 2020
	_, err = svc.Charge(ctx, req)
	wantCode(t, err, app.EINVALID, "error.card.expired")
	_, total, _ := db.Payments(ctx, app.PaymentFilter{})
	if total != 5 || len(srv.Requests()) != 5 {
		t.Fatalf("%d journal rows and %d requests: invalid cards must not reach either", total, len(srv.Requests()))
	}
	// Zero and too many digits are refused.
	req = chargeRequest(t, "0.00", "USD")
	_, err = svc.Charge(ctx, req)
	wantCode(t, err, app.EINVALID, "error.payment.amount")
	for _, p := range srv.Requests() {
		if strings.Contains(p.Body, "4111111111111111") {
			t.Fatal("the strict server recorded a full card number")
		}
	}
}

func TestReconcileSendsStuckPaymentsToReview(t *testing.T) {
	svc, db, srv := newPayments(t)
	ctx := context.Background()
	clk := &clock{now: time.Now().UTC()}
	svc.Now = clk.Now
	srv.InjectNext(payflowtest.FaultReplyLostAfterCharge, payflowtest.FaultReplyLostAfterCharge)
	pay, err := svc.Charge(ctx, chargeRequest(t, "10.00", "USD"))
	wantCode(t, err, app.EUNKNOWN, "error.payment.unknown")
	// The processor cannot answer for a day: the row stays unknown, then
	// goes to the administrator, and is never charged again.
	for i := 0; i < 3; i++ {
		srv.InjectNext(payflowtest.Fault5xxHTML, payflowtest.Fault5xxHTML)
		rep, err := svc.Reconcile(ctx)
		if err != nil || rep.StillOpen != 1 {
			t.Fatalf("reconcile %d: %+v %v", i, rep, err)
		}
	}
	clk.now = clk.now.Add(app.ReviewAfter)
	srv.InjectNext(payflowtest.Fault5xxHTML, payflowtest.Fault5xxHTML)
	rep, err := svc.Reconcile(ctx)
	if err != nil || rep.NeedsReview != 1 {
		t.Fatalf("after a day: %+v %v", rep, err)
	}
	got, _ := db.Payment(ctx, pay.ID)
	if got.State != app.StateNeedsReview || got.Attempts < 5 {
		t.Fatalf("row = %s after %d attempts", got.State, got.Attempts)
	}
	// Needs-review rows are not retried automatically.
	rep, _ = svc.Reconcile(ctx)
	if rep.Checked != 0 {
		t.Fatalf("a row in review was checked again: %+v", rep)
	}
	if n := len(srv.Ledger()); n != 1 {
		t.Fatalf("ledger has %d charges", n)
	}
}
