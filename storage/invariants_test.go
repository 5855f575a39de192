package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/mattn/go-sqlite3"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/storetest"
)

// twoRawConnections are two connections to the file at path that bypass
// storage's Go code, as two processes would, closed when the test ends.
func twoRawConnections(t *testing.T, path string) (a, b *sql.DB) {
	t.Helper()
	a, b = rawOpen(t, path, "_fk=1&_busy_timeout=5000"), rawOpen(t, path, "_fk=1&_busy_timeout=5000")
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// The rule is the database's: two connections that bypass storage's Go
// code (two processes, say) still cannot both record an open sale for one
// registration, nor reopen a declined one beside a live one.
func TestLiveSaleRuleIsEnforcedByTheDatabase(t *testing.T) {
	db, path := openTemp(t)
	declined := storetest.Create(t, db, storetest.NewSale(5000), app.StateDeclined)
	a, b := twoRawConnections(t, path)
	insert := `INSERT INTO payment (key, invoice_id, kind, purpose, reference, method, processor, mode,
		amount_minor, currency, state, created_at, updated_at)
		VALUES (?, ?, 'sale', 'registration', ?, 'credit-card', 'payflow', 'test', 5000, 'PLN', 'pending',
		'2030-01-01T00:00:00.000000000Z', '2030-01-01T00:00:00.000000000Z')`
	mustExec(t, a, insert, "k1", "i1", declined.Reference)
	_, err := b.Exec(insert, "k2", "i2", declined.Reference)
	wantRaise(t, err, storage.RaiseLiveSale)
	// Approved, it still blocks a registration's second sale.
	mustExec(t, a, `UPDATE payment SET state = 'approved' WHERE key = 'k1'`)
	_, err = b.Exec(insert, "k3", "i3", declined.Reference)
	wantRaise(t, err, storage.RaiseLiveSale)
	// The declined sale cannot be reopened for a retry beside it.
	_, err = b.Exec(`UPDATE payment SET state = 'pending' WHERE id = ?`, declined.ID)
	wantRaise(t, err, storage.RaiseLiveSale)
	var n int
	if err := a.QueryRow(`SELECT count(*) FROM payment WHERE reference = ? AND state NOT IN ('declined', 'failed')`,
		declined.Reference).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d live sales, %v; want 1", n, err)
	}
}

// Refunds beyond a sale's amount are refused by the database, whichever
// connection writes them: two raw connections each take 60.00 of a 100.00
// sale, the second is refused by the trigger.
func TestRefundsBeyondTheSaleAreRefusedByTheDatabase(t *testing.T) {
	db, path := openTemp(t)
	sale := storetest.Create(t, db, storetest.NewSale(10000), app.StateApproved)
	a, b := twoRawConnections(t, path)
	insert := `INSERT INTO payment (key, invoice_id, kind, purpose, reference, parent_id, method, processor, mode,
		amount_minor, currency, state, created_at, updated_at)
		VALUES (?, ?, 'refund', 'registration', ?, ?, 'credit-card', 'payflow', 'test', 6000, 'PLN', 'pending',
		'2030-01-01T00:00:00.000000000Z', '2030-01-01T00:00:00.000000000Z')`
	mustExec(t, a, insert, "r1", "ri1", sale.Reference, sale.ID)
	_, err := b.Exec(insert, "r2", "ri2", sale.Reference, sale.ID)
	wantRaise(t, err, storage.RaiseRefundExceeds)
	// A declined refund frees its amount, but cannot be reopened beyond it.
	mustExec(t, a, `UPDATE payment SET state = 'declined' WHERE key = 'r1'`)
	mustExec(t, b, insert, "r3", "ri3", sale.Reference, sale.ID)
	_, err = a.Exec(`UPDATE payment SET state = 'pending' WHERE key = 'r1'`)
	wantRaise(t, err, storage.RaiseRefundExceeds)
	if got, _ := db.Payment(context.Background(), sale.ID); got.RefundedMinor != 6000 {
		t.Fatalf("RefundedMinor = %d, want 6000", got.RefundedMinor)
	}
}

// Two storage handles on one file (as two TrainPay processes have) race 32
// refunds of 10.00 for a 100.00 sale: exactly ten get in, the others get
// the typed error with what is left.
func TestRefundsFromTwoHandlesStopAtTheSale(t *testing.T) {
	db, path := openTemp(t)
	other, err := openPath(t, path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.RaceRefunds(t, db, other)
}

// wantRaise checks that err is the trigger refusal whose message is msg.
func wantRaise(t *testing.T, err error, msg string) {
	t.Helper()
	var se sqlite3.Error
	if !errors.As(err, &se) || se.ExtendedCode != sqlite3.ErrConstraintTrigger || se.Error() != msg {
		t.Fatalf("err = %v (%s), want the trigger's %q", err, describe(err), msg)
	}
}

func describe(err error) string {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return fmt.Sprintf("code %d, extended %d", se.Code, se.ExtendedCode)
	}
	return fmt.Sprintf("%T", err)
}

// A journal written before the rules may already hold the double charge
// they stop (two approved sales for one registration): it still migrates
// and opens, keeps both rows, and refuses a third.
func TestMoneyRulesMigrateAJournalThatBrokeThem(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "trainpay.db")
	raw := rawAtVersion(t, path, "_journal_mode=WAL&_fk=1", 10)
	for i := range 2 {
		mustExec(t, raw, `INSERT INTO payment (key, invoice_id, kind, purpose, reference, method, processor, mode,
			amount_minor, currency, state, created_at, updated_at)
			VALUES (?, ?, 'sale', 'registration', 'registration:7', 'credit-card', 'payflow', 'test', 5000, 'PLN',
			'approved', '2030-01-01T00:00:00.000000000Z', '2030-01-01T00:00:00.000000000Z')`,
			fmt.Sprintf("old%d", i), fmt.Sprintf("OLD-%d", i))
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := openPath(t, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	third := storetest.NewSale(5000)
	third.Reference = "registration:7"
	wantError(t, db.CreatePayment(ctx, &third), app.ECONFLICT, "error.payment.already_paid")
	if n := paymentCount(t, db); n != 2 {
		t.Fatalf("%d rows, want the 2 old ones", n)
	}
}
