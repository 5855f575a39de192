package storage_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/storetest"
)

// The journal's behaviour on both backends is storetest.RunPaymentStore's
// (payments_contract_test.go); what is here only SQLite shows: raw SQL
// against the triggers, the migrations, the query plans and the file's
// nanosecond times.

func paymentCount(t *testing.T, db *storage.DB) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRow(`SELECT count(*) FROM payment`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A database made by the build before the journal (schema 1, with a site)
// gains the journal on Open and keeps its data; the migration also goes
// down and up again cleanly.
func TestPaymentMigrationFromFoundation(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "trainpay.db")
	raw := rawAtVersion(t, path, "_journal_mode=WAL&_fk=1", 1)
	mustExec(t, raw, `INSERT INTO site (id, name, country, currency, time_zone, language, mode, created_at)
		VALUES (1, 'Stara szkoła', 'PL', 'PLN', 'Europe/Warsaw', 'pl', 'test', '2024-01-01T00:00:00.000000000Z')`)
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := storage.Open(path)
	if err != nil {
		t.Fatalf("Open on schema 1: %v", err)
	}
	site, err := db.Site(ctx)
	if err != nil || site.Name != "Stara szkoła" {
		t.Fatalf("site after migration: %+v, %v", site, err)
	}
	var version int64
	if err := db.Read().QueryRow(`SELECT max(version_id) FROM goose_db_version`).Scan(&version); err != nil ||
		version != storage.SchemaVersion() || version < 2 {
		t.Fatalf("version %d, %v; want %d", version, err, storage.SchemaVersion())
	}
	sale := storetest.Create(t, db, storetest.NewSale(5000), app.StateApproved)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// Down to 1 (the triggers go first, so the table can go with its rows)
	// and up again.
	raw = rawOpen(t, path, "_fk=1")
	defer raw.Close()
	if _, err := raw.Exec(`DELETE FROM payment`); err == nil {
		t.Fatal("a payment was deleted")
	}
	p := migrationsOn(t, raw)
	if _, err := p.DownTo(ctx, 1); err != nil {
		t.Fatalf("down to 1: %v", err)
	}
	var objects int
	if err := raw.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE tbl_name = 'payment'`).Scan(&objects); err != nil || objects != 0 {
		t.Fatalf("%d payment objects left after down, %v", objects, err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	raw.Close()
	db, err = openPath(t, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Payment(ctx, sale.ID); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("payment after down and up: %v", err)
	}
}

// The file keeps a payment's times to the nanosecond, in UTC (the contract
// asks only for PostgreSQL's microseconds).
func TestPaymentTimesKeepNanoseconds(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	created := time.Date(2025, 3, 30, 1, 59, 59, 123456789, time.FixedZone("CEST", 2*3600))
	p := storetest.NewSale(100)
	p.CreatedAt = created
	if err := db.CreatePayment(ctx, &p); err != nil {
		t.Fatal(err)
	}
	settled := created.Add(time.Nanosecond)
	if err := db.SettlePayment(ctx, p.ID, app.PaymentUpdate{State: app.StateApproved, At: settled}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Payment(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.CreatedAt.Equal(created) || !got.UpdatedAt.Equal(settled) || got.CreatedAt.Location() != time.UTC ||
		got.UpdatedAt.Location() != time.UTC {
		t.Errorf("created %v, updated %v; want %v and %v in UTC", got.CreatedAt, got.UpdatedAt, created, settled)
	}
}

// Reconciliation reads through the partial index, the refund limit through
// the parent index, and newest-first paging walks the rowid b-tree without
// a sort.
func TestPaymentQueriesUseTheirIndexes(t *testing.T) {
	db, _ := openTemp(t)
	plan := queryPlan(t, db, `SELECT id FROM payment p
		WHERE p.state IN ('pending', 'unknown', 'needs-review') AND p.state <> 'needs-review' ORDER BY p.id`)
	if !strings.Contains(plan, "payment_unsettled") {
		t.Errorf("the unsettled query does not use the partial index: %s", plan)
	}
	plan = queryPlan(t, db, `SELECT sum(amount_minor) FROM payment WHERE parent_id = 1 AND kind = 'refund'`)
	if !strings.Contains(plan, "payment_parent") {
		t.Errorf("the refund sum does not use the parent index: %s", plan)
	}
	if plan := queryPlan(t, db, `SELECT p.id FROM payment p ORDER BY p.id DESC LIMIT 10 OFFSET 20`); strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("payment paging sorts: %s", plan)
	}
}

// Whatever code runs the SQL, a row's request never changes, attempts
// never decrease, a charged row stays charged and nothing is deleted.
func TestPaymentJournalIsAppendAndSettle(t *testing.T) {
	db, _ := openTemp(t)
	sale := storetest.Create(t, db, storetest.NewSale(10000), app.StateApproved)
	refund := storetest.Create(t, db, storetest.NewChild(app.KindRefund, sale, 100), app.StatePending)

	for _, set := range []string{
		"id = 99", "key = 'ffff'", "invoice_id = 'other'", "kind = 'void'", "purpose = 'true-up'",
		"reference = 'x'", "parent_id = CASE WHEN parent_id IS NULL THEN id END", "method = 'debit-card'",
		"processor = 'wpp-uk-nvp'",
		"mode = 'production'", "amount_minor = 1", "currency = 'EUR'", "description = 'x'",
		"payer_name = 'x'", "payer_email = 'x'", "created_at = '2000-01-01T00:00:00.000000000Z'",
	} {
		for _, id := range []int64{sale.ID, refund.ID} {
			_, err := db.Write().Exec(`UPDATE payment SET `+set+` WHERE id = ?`, id)
			if err == nil || !strings.Contains(err.Error(), "only the answer") {
				t.Errorf("row %d: UPDATE SET %s: %v, want the trigger's refusal", id, set, err)
			}
		}
	}
	if _, err := db.Write().Exec(`UPDATE payment SET attempts = attempts - 1 WHERE id = ?`, sale.ID); err == nil {
		t.Error("attempts decreased")
	}
	for _, state := range []string{"pending", "declined", "failed", "unknown", "needs-review"} {
		if _, err := db.Write().Exec(`UPDATE payment SET state = ? WHERE id = ?`, state, sale.ID); err == nil {
			t.Errorf("an approved row became %s", state)
		}
	}
	// The answer, attempts and updated_at may change.
	if _, err := db.Write().Exec(`UPDATE payment SET state = 'failed', message = 'm', gateway_ref = 'r',
		attempts = attempts + 3, updated_at = '2030-01-01T00:00:00.000000000Z' WHERE id = ?`, refund.ID); err != nil {
		t.Errorf("settling by SQL: %v", err)
	}
	for _, q := range []string{`DELETE FROM payment WHERE id = ?`, `DELETE FROM payment WHERE id <> ?`} {
		if _, err := db.Write().Exec(q, refund.ID); err == nil {
			t.Errorf("%s was allowed", q)
		}
	}
	if n := paymentCount(t, db); n != 2 {
		t.Errorf("%d rows, want 2", n)
	}
	got, _ := db.Payment(context.Background(), sale.ID)
	if got.AmountMinor != 10000 || got.State != app.StateApproved || got.Currency != "PLN" {
		t.Errorf("sale after the attempts: %+v", got)
	}
}

// PCI DSS: the journal never stores a card number or a CVV. Every column is
// on this list; a new one must be reviewed and added here.
func TestPaymentTableHoldsNoCardNumber(t *testing.T) {
	db, _ := openTemp(t)
	allowed := []string{
		"id", "key", "invoice_id", "kind", "purpose", "reference", "parent_id", "method", "processor", "mode",
		"amount_minor", "currency", "description", "payer_name", "payer_email",
		"state", "gateway_ref", "auth_code", "brand", "last4", "funding", "result_code", "message", "field",
		"attempts", "created_at", "updated_at", "capture_started_at", "paid_before_minor",
	}
	rows, err := db.Read().Query(`SELECT name FROM pragma_table_info('payment')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var columns []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		columns = append(columns, name)
		if !slices.Contains(allowed, name) {
			t.Errorf("payment has column %q, which is not on the allow-list", name)
		}
	}
	if len(columns) != len(allowed) {
		t.Errorf("payment has columns %v, want %v", columns, allowed)
	}
	// last4 holds four digits at most.
	for _, v := range []string{"4111111111111111", "411", "41a1"} {
		p := storetest.NewSale(100)
		p.Last4 = v
		if err := db.CreatePayment(context.Background(), &p); err == nil {
			t.Errorf("last4 %q was stored", v)
		}
	}
}
