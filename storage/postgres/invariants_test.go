package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/postgres"
	"github.com/trainpay/trainpay/storage/storetest"
)

// raw is a plain connection to db's database, bypassing the store (as
// another desktop, or a hand-made fix, would write).
func raw(t *testing.T, db *postgres.DB) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.ConnectConfig(ctx, db.Pool().Config().ConnConfig.Copy())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(ctx) })
	return c
}

// wantState checks that err is PostgreSQL's refusal with SQLSTATE code (and,
// when given, the message or constraint).
func wantState(t *testing.T, err error, code, detail string) {
	t.Helper()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != code || (detail != "" && pe.Message != detail && pe.ConstraintName != detail) {
		t.Fatalf("err = %v, want SQLSTATE %s %q", err, code, detail)
	}
}

const rawSale = `INSERT INTO payment (key, invoice_id, kind, purpose, reference, method, processor, mode,
	amount_minor, currency, state, created_at, updated_at)
	VALUES ($1, $2, 'sale', 'registration', $3, 'credit-card', 'payflow', 'test', 5000, 'PLN', 'pending', now(), now())`

const rawRefund = `INSERT INTO payment (key, invoice_id, kind, purpose, reference, parent_id, method, processor, mode,
	amount_minor, currency, state, created_at, updated_at)
	VALUES ($1, $2, 'refund', 'registration', $3, $4, 'credit-card', 'payflow', 'test', 6000, 'PLN', 'pending', now(), now())`

// The trigger messages are SQLite's, word for word, so that a person or a
// log reads the same refusal from either backend.
func TestTriggerMessagesMatchSQLite(t *testing.T) {
	db := openTemp(t)
	a := raw(t, db)
	ctx := context.Background()
	sale := storetest.Create(t, db, storetest.NewSale(10000), app.StateApproved)
	_, err := a.Exec(ctx, rawSale, "k1", "i1", sale.Reference)
	wantState(t, err, postgres.StateLiveSale, storage.RaiseLiveSale)
	_, err = a.Exec(ctx, `INSERT INTO payment (key, invoice_id, kind, purpose, reference, parent_id, method, processor, mode,
		amount_minor, currency, state, created_at, updated_at)
		VALUES ('k2', 'i2', 'refund', 'registration', $1, $2, 'credit-card', 'payflow', 'test', 10001, 'PLN', 'pending', now(), now())`,
		sale.Reference, sale.ID)
	wantState(t, err, postgres.StateRefundExceeds, storage.RaiseRefundExceeds)
	_, err = a.Exec(ctx, `INSERT INTO payment (key, invoice_id, kind, purpose, reference, method, processor, mode,
		amount_minor, currency, state, created_at, updated_at, paid_before_minor)
		VALUES ('k3', 'i3', 'sale', 'pay-per-use', 'session:1', 'credit-card', 'payflow', 'test', 100, 'PLN', 'pending', now(), now(), 5)`)
	wantState(t, err, postgres.StatePaidChanged, storage.RaisePaidChanged)
}

// Two desktops write at the same moment: the first has recorded an open
// sale for a registration but not committed it when the second records
// another. The second waits for the first (the reference's lock), and once
// it commits, sees its sale and is refused.
func TestLiveSaleRuleHoldsBetweenUncommittedWriters(t *testing.T) {
	db := openTemp(t)
	a, b := raw(t, db), raw(t, db)
	ctx := context.Background()
	declined := storetest.Create(t, db, storetest.NewSale(5000), app.StateDeclined)
	ref := declined.Reference
	txA, err := a.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := txA.Exec(ctx, rawSale, "k1", "i1", ref); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := b.Exec(ctx, rawSale, "k2", "i2", ref)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("the second writer did not wait for the first: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := txA.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	wantState(t, <-done, postgres.StateLiveSale, storage.RaiseLiveSale)

	// Approved, it still blocks a registration's second sale; a declined
	// one cannot be reopened beside it.
	if _, err := a.Exec(ctx, `UPDATE payment SET state = 'approved' WHERE key = 'k1'`); err != nil {
		t.Fatal(err)
	}
	_, err = b.Exec(ctx, rawSale, "k3", "i3", ref)
	wantState(t, err, postgres.StateLiveSale, "")
	_, err = b.Exec(ctx, `UPDATE payment SET state = 'pending' WHERE id = $1`, declined.ID)
	wantState(t, err, postgres.StateLiveSale, "")
	var n int
	if err := a.QueryRow(ctx, `SELECT count(*) FROM payment WHERE reference = $1 AND state NOT IN ('declined', 'failed')`, ref).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d live sales, %v; want 1", n, err)
	}
}

// The unique index on open sales backs the triggers up: with them switched
// off (as a hand-made fix might), two open sales of one purpose and
// reference still cannot both be recorded, and the store says so in its
// own words.
func TestOpenSalesAreUniqueWithoutTheTriggers(t *testing.T) {
	db := openTemp(t)
	a := raw(t, db)
	ctx := context.Background()
	if _, err := a.Exec(ctx, `ALTER TABLE payment DISABLE TRIGGER payment_money_rules`); err != nil {
		t.Fatal(err)
	}
	first := storetest.Create(t, db, storetest.NewSale(5000), app.StateUnknown)
	_, err := a.Exec(ctx, rawSale, "k2", "i2", first.Reference)
	wantState(t, err, "23505", postgres.ConstraintOneOpenSale)
	second := storetest.NewSale(5000)
	second.Reference = first.Reference
	e := storetest.WantError(t, db.CreatePayment(ctx, &second), app.ECONFLICT, "error.payment.in_progress")
	if e.Data["ID"] != first.ID {
		t.Errorf("Data %v, want ID %d", e.Data, first.ID)
	}
}

// Two desktops refund one sale at the same moment, 60.00 each of 100.00:
// the second waits for the first's lock on the sale, then counts its
// refund and is refused. A declined refund frees its amount but cannot be
// reopened beyond what is left.
func TestRefundLimitHoldsBetweenUncommittedWriters(t *testing.T) {
	db := openTemp(t)
	a, b := raw(t, db), raw(t, db)
	ctx := context.Background()
	sale := storetest.Create(t, db, storetest.NewSale(10000), app.StateApproved)
	txA, err := a.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := txA.Exec(ctx, rawRefund, "r1", "ri1", sale.Reference, sale.ID); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := b.Exec(ctx, rawRefund, "r2", "ri2", sale.Reference, sale.ID)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("the second refund did not wait for the first: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := txA.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	wantState(t, <-done, postgres.StateRefundExceeds, storage.RaiseRefundExceeds)

	if _, err := a.Exec(ctx, `UPDATE payment SET state = 'declined' WHERE key = 'r1'`); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Exec(ctx, rawRefund, "r3", "ri3", sale.Reference, sale.ID); err != nil {
		t.Fatal(err)
	}
	_, err = a.Exec(ctx, `UPDATE payment SET state = 'pending' WHERE key = 'r1'`)
	wantState(t, err, postgres.StateRefundExceeds, "")
	if got, _ := db.Payment(ctx, sale.ID); got.RefundedMinor != 6000 {
		t.Fatalf("RefundedMinor = %d, want 6000", got.RefundedMinor)
	}
}

// Whatever code runs the SQL, a row's request never changes, attempts
// never decrease, a charged row stays charged, nothing is deleted or
// truncated; the append-only ledgers and the audit log likewise.
func TestJournalIsAppendAndSettleInTheDatabase(t *testing.T) {
	db := openTemp(t)
	a := raw(t, db)
	ctx := context.Background()
	sale := storetest.Create(t, db, storetest.NewSale(10000), app.StateApproved)
	refund := storetest.Create(t, db, storetest.NewChild(app.KindRefund, sale, 100), app.StatePending)
	for _, set := range []string{
		"id = 99", "key = 'ffff'", "invoice_id = 'other'", "kind = 'void'", "purpose = 'true-up'",
		"reference = 'x'", "parent_id = CASE WHEN parent_id IS NULL THEN id END", "method = 'debit-card'",
		"processor = 'wpp-uk-nvp'", "mode = 'production'", "amount_minor = 1", "currency = 'EUR'",
		"description = 'x'", "payer_name = 'x'", "payer_email = 'x'", "created_at = '2000-01-01T00:00:00Z'",
		"paid_before_minor = 1",
	} {
		for _, id := range []int64{sale.ID, refund.ID} {
			_, err := a.Exec(ctx, `UPDATE payment SET `+set+` WHERE id = $1`, id)
			wantState(t, err, postgres.StateAppendAndSettle, "payment: only the answer, attempts and updated_at may change")
		}
	}
	_, err := a.Exec(ctx, `UPDATE payment SET attempts = attempts - 1 WHERE id = $1`, sale.ID)
	wantState(t, err, postgres.StateAppendAndSettle, "payment: attempts never decrease")
	for _, state := range []string{"pending", "declined", "failed", "unknown", "needs-review"} {
		_, err := a.Exec(ctx, `UPDATE payment SET state = $1 WHERE id = $2`, state, sale.ID)
		wantState(t, err, postgres.StateAppendAndSettle, "payment: a charged payment stays charged")
	}
	if _, err := a.Exec(ctx, `UPDATE payment SET state = 'failed', message = 'm', gateway_ref = 'r',
		attempts = attempts + 3, updated_at = '2030-01-01T00:00:00Z' WHERE id = $1`, refund.ID); err != nil {
		t.Errorf("settling by SQL: %v", err)
	}
	if _, err := a.Exec(ctx, `UPDATE payment SET capture_started_at = now() WHERE id = $1`, sale.ID); err != nil {
		t.Fatal(err)
	}
	_, err = a.Exec(ctx, `UPDATE payment SET capture_started_at = NULL WHERE id = $1`, sale.ID)
	wantState(t, err, postgres.StateAppendAndSettle, "payment: capture_started_at only moves forward")
	for _, q := range []string{`DELETE FROM payment WHERE id = $1`, `DELETE FROM payment WHERE id <> $1`} {
		if _, err := a.Exec(ctx, q, refund.ID); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", q, err)
		}
	}
	for _, table := range []string{"payment", "audit_log", "department_ledger"} {
		if _, err := a.Exec(ctx, `TRUNCATE `+table+` CASCADE`); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("TRUNCATE %s: %v", table, err)
		}
	}
	if _, err := a.Exec(ctx, `INSERT INTO audit_log (at, actor, action) VALUES (now(), 'admin', 'test')`); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE audit_log SET actor = 'x'`, `DELETE FROM audit_log`} {
		if _, err := a.Exec(ctx, q); err == nil || !strings.Contains(err.Error(), "audit_log is append-only") {
			t.Errorf("%s: %v", q, err)
		}
	}
	if _, _, err := db.Payments(ctx, app.PaymentFilter{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Payment(ctx, sale.ID); got.AmountMinor != 10000 || got.State != app.StateApproved || got.Currency != "PLN" {
		t.Errorf("sale after the attempts: %+v", got)
	}
}

// PCI DSS: the journal never stores a card number or a CVV: its columns
// are exactly these (the same allow-list as SQLite's).
func TestPaymentTableHoldsNoCardNumber(t *testing.T) {
	db := openTemp(t)
	rows, err := db.Pool().Query(context.Background(), `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'payment' ORDER BY column_name`)
	if err != nil {
		t.Fatal(err)
	}
	cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	want := "amount_minor attempts auth_code brand capture_started_at created_at currency description field funding " +
		"gateway_ref id invoice_id key kind last4 message method mode paid_before_minor parent_id payer_email payer_name " +
		"processor purpose reference result_code state updated_at"
	if got := strings.Join(cols, " "); got != want {
		t.Errorf("payment columns:\n%s\nwant\n%s", got, want)
	}
}

// A sale's look at the journal and its insert are not split by another
// desktop's sale being written and settled in between. Here the second
// writer is slowed between the two (a trigger that sleeps, run after the
// money rules and before the row reaches the unique index) while the first
// commits its sale and settles it as charged: without the reference's
// lock, the second's look would have seen nothing, and by the time its row
// reached the index the first sale was no longer open: a registration
// charged twice.
func TestLiveSaleLookAndInsertAreNotSplitBySettlement(t *testing.T) {
	db := openTemp(t)
	a, b := raw(t, db), raw(t, db)
	ctx := context.Background()
	if _, err := a.Exec(ctx, `
		CREATE FUNCTION test_slow() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.key = 'slow' THEN PERFORM pg_sleep(1); END IF;
			RETURN NEW;
		END; $$;
		CREATE TRIGGER payment_zz_slow BEFORE INSERT ON payment FOR EACH ROW EXECUTE FUNCTION test_slow();`); err != nil {
		t.Fatal(err)
	}
	ref := storetest.NewSale(1).Reference
	txA, err := a.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := txA.Exec(ctx, rawSale, "first", "i1", ref); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := b.Exec(ctx, rawSale, "slow", "i2", ref)
		done <- err
	}()
	time.Sleep(200 * time.Millisecond) // b is in its look, or waiting for the lock
	if err := txA.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Exec(ctx, `UPDATE payment SET state = 'approved' WHERE key = 'first'`); err != nil {
		t.Fatal(err)
	}
	wantState(t, <-done, postgres.StateLiveSale, storage.RaiseLiveSale)
	var n int
	if err := a.QueryRow(ctx, `SELECT count(*) FROM payment WHERE reference = $1`, ref).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d sales for %s (%v), want 1", n, ref, err)
	}
}
