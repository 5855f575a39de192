package postgres_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

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
	db, url := openTempURL(t)
	site := app.Site{
		Name: "Acme Training", Country: "US", Currency: "USD", TimeZone: "America/New_York", Language: "en",
		Mode: app.ModeTest, RatePersonMinuteE4: 1200, RateTeleconferenceMinuteE4: 800, CreatedAt: time.Now(),
	}
	if err := db.CreateSite(ctx, site, app.AdminCredential{Hash: "h"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveFeatures(ctx, []app.FeatureState{{Feature: app.FeaturePayPerUse, Provisioned: true, Enabled: true}}, nil); err != nil {
		t.Fatal(err)
	}
	settings := app.BudgetSettings{Period: app.PeriodFiscalYear, FiscalYearStart: time.July, Policy: app.PolicyBlock}
	if err := db.SaveBudgetSettings(ctx, settings, nil); err != nil {
		t.Fatal(err)
	}
	d := storetest.NewDepartment(t, db, "Sales Enablement", "CC-4100")
	start := time.Now().Add(7 * 24 * time.Hour).Truncate(time.Minute)
	var ids []string
	for range payers {
		s := storetest.AddSession(t, db, app.Session{
			Topic: "Quarterly product training", StartsAt: start,
			TimeZone: "America/New_York", DurationMinutes: 90, Type: app.SessionPayPerUse, Currency: "USD",
			ExpectedComputers: 25, ExpectedTeleconference: 10, DepartmentID: d.ID, Status: app.SessionScheduled,
		})
		ids = append(ids, strconv.FormatInt(s.ID, 10))
	}
	loc, _ := time.LoadLocation("America/New_York")
	period := settings.PeriodOf(start, loc).Key()
	if err := db.AddLedgerEntry(ctx, &app.LedgerEntry{
		DepartmentID: d.ID, Period: period, Kind: app.LedgerAllocation,
		AmountMinor: covered * price, Currency: "USD",
	}, nil); err != nil {
		t.Fatal(err)
	}

	paid, refused := storetest.RacePayersRefusedWith(t, payers, "TestChargesToTheBudgetNeverOverspendItAcrossConcurrentProcesses",
		[]string{"error.budget.exceeded"},
		budgetChargeChildDB+"="+url, budgetChargeChildSessions+"="+strings.Join(ids, ","))
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
	budgets, err := db.Budgets(ctx, period, time.Now())
	if err != nil || len(budgets) != 1 {
		t.Fatalf("budgets %+v, %v", budgets, err)
	}
	if b := budgets[0]; b.CommittedMinor != covered*price || b.RemainingMinor() != 0 {
		t.Fatalf("budget after the race: committed %d, remaining %d; want %d and 0", b.CommittedMinor, b.RemainingMinor(),
			covered*price)
	}
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
	i, err := strconv.Atoi(os.Getenv(storetest.ChildIndexEnv))
	if err != nil {
		t.Fatal(err)
	}
	id, err := strconv.ParseInt(strings.Split(os.Getenv(budgetChargeChildSessions), ",")[i], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
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
