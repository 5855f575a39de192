package app_test

import (
	"context"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/payflow/payflowtest"
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
