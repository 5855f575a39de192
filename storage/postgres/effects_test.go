package postgres_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage/storetest"
)

// Settling a registration's sale marks it paid and makes its reserved
// promotional code use final, in the same transaction; charged refunds
// mark it partially refunded, then refunded. (storage's effects, ported.)
func TestRegistrationEffectsOfSettlement(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	regID := pendingRegistration(t, db)
	var codeID int64
	if err := db.Pool().QueryRow(ctx, `INSERT INTO promo_code (code, kind, percent_bp, valid_from, valid_until, created_at)
		VALUES ('SPRING-25', 'percent', 1000, now() - interval '1 day', now() + interval '1 day', now()) RETURNING id`).
		Scan(&codeID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool().Exec(ctx, `INSERT INTO promo_redemption (code_id, registration_id, session_id, email, state,
		fee_minor, discount_minor, total_minor, currency, created_at, expires_at, updated_at)
		SELECT $1, id, session_id, email, 'reserved', 15000, 0, 15000, 'USD', now(), now() + interval '1 hour', now()
		FROM registration WHERE id = $2`, codeID, regID); err != nil {
		t.Fatal(err)
	}
	type regRow struct {
		status             string
		paid, refunded     int64
		paymentID          int64
		paidAt, cancelled  bool
		holdUntil, promoOK bool
	}
	read := func() regRow {
		t.Helper()
		var r regRow
		if err := db.Pool().QueryRow(ctx, `SELECT g.status, g.paid_minor, g.refunded_minor, coalesce(g.payment_id, 0),
				g.paid_at IS NOT NULL, g.cancelled_at IS NOT NULL, g.hold_until IS NOT NULL,
				EXISTS (SELECT 1 FROM promo_redemption r WHERE r.registration_id = g.id AND r.state = 'used'
				        AND r.payment_id = g.payment_id)
			FROM registration g WHERE g.id = $1`, regID).
			Scan(&r.status, &r.paid, &r.refunded, &r.paymentID, &r.paidAt, &r.cancelled, &r.holdUntil, &r.promoOK); err != nil {
			t.Fatal(err)
		}
		return r
	}

	sale := storetest.NewSale(15000)
	sale.Reference, sale.Currency = "registration:"+strconv.FormatInt(regID, 10), "USD"
	if err := db.CreatePayment(ctx, &sale); err != nil {
		t.Fatal(err)
	}
	if r := read(); r.status != "pending-payment" || r.paymentID != 0 || r.promoOK {
		t.Fatalf("before the answer: %+v", r)
	}
	if err := db.SettlePayment(ctx, sale.ID, app.PaymentUpdate{State: app.StateHeld, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := db.SettlePayment(ctx, sale.ID, app.PaymentUpdate{State: app.StateApproved, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if r := read(); r.status != string(app.RegPaid) || r.paid != 15000 || r.paymentID != sale.ID || !r.paidAt ||
		r.holdUntil || !r.promoOK {
		t.Fatalf("after the sale was charged: %+v", r)
	}
	refund := storetest.NewChild(app.KindRefund, sale, 5000)
	storetest.Create(t, db, refund, app.StateDeclined)
	if r := read(); r.status != string(app.RegPaid) || r.refunded != 0 {
		t.Fatalf("after a declined refund: %+v", r)
	}
	storetest.Create(t, db, storetest.NewChild(app.KindRefund, sale, 5000), app.StateApproved)
	if r := read(); r.status != string(app.RegPartiallyRefunded) || r.refunded != 5000 || !r.cancelled {
		t.Fatalf("after a partial refund: %+v", r)
	}
	storetest.Create(t, db, storetest.NewChild(app.KindRefund, sale, 10000), app.StateApproved)
	if r := read(); r.status != string(app.RegRefunded) || r.refunded != 15000 {
		t.Fatalf("after the rest was refunded: %+v", r)
	}
}
