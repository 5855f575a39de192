package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/storetest"
)

// budgetSite is a site in PLN (Europe/Warsaw) under the block policy with
// one department, and the budget period of sessions starting in a week.
func budgetSite(t *testing.T) (*storage.DB, app.Department, string) {
	t.Helper()
	ctx := context.Background()
	db, _ := openTemp(t)
	if err := db.CreateSite(ctx, storetest.TestSite(), app.AdminCredential{Hash: "h"}, nil); err != nil {
		t.Fatal(err)
	}
	settings := app.BudgetSettings{Period: app.PeriodQuarter, FiscalYearStart: time.April, Policy: app.PolicyBlock}
	if err := db.SaveBudgetSettings(ctx, settings, nil); err != nil {
		t.Fatal(err)
	}
	d := storetest.NewDepartment(t, db, "Sprzedaż", "CC-4100")
	loc, _ := time.LoadLocation("Europe/Warsaw")
	return db, d, settings.PeriodOf(time.Now().Add(7*24*time.Hour), loc).Key()
}

// ppuSession stores a pay-per-use session of department (0: none)
// starting at startsAt.
func ppuSession(t *testing.T, db *storage.DB, department int64, startsAt time.Time) int64 {
	t.Helper()
	s := app.Session{Topic: "Szkolenie produktowe", StartsAt: startsAt.Truncate(time.Minute), TimeZone: "Europe/Warsaw",
		DurationMinutes: 60, Type: app.SessionPayPerUse, Currency: "PLN", ExpectedComputers: 10, DepartmentID: department}
	s.Normalize()
	if err := db.CreateSession(context.Background(), &s); err != nil {
		t.Fatal(err)
	}
	return s.ID
}

func ppuSale(purpose app.Purpose, session, amount int64) app.Payment {
	p := newSale(amount)
	p.Purpose, p.Reference = purpose, app.SessionReference(session)
	return p
}

func allocate(t *testing.T, db *storage.DB, d app.Department, period string, amount int64) {
	t.Helper()
	if err := db.AddLedgerEntry(context.Background(), &app.LedgerEntry{DepartmentID: d.ID, Period: period,
		Kind: app.LedgerAllocation, AmountMinor: amount, Currency: "PLN"}, nil); err != nil {
		t.Fatal(err)
	}
}

// Under the block policy the journal refuses a pay-per-use sale that the
// department's budget for its session's period does not cover, counting
// the ledger's charges and the sales open or charged but not yet in it,
// with the block policy's own error and nothing written.
func TestPayPerUseSaleAboveTheDepartmentsBudgetIsRefusedByTheJournal(t *testing.T) {
	ctx := context.Background()
	db, d, period := budgetSite(t)
	week := time.Now().Add(7 * 24 * time.Hour)
	s1, s2, s3 := ppuSession(t, db, d.ID, week), ppuSession(t, db, d.ID, week), ppuSession(t, db, d.ID, week)
	allocate(t, db, d, period, 500_00)

	a := create(t, db, ppuSale(app.PurposePayPerUse, s1, 300_00), app.StatePending) // open: counts
	before := paymentCount(t, db)
	over := ppuSale(app.PurposePayPerUse, s2, 250_00)
	e := wantError(t, db.CreatePayment(ctx, &over), app.ECONFLICT, "error.budget.exceeded")
	if e.Data["Department"] != d.Name || e.Data["Period"] != period ||
		e.Data["Due"].(interface{ String() string }).String() != "250.00 PLN" ||
		e.Data["Remaining"].(interface{ String() string }).String() != "200.00 PLN" {
		t.Fatalf("refusal data %v", e.Data)
	}
	if n := paymentCount(t, db); n != before {
		t.Fatalf("%d rows after the refusal, want %d", n, before)
	}
	b := create(t, db, ppuSale(app.PurposePayPerUse, s2, 200_00), app.StatePending) // exactly what is left
	// Charged, a sale is counted once: by the ledger.
	if err := db.SettlePayment(ctx, a.ID, app.PaymentUpdate{State: app.StateApproved, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	cent := ppuSale(app.PurposePayPerUse, s3, 1)
	wantError(t, db.CreatePayment(ctx, &cent), app.ECONFLICT, "error.budget.exceeded")
	// A declined sale gives its share back.
	if err := db.SettlePayment(ctx, b.ID, app.PaymentUpdate{State: app.StateDeclined, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	create(t, db, ppuSale(app.PurposePayPerUse, s3, 200_00), app.StateApproved)
	// A charged refund gives its amount back through the ledger.
	wantError(t, db.CreatePayment(ctx, &cent), app.ECONFLICT, "error.budget.exceeded")
	create(t, db, newChild(app.KindRefund, a, 100_00), app.StateApproved)
	create(t, db, ppuSale(app.PurposePayPerUse, s2, 100_00), app.StatePending)

	// Whatever writes the journal: a raw insert is refused too.
	if _, err := db.Write().ExecContext(ctx, `INSERT INTO payment (key, invoice_id, kind, purpose, reference, method, processor,
		mode, amount_minor, currency, state, created_at, updated_at)
		VALUES ('k-raw', 'inv-raw', 'sale', 'pay-per-use', ?, 'credit-card', 'payflow', 'test', 1, 'PLN', 'pending',
		        '2026-01-01T00:00:00.000000000Z', '2026-01-01T00:00:00.000000000Z')`, app.SessionReference(s3)); err == nil ||
		err.Error() != storage.RaiseBudgetExceeded {
		t.Fatalf("a raw insert above the budget: %v", err)
	}

	// Not refused: a true-up (the session was held: its cost is owed), a
	// session with no department, a session of another period against
	// that period's own allocation, and anything under the warn policy.
	create(t, db, ppuSale(app.PurposeTrueUp, s1, 50_00), app.StatePending)
	create(t, db, ppuSale(app.PurposePayPerUse, ppuSession(t, db, 0, week), 900_00), app.StatePending)
	later := week.AddDate(0, 6, 0)
	loc, _ := time.LoadLocation("Europe/Warsaw")
	laterPeriod := app.BudgetSettings{Period: app.PeriodQuarter, FiscalYearStart: time.April}.PeriodOf(later, loc).Key()
	s4 := ppuSession(t, db, d.ID, later)
	next := ppuSale(app.PurposePayPerUse, s4, 10_00)
	wantError(t, db.CreatePayment(ctx, &next), app.ECONFLICT, "error.budget.exceeded")
	allocate(t, db, d, laterPeriod, 10_00)
	create(t, db, ppuSale(app.PurposePayPerUse, s4, 10_00), app.StatePending)
	if err := db.SaveBudgetSettings(ctx, app.BudgetSettings{Period: app.PeriodQuarter, FiscalYearStart: time.April,
		Policy: app.PolicyWarn}, nil); err != nil {
		t.Fatal(err)
	}
	create(t, db, ppuSale(app.PurposePayPerUse, s3, 10_000_00), app.StatePending)
}
