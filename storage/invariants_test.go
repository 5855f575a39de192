package storage_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/mattn/go-sqlite3"
	"github.com/pressly/goose/v3"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
)

var allStates = []app.PaymentState{
	app.StatePending, app.StateApproved, app.StateHeld, app.StateDeclined,
	app.StateFailed, app.StateUnknown, app.StateNeedsReview,
}

// A second sale for the same purpose and reference is refused while the
// first is open (its outcome not known) and, for a registration, once it is
// charged; a declined or failed first sale leaves room for a new attempt. A
// test payment's reference is shared by every test payment, so it never
// blocks another.
func TestOneLiveSalePerPurposeAndReference(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	// blocks[purpose][state of the first sale]: whether the second is refused.
	open := map[app.PaymentState]bool{app.StatePending: true, app.StateUnknown: true, app.StateNeedsReview: true}
	openOrCharged := map[app.PaymentState]bool{
		app.StatePending: true, app.StateUnknown: true,
		app.StateNeedsReview: true, app.StateApproved: true, app.StateHeld: true,
	}
	blocks := map[app.Purpose]map[app.PaymentState]bool{
		app.PurposeRegistration: openOrCharged,
		app.PurposePayPerUse:    open,
		app.PurposeTrueUp:       open,
		app.PurposeTestPayment:  {},
	}
	for purpose, blocked := range blocks {
		for _, st := range allStates {
			first := newSale(5000)
			first.Purpose = purpose
			first = create(t, db, first, st)
			second := newSale(5000)
			second.Purpose, second.Reference = purpose, first.Reference
			before := paymentCount(t, db)
			err := db.CreatePayment(ctx, &second)
			switch {
			case !blocked[st] && err != nil:
				t.Errorf("%s after a %s sale: %v, want a new attempt allowed", purpose, st, err)
			case blocked[st]:
				key := "error.payment.in_progress"
				if st.Charged() {
					key = "error.payment.already_paid"
				}
				if err == nil {
					t.Errorf("%s after a %s sale: a second sale was recorded", purpose, st)
					continue
				}
				e := wantError(t, err, app.ECONFLICT, key)
				if e.Data["ID"] != first.ID {
					t.Errorf("%s after a %s sale: Data %v, want ID %d", purpose, st, e.Data, first.ID)
				}
				if n := paymentCount(t, db); n != before {
					t.Errorf("%s after a %s sale: %d rows, want %d", purpose, st, n, before)
				}
			}
		}
	}
	// Refunds and voids of a live sale are not second sales.
	sale := create(t, db, newSale(5000), app.StateApproved)
	create(t, db, newChild(app.KindRefund, sale, 100), app.StatePending)
	create(t, db, newChild(app.KindVoid, sale, 5000), app.StatePending)

	// A declined sale reopened for a retry beside a live one is refused
	// with the same error, and so is a declined refund reopened beyond
	// what is left.
	declined := create(t, db, newSale(5000), app.StateDeclined)
	live := newSale(5000)
	live.Reference = declined.Reference
	live = create(t, db, live, app.StateUnknown)
	e := wantError(t, db.SettlePayment(ctx, declined.ID, app.PaymentUpdate{State: app.StatePending}),
		app.ECONFLICT, "error.payment.in_progress")
	if e.Data["ID"] != live.ID {
		t.Errorf("Data %v, want ID %d", e.Data, live.ID)
	}
	refunded := create(t, db, newSale(5000), app.StateApproved)
	refund := create(t, db, newChild(app.KindRefund, refunded, 4900), app.StateDeclined)
	create(t, db, newChild(app.KindRefund, refunded, 4900), app.StateApproved)
	e = wantError(t, db.SettlePayment(ctx, refund.ID, app.PaymentUpdate{State: app.StatePending}),
		app.ECONFLICT, "error.payment.refund_exceeds")
	if e.Data["Left"] != int64(100) {
		t.Errorf("Data %v, want Left 100", e.Data)
	}
}

// The rule is the database's: two connections that bypass storage's Go
// code (two processes, say) still cannot both record an open sale for one
// registration, nor reopen a declined one beside a live one.
func TestLiveSaleRuleIsEnforcedByTheDatabase(t *testing.T) {
	db, path := openTemp(t)
	declined := create(t, db, newSale(5000), app.StateDeclined)
	a, b := rawOpen(t, path, "_fk=1&_busy_timeout=5000"), rawOpen(t, path, "_fk=1&_busy_timeout=5000")
	defer a.Close()
	defer b.Close()
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
	sale := create(t, db, newSale(10000), app.StateApproved)
	a, b := rawOpen(t, path, "_fk=1&_busy_timeout=5000"), rawOpen(t, path, "_fk=1&_busy_timeout=5000")
	defer a.Close()
	defer b.Close()
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
	ctx := context.Background()
	db, path := openTemp(t)
	other, err := openPath(t, path)
	if err != nil {
		t.Fatal(err)
	}
	sale := create(t, db, newSale(10000), app.StateApproved)
	var wg sync.WaitGroup
	errs := make([]error, 32)
	start := make(chan struct{})
	for i := range errs {
		h := db
		if i%2 == 1 {
			h = other
		}
		wg.Go(func() {
			r := newChild(app.KindRefund, sale, 1000)
			<-start
			errs[i] = h.CreatePayment(ctx, &r)
		})
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		e := wantError(t, err, app.ECONFLICT, "error.payment.refund_exceeds")
		if e.Data["Left"] != int64(0) {
			t.Errorf("Left %v, want 0", e.Data["Left"])
		}
	}
	if got, _ := db.Payment(ctx, sale.ID); ok != 10 || got.RefundedMinor != 10000 {
		t.Errorf("%d refunds in, RefundedMinor %d; want 10 and 10000", ok, got.RefundedMinor)
	}
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
	raw := rawOpen(t, path, "_journal_mode=WAL&_fk=1")
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, os.DirFS("migrations"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 10); err != nil {
		t.Fatal(err)
	}
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
	third := newSale(5000)
	third.Reference = "registration:7"
	wantError(t, db.CreatePayment(ctx, &third), app.ECONFLICT, "error.payment.already_paid")
	if n := paymentCount(t, db); n != 2 {
		t.Fatalf("%d rows, want the 2 old ones", n)
	}
}

// TestPayPerUseSaleOnAStaleBasisIsRefused: a pay-per-use or true-up sale
// carries what the session had paid when its amount due was worked out;
// once another sale for the session settled (another desktop paid the same
// amount due), the database refuses it, so the session is not charged
// twice. A basis that holds, or none, is accepted.
func TestPayPerUseSaleOnAStaleBasisIsRefused(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	basis := func(v int64) *int64 { return &v }
	ppu := func(purpose app.Purpose, ref string, amount int64, paid *int64) app.Payment {
		p := newSale(amount)
		p.Purpose, p.Reference, p.PaidBeforeMinor = purpose, ref, paid
		return p
	}
	const ref = "session:7"
	// Two desktops both worked out 120.00 due with nothing paid; the first
	// is charged.
	first := create(t, db, ppu(app.PurposePayPerUse, ref, 120_00, basis(0)), app.StateApproved)
	before := paymentCount(t, db)
	second := ppu(app.PurposePayPerUse, ref, 120_00, basis(0))
	wantError(t, db.CreatePayment(ctx, &second), app.ECONFLICT, "error.payperuse.paid_changed")
	if n := paymentCount(t, db); n != before {
		t.Fatalf("%d rows after the refusal, want %d", n, before)
	}
	// Worked out again (an edit raised the estimate by 30.00): accepted.
	create(t, db, ppu(app.PurposePayPerUse, ref, 30_00, basis(120_00)), app.StateApproved)
	// A refund lowers what counts as paid; a true-up is judged on the net.
	create(t, db, newChild(app.KindRefund, first, 20_00), app.StateApproved)
	stale := ppu(app.PurposeTrueUp, ref, 10_00, basis(150_00))
	wantError(t, db.CreatePayment(ctx, &stale), app.ECONFLICT, "error.payperuse.paid_changed")
	create(t, db, ppu(app.PurposeTrueUp, ref, 10_00, basis(130_00)), app.StateApproved)
	// Declined and failed sales, and other sessions, do not count.
	create(t, db, ppu(app.PurposeTrueUp, ref, 5_00, basis(140_00)), app.StateDeclined)
	create(t, db, ppu(app.PurposePayPerUse, "session:8", 5_00, basis(0)), app.StateApproved)
	create(t, db, ppu(app.PurposeTrueUp, ref, 5_00, basis(140_00)), app.StateApproved)
	// No basis: not checked (the journal's other rules still apply).
	create(t, db, ppu(app.PurposePayPerUse, ref, 1_00, nil), app.StateApproved)
}
