package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/registry"
	"github.com/trainpay/trainpay/storage/postgres"
	"github.com/trainpay/trainpay/storage/storetest"
)

// The environment of a desktop charging a session to its department's
// budget: the organisation database and the sessions (the child charges the
// one at its index).
const (
	budgetChargeChildDB       = "TRAINPAY_PG_BUDGET_CHARGE_CHILD_DB"
	budgetChargeChildSessions = "TRAINPAY_PG_BUDGET_CHARGE_CHILD_SESSIONS"
)

// Eight desktops on one organisation database each charge a different
// pay-per-use session of one department to its budget, at the same
// instant, through the real registry's internal gateway. Under the block
// policy the budget covers exactly three: three are charged, five refused
// with the block policy's error, and the budget is never overspent.
func TestChargesToTheBudgetNeverOverspendItAcrossConcurrentProcesses(t *testing.T) {
	if url := os.Getenv(budgetChargeChildDB); url != "" {
		chargeBudgetInChild(t, url)
		return
	}
	const covered, price = 3, 342_00
	ctx := context.Background()
	race := newBudgetRace(t)
	db, url := race.db, race.url

	paid, refused := storetest.RacePayersRefusedWith(t, payers, "TestChargesToTheBudgetNeverOverspendItAcrossConcurrentProcesses",
		[]string{"error.budget.exceeded"},
		budgetChargeChildDB+"="+url, budgetChargeChildSessions+"="+race.ids)
	if paid != covered || refused != payers-covered {
		t.Fatalf("%d desktops charged the budget and %d were refused, want %d and %d", paid, refused, covered, payers-covered)
	}
	rows, _, err := db.Payments(ctx, app.PaymentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != covered {
		t.Fatalf("the journal holds %d rows, want the %d charges", len(rows), covered)
	}
	for _, r := range rows {
		if r.State != app.StateApproved || r.AmountMinor != price || r.Method != app.MethodBudget || r.Processor != app.ProcessorInternal {
			t.Errorf("journal row %+v, want only approved charges of 342.00 to the budget", r)
		}
	}
	race.wantSpent(t, covered*price)
}

// chargeBudgetInChild is one charging desktop: it opens the organisation
// database, works out the charge of its session, says READY, waits for its
// standard input to close, charges it to the budget once and prints the
// outcome.
func chargeBudgetInChild(t *testing.T, url string) {
	ctx := context.Background()
	db, err := postgres.Open(ctx, url)
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
