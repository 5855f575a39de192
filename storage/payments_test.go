package storage_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
)

var paymentSeq atomic.Int64

// newSale is a sale request with unique key and invoice id.
func newSale(amount int64) app.Payment {
	n := paymentSeq.Add(1)
	return app.Payment{
		Key: fmt.Sprintf("%032x", n), InvoiceID: fmt.Sprintf("INV-%d", n),
		Kind: app.KindSale, Purpose: app.PurposeRegistration, Reference: fmt.Sprintf("registration:%d", n),
		Method: app.MethodCreditCard, Processor: app.ProcessorPayflow, Mode: app.ModeTest,
		AmountMinor: amount, Currency: "PLN", Description: "Szkolenie", PayerName: "Zofia Nowak",
		PayerEmail: "zofia@example.pl",
	}
}

// newChild is a refund or void of parent.
func newChild(kind app.PaymentKind, parent app.Payment, amount int64) app.Payment {
	p := newSale(amount)
	p.Kind, p.ParentID, p.Currency = kind, parent.ID, parent.Currency
	p.Purpose, p.Reference = parent.Purpose, parent.Reference
	return p
}

// create stores p and settles it in state (pending: left as created).
func create(t *testing.T, db *storage.DB, p app.Payment, state app.PaymentState) app.Payment {
	t.Helper()
	ctx := context.Background()
	if err := db.CreatePayment(ctx, &p); err != nil {
		t.Fatalf("CreatePayment(%s %d): %v", p.Kind, p.AmountMinor, err)
	}
	if state != app.StatePending {
		if err := db.SettlePayment(ctx, p.ID, app.PaymentUpdate{State: state, At: time.Now()}); err != nil {
			t.Fatalf("SettlePayment(%d, %s): %v", p.ID, state, err)
		}
	}
	got, err := db.Payment(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func paymentCount(t *testing.T, db *storage.DB) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRow(`SELECT count(*) FROM payment`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func queryPlan(t *testing.T, db *storage.DB, query string) string {
	t.Helper()
	rows, err := db.Read().Query(`EXPLAIN QUERY PLAN ` + query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "; ")
}

// A database made by the build before the journal (schema 1, with a site)
// gains the journal on Open and keeps its data; the migration also goes
// down and up again cleanly.
func TestPaymentMigrationFromFoundation(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "trainpay.db")
	raw := rawOpen(t, path, "_journal_mode=WAL&_fk=1")
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, os.DirFS("migrations"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 1); err != nil {
		t.Fatal(err)
	}
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
	sale := create(t, db, newSale(5000), app.StateApproved)
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
	p, err = goose.NewProvider(goose.DialectSQLite3, raw, os.DirFS("migrations"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
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

func TestPaymentRoundTrip(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	var s app.PaymentStore = db

	created := time.Date(2025, 3, 30, 1, 59, 59, 123456780, time.FixedZone("CEST", 2*3600))
	p := app.Payment{
		Key: "0123456789abcdef0123456789abcdef", InvoiceID: "TP-2025-000001",
		Kind: app.KindSale, Purpose: app.PurposePayPerUse, Reference: "session:7",
		Method: app.MethodDebitCard, Processor: app.ProcessorWPPUKNVP, Mode: app.ModeProduction,
		AmountMinor: 12345, Currency: "GBP", Description: "Sesja „Wprowadzenie”", PayerName: "Jan Kowalski",
		PayerEmail: "jan@example.co.uk",
		State:      app.StateApproved, // ignored: a new row is pending
		Brand:      app.BrandMaestro, Last4: "0004", Funding: app.FundingDebit,
		CreatedAt: created,
	}
	if err := s.CreatePayment(ctx, &p); err != nil {
		t.Fatal(err)
	}
	if p.ID == 0 || p.State != app.StatePending || !p.CreatedAt.Equal(created) || p.CreatedAt.Location() != time.UTC ||
		!p.UpdatedAt.Equal(p.CreatedAt) {
		t.Fatalf("after CreatePayment: %+v", p)
	}
	got, err := s.Payment(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got != p {
		t.Fatalf("Payment() = %+v\nwant        %+v", got, p)
	}

	// Attempts and the answer.
	at1 := time.Date(2025, 3, 30, 2, 0, 0, 0, time.UTC)
	for i, at := range []time.Time{at1, at1.Add(time.Second)} {
		if err := s.MarkAttempt(ctx, p.ID, at); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Payment(ctx, p.ID)
		if got.Attempts != i+1 || !got.UpdatedAt.Equal(at) {
			t.Fatalf("after attempt %d: attempts %d, updated %v", i+1, got.Attempts, got.UpdatedAt)
		}
	}
	settled := at1.Add(3 * time.Second)
	u := app.PaymentUpdate{
		State: app.StateApproved, GatewayRef: "A10E1234", AuthCode: "010010",
		Brand: app.BrandMaestro, Last4: "0004", Funding: app.FundingDebit, ResultCode: "ACK=Success",
		Message: "Approved", Field: "", At: settled,
	}
	if err := s.SettlePayment(ctx, p.ID, u); err != nil {
		t.Fatal(err)
	}
	want := p
	want.State, want.GatewayRef, want.AuthCode, want.ResultCode, want.Message = u.State, u.GatewayRef, u.AuthCode, u.ResultCode, u.Message
	want.Attempts, want.UpdatedAt = 2, settled
	if got, _ = s.Payment(ctx, p.ID); got != want {
		t.Fatalf("settled: %+v\nwant     %+v", got, want)
	}

	// A later answer that does not repeat the reference or card details
	// keeps them; result code, message and field are the latest.
	if err := s.SettlePayment(ctx, p.ID, app.PaymentUpdate{State: app.StateApproved, ResultCode: "lookup", Field: "cvv", At: settled}); err != nil {
		t.Fatal(err)
	}
	want.ResultCode, want.Message, want.Field = "lookup", "", "cvv"
	if got, _ = s.Payment(ctx, p.ID); got != want {
		t.Fatalf("re-settled: %+v\nwant        %+v", got, want)
	}

	// A refund: parent, and the sale's RefundedMinor.
	r := newChild(app.KindRefund, got, 2345)
	r.Method, r.Processor, r.Mode = got.Method, got.Processor, got.Mode
	if err := s.CreatePayment(ctx, &r); err != nil {
		t.Fatal(err)
	}
	if gotR, _ := s.Payment(ctx, r.ID); gotR != r || gotR.ParentID != p.ID || gotR.RefundedMinor != 0 {
		t.Errorf("refund: %+v\nwant    %+v", gotR, r)
	}
	if got, _ = s.Payment(ctx, p.ID); got.RefundedMinor != 2345 {
		t.Errorf("RefundedMinor = %d, want 2345", got.RefundedMinor)
	}
	// The zero time means now.
	before := time.Now().UTC()
	if err := s.MarkAttempt(ctx, r.ID, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if gotR, _ := s.Payment(ctx, r.ID); gotR.UpdatedAt.Before(before) || gotR.UpdatedAt.Location() != time.UTC {
		t.Errorf("MarkAttempt with zero time: updated %v, before %v", gotR.UpdatedAt, before)
	}

	// Missing rows.
	_, err = s.Payment(ctx, 999)
	wantError(t, err, app.ENOTFOUND, "error.payment.not_found")
	wantError(t, s.MarkAttempt(ctx, 999, time.Now()), app.ENOTFOUND, "error.payment.not_found")
	wantError(t, s.SettlePayment(ctx, 999, app.PaymentUpdate{State: app.StateFailed}), app.ENOTFOUND, "error.payment.not_found")
}

// Whatever code runs the SQL, a row's request never changes, attempts
// never decrease, a charged row stays charged and nothing is deleted.
func TestPaymentJournalIsAppendAndSettle(t *testing.T) {
	db, _ := openTemp(t)
	sale := create(t, db, newSale(10000), app.StateApproved)
	refund := create(t, db, newChild(app.KindRefund, sale, 100), app.StatePending)

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

func TestSettleRules(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	all := []app.PaymentState{
		app.StatePending, app.StateApproved, app.StateHeld, app.StateDeclined,
		app.StateFailed, app.StateUnknown, app.StateNeedsReview,
	}
	// The rules, written out independently of the code.
	refusal := func(from, to app.PaymentState) string {
		switch from {
		case app.StateApproved:
			if to != app.StateApproved {
				return "error.payment.settled"
			}
		case app.StateHeld:
			if to != app.StateApproved && to != app.StateHeld {
				return "error.payment.settled"
			}
		case app.StateNeedsReview:
			if !slices.Contains([]app.PaymentState{app.StateApproved, app.StateHeld, app.StateDeclined, app.StateFailed}, to) {
				return "error.payment.needs_review"
			}
		}
		return ""
	}
	for _, from := range all {
		for _, to := range all {
			p := create(t, db, newSale(500), from)
			err := db.SettlePayment(ctx, p.ID, app.PaymentUpdate{State: to, Message: "second answer"})
			got, _ := db.Payment(ctx, p.ID)
			if key := refusal(from, to); key != "" {
				if err == nil {
					t.Errorf("%s -> %s was allowed", from, to)
					continue
				}
				wantError(t, err, app.ECONFLICT, key)
				if got.State != from || got.Message != "" {
					t.Errorf("%s -> %s refused but the row is %s %q", from, to, got.State, got.Message)
				}
			} else if err != nil {
				t.Errorf("%s -> %s: %v", from, to, err)
			} else if got.State != to || got.Message != "second answer" {
				t.Errorf("%s -> %s: row is %s %q", from, to, got.State, got.Message)
			}
		}
	}
	// Reconciliation settling a lost answer.
	p := create(t, db, newSale(700), app.StateUnknown)
	if err := db.SettlePayment(ctx, p.ID, app.PaymentUpdate{State: app.StateApproved, GatewayRef: "B1"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Payment(ctx, p.ID); got.State != app.StateApproved || got.GatewayRef != "B1" {
		t.Errorf("unknown -> approved: %+v", got)
	}
	// A bad value is a bug underneath, refused by the table.
	if err := db.SettlePayment(ctx, p.ID, app.PaymentUpdate{State: app.StateApproved, Last4: "4111111111111111"}); app.ErrorCode(err) != app.EINTERNAL {
		t.Errorf("a card number as last4: %v", err)
	}
}

func TestUnsettledPayments(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	if got, err := db.UnsettledPayments(ctx); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("empty journal: %v, %v", got, err)
	}
	base := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	var want []int64
	for i, st := range []app.PaymentState{
		app.StatePending, app.StateApproved, app.StateUnknown, app.StateNeedsReview,
		app.StateDeclined, app.StatePending, app.StateFailed, app.StateHeld, app.StateUnknown,
	} {
		p := newSale(100)
		p.CreatedAt = base.Add(-time.Duration(i) * time.Minute) // a clock set back: id order still wins
		p = create(t, db, p, st)
		if st == app.StatePending || st == app.StateUnknown {
			want = append(want, p.ID)
		}
	}
	got, err := db.UnsettledPayments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, p := range got {
		ids = append(ids, p.ID)
	}
	if !slices.Equal(ids, want) {
		t.Errorf("unsettled ids %v, want %v (oldest first)", ids, want)
	}

	// Reconciliation reads through the partial index.
	plan := queryPlan(t, db, `SELECT id FROM payment p
		WHERE p.state IN ('pending', 'unknown', 'needs-review') AND p.state <> 'needs-review' ORDER BY p.id`)
	if !strings.Contains(plan, "payment_unsettled") {
		t.Errorf("the unsettled query does not use the partial index: %s", plan)
	}
	// So does the refund limit, through the parent index.
	plan = queryPlan(t, db, `SELECT sum(amount_minor) FROM payment WHERE parent_id = 1 AND kind = 'refund'`)
	if !strings.Contains(plan, "payment_parent") {
		t.Errorf("the refund sum does not use the parent index: %s", plan)
	}
}

func TestPaymentsPagingAndFilter(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	states := []app.PaymentState{app.StateApproved, app.StateDeclined, app.StatePending, app.StateFailed, app.StateHeld}
	var ids []int64
	for i := range 25 {
		ids = append(ids, create(t, db, newSale(int64(100+i)), states[i%len(states)]).ID)
	}
	var all []app.Payment
	for offset := 0; ; offset += 10 {
		page, total, err := db.Payments(ctx, app.PaymentFilter{Offset: offset, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if total != 25 {
			t.Fatalf("total %d, want 25", total)
		}
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
	}
	if len(all) != 25 {
		t.Fatalf("paged through %d rows, want 25", len(all))
	}
	for i, p := range all {
		if p.ID != ids[24-i] || p.AmountMinor != int64(124-i) {
			t.Errorf("row %d: id %d amount %d, want id %d (newest first)", i, p.ID, p.AmountMinor, ids[24-i])
		}
	}

	page, total, err := db.Payments(ctx, app.PaymentFilter{States: []app.PaymentState{app.StateDeclined, app.StateFailed}, Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if total != 10 || len(page) != 3 {
		t.Fatalf("declined or failed: %d rows of %d, want 3 of 10", len(page), total)
	}
	for i, p := range page {
		if p.State != app.StateDeclined && p.State != app.StateFailed || i > 0 && p.ID >= page[i-1].ID {
			t.Errorf("filtered row %d: %d %s", i, p.ID, p.State)
		}
	}
	if page, total, err := db.Payments(ctx, app.PaymentFilter{States: []app.PaymentState{app.StateNeedsReview}}); err != nil || total != 0 || page == nil || len(page) != 0 {
		t.Errorf("no match: %v, %d, %v", page, total, err)
	}
	if page, total, _ := db.Payments(ctx, app.PaymentFilter{Offset: 30, Limit: 10}); len(page) != 0 || total != 25 {
		t.Errorf("past the end: %d rows, total %d", len(page), total)
	}
	if page, _, _ := db.Payments(ctx, app.PaymentFilter{Offset: -5, Limit: 2}); len(page) != 2 || page[0].ID != ids[24] {
		t.Errorf("negative offset: %v", page)
	}

	// The default and the maximum page: add rows in bulk by SQL.
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 1100 {
		if _, err := tx.Exec(`INSERT INTO payment (key, invoice_id, kind, purpose, reference, method, processor, mode,
			amount_minor, currency, state, created_at, updated_at)
			VALUES (?, ?, 'sale', 'registration', '', 'credit-card', 'payflow', 'test', 1, 'PLN', 'declined', ?, ?)`,
			fmt.Sprintf("bulk%d", i), fmt.Sprintf("BULK-%d", i), "2025-01-01T00:00:00.000000000Z", "2025-01-01T00:00:00.000000000Z"); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if page, total, _ := db.Payments(ctx, app.PaymentFilter{}); len(page) != 100 || total != 1125 {
		t.Errorf("default page: %d rows of %d, want 100 of 1125", len(page), total)
	}
	if page, _, _ := db.Payments(ctx, app.PaymentFilter{Limit: 5000}); len(page) != 1000 {
		t.Errorf("limit 5000: %d rows, want 1000", len(page))
	}

	// Newest-first paging walks the rowid b-tree: no sort.
	if plan := queryPlan(t, db, `SELECT p.id FROM payment p ORDER BY p.id DESC LIMIT 10 OFFSET 20`); strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("payment paging sorts: %s", plan)
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
		p := newSale(100)
		p.Last4 = v
		if err := db.CreatePayment(context.Background(), &p); err == nil {
			t.Errorf("last4 %q was stored", v)
		}
	}
}
