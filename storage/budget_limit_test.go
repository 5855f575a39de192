package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/storetest"
)

// The budget limit is the file's own: a pay-per-use sale written by raw
// SQL, not through the store, is refused by the trigger with the message
// storage knows it by.
func TestBudgetLimitRefusesARawInsert(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	if err := db.CreateSite(ctx, storetest.TestSite(), app.AdminCredential{Hash: "h"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveBudgetSettings(ctx, app.BudgetSettings{
		Period: app.PeriodFiscalYear, FiscalYearStart: time.January,
		Policy: app.PolicyBlock,
	}, nil); err != nil {
		t.Fatal(err)
	}
	d := storetest.NewDepartment(t, db, "Sprzedaż", "CC-4100")
	session := storetest.DepartmentSession(t, db, d.ID, time.Now().Add(7*24*time.Hour))
	insert := func(amount int64) error {
		_, err := db.Write().ExecContext(ctx, `INSERT INTO payment (key, invoice_id, kind, purpose, reference, method,
			processor, mode, amount_minor, currency, state, created_at, updated_at)
			VALUES (hex(randomblob(8)), hex(randomblob(8)), 'sale', 'pay-per-use', ?, 'credit-card', 'payflow', 'test', ?,
			        'PLN', 'pending', '2026-01-01T00:00:00.000000000Z', '2026-01-01T00:00:00.000000000Z')`,
			app.SessionReference(session), amount)
		return err
	}
	if err := insert(1); err == nil || err.Error() != storage.RaiseBudgetExceeded {
		t.Fatalf("a raw insert above the budget: %v", err)
	}
	loc, _ := time.LoadLocation("Europe/Warsaw")
	if err := db.AddLedgerEntry(ctx, &app.LedgerEntry{
		DepartmentID: d.ID, Kind: app.LedgerAllocation, AmountMinor: 1,
		Currency: "PLN", Period: app.DefaultBudgetSettings.PeriodOf(time.Now().Add(7*24*time.Hour), loc).Key(),
	}, nil); err != nil {
		t.Fatal(err)
	}
	if err := insert(1); err != nil {
		t.Fatalf("a raw insert within the budget: %v", err)
	}
}
