package app_test

import (
	"context"
	"os"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/registry"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/storetest"
)

// The environment of a child charging a session to its department's
// budget: the database file and the sessions (the child charges the one at
// its index).
const (
	budgetChargeChildDB       = "TRAINPAY_BUDGET_CHARGE_CHILD_DB"
	budgetChargeChildSessions = "TRAINPAY_BUDGET_CHARGE_CHILD_SESSIONS"
)

// Eight TrainPay processes on one SQLite file each charge a different
// pay-per-use session of one department to the department's budget, at the
// same instant, through the real registry's internal gateway. Under the
// block policy the budget covers exactly three: three are charged, five are
// refused with the block policy's error, and the budget is never overspent.
func TestChargesToTheBudgetNeverOverspendItAcrossConcurrentProcesses(t *testing.T) {
	if path := os.Getenv(budgetChargeChildDB); path != "" {
		chargeBudgetInChild(t, path)
		return
	}
	const covered = 3
	p, ids, period := budgetCoveringThreeOfEight(t)

	paid, refused := storetest.RacePayersRefusedWith(t, payers, "TestChargesToTheBudgetNeverOverspendItAcrossConcurrentProcesses",
		[]string{"error.budget.exceeded"},
		budgetChargeChildDB+"="+p.db.Path(), budgetChargeChildSessions+"="+ids)
	if paid != covered || refused != payers-covered {
		t.Fatalf("%d processes charged the budget and %d were refused, want %d and %d", paid, refused, covered, payers-covered)
	}
	rows, _, err := p.payments.Payments(p.ctx, app.PaymentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != covered {
		t.Fatalf("the journal holds %d rows, want the %d charges", len(rows), covered)
	}
	for _, r := range rows {
		if r.State != app.StateApproved || r.AmountMinor != 34200 || r.Method != app.MethodBudget || r.Processor != app.ProcessorInternal {
			t.Errorf("journal row %+v, want only approved charges of 342.00 to the budget", r)
		}
	}
	if b := p.budget(period); b.CommittedMinor != covered*34200 || b.RemainingMinor() != 0 {
		t.Fatalf("budget after the race: committed %d, remaining %d; want %d and 0", b.CommittedMinor, b.RemainingMinor(),
			covered*34200)
	}
}

// chargeBudgetInChild is one charging process: it opens the database,
// works out the charge of its session, says READY, waits for its standard
// input to close, charges it to the budget once and prints the outcome.
func chargeBudgetInChild(t *testing.T, path string) {
	ctx := context.Background()
	db, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	id := storetest.ChildsSession(t, budgetChargeChildSessions)
	reg := &registry.Registry{Sites: db, Settings: db}
	defer reg.Close()
	payments := app.NewPaymentService(db, reg, nil)
	svc := &app.PayPerUseService{Site: app.NewSiteService(db), Sessions: db, Store: db, Budgets: db, Payments: payments}
	c, err := svc.PrepareCharge(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	storetest.PayOnceWhenReleased(t, payments, app.ChargeRequest{
		Purpose: c.Purpose, Reference: c.Reference, Amount: c.Amount,
		Method: app.MethodBudget, Payer: c.Payer, Description: "Pay-per-use session", PaidSoFarMinor: &c.PaidSoFarMinor,
	})
}
