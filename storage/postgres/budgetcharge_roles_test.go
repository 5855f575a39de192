package postgres_test

import (
	"context"
	"testing"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/registry"
	"github.com/trainpay/trainpay/storage/postgres"
)

// A budget owner's own login charges their department's session to its
// budget through the real payment service and the internal gateway: one
// approved journal sale, the department's ledger charged once by its
// settlement, and a refund credits the budget back. The same login's charge
// of another department's session is refused by the server and leaves the
// journal and the ledger as they were.
func TestPeopleRolesBudgetOwnerChargesOnlyTheirOwnDepartmentsBudget(t *testing.T) {
	s := newPeopleSite(t)
	ctx := context.Background()
	bo, err := postgres.Open(ctx, s.as(t, s.bo, s.password))
	if err != nil {
		t.Fatalf("sign in as the budget owner: %v", err)
	}
	t.Cleanup(bo.Close)
	reg := &registry.Registry{Sites: bo, Settings: bo}
	t.Cleanup(func() { reg.Close() })
	pay := app.NewPaymentService(bo, reg, nil)
	amount, err := currency.NewAmount("25.00", "PLN")
	if err != nil {
		t.Fatal(err)
	}
	ledger := func(dep int64) (charged, refunded int64) {
		t.Helper()
		if err := s.db.Pool().QueryRow(ctx, `
			SELECT coalesce(sum(amount_minor) FILTER (WHERE kind = 'charge'), 0),
			       coalesce(sum(amount_minor) FILTER (WHERE kind = 'refund'), 0)
			FROM department_ledger WHERE department_id = $1`, dep).Scan(&charged, &refunded); err != nil {
			t.Fatal(err)
		}
		return charged, refunded
	}

	sale, err := pay.Charge(ctx, app.ChargeRequest{
		Purpose: app.PurposePayPerUse, Reference: app.SessionReference(s.sess1),
		Amount: amount, Method: app.MethodBudget, Description: "Pay-per-use session",
	})
	if err != nil || sale.State != app.StateApproved || sale.Processor != app.ProcessorInternal || sale.Method != app.MethodBudget {
		t.Fatalf("the owner's charge to their budget: %+v %v", sale, err)
	}
	if charged, _ := ledger(s.dep1); charged != 2500 {
		t.Fatalf("the department's ledger holds %d of charges, want 2500", charged)
	}
	if _, err := pay.Refund(ctx, sale.ID, amount, "cancelled"); err != nil {
		t.Fatalf("refund of a charge to the budget: %v", err)
	}
	if _, refunded := ledger(s.dep1); refunded != 2500 {
		t.Fatalf("the department's ledger holds %d of refunds, want 2500", refunded)
	}

	before := s.everything(t)
	other, err := pay.Charge(ctx, app.ChargeRequest{
		Purpose: app.PurposePayPerUse, Reference: app.SessionReference(s.sess2b),
		Amount: amount, Method: app.MethodBudget, Description: "Pay-per-use session",
	})
	if err == nil {
		t.Fatalf("the owner charged another department's budget: %+v", other)
	}
	// Said as a refusal of this login, not as an internal error.
	if e := app.AsError(err); e.Code != app.EUNAUTHORIZED || e.Key != "error.orgdb.not_allowed" {
		t.Errorf("another department's budget: %v (code %q key %q), want error.orgdb.not_allowed", err, e.Code, e.Key)
	}
	if after := s.everything(t); after != before {
		t.Errorf("the refused charge changed the database:\nbefore\n%s\nafter\n%s", before, after)
	}
}
