package app_test

import (
	"context"
	"testing"

	"github.com/trainpay/trainpay/app"
)

func TestVoidReleasesASaleOnce(t *testing.T) {
	svc, db, srv := newPayments(t)
	ctx := context.Background()
	sale, err := svc.Charge(ctx, chargeRequest(t, "40.00", "USD"))
	if err != nil {
		t.Fatal(err)
	}
	void, err := svc.Void(ctx, sale.ID, "cancelled session")
	if err != nil {
		t.Fatal(err)
	}
	if void.ParentID != sale.ID || void.State != "approved" {
		t.Fatalf("void = %+v", void)
	}
	l := srv.Ledger()
	if len(l) != 1 || !l[0].Voided {
		t.Fatalf("ledger = %+v", l)
	}
	// A second void is refused by the processor and leaves the ledger alone.
	if _, err := svc.Void(ctx, sale.ID, "again"); err == nil {
		t.Fatal("a voided sale was voided again")
	}
	if n, _, _ := db.Payments(ctx, app.PaymentFilter{}); len(n) != 3 {
		t.Fatalf("journal has %d rows, want sale and two voids", len(n))
	}
}
