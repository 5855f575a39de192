package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/pgtest"
	"github.com/trainpay/trainpay/storage/postgres"
	"github.com/trainpay/trainpay/storage/storetest"
)

// budgetSite is a site in PLN (Europe/Warsaw) under the block policy with
// quarters from April and one department, and the period of sessions
// starting in a week.
func budgetSite(t *testing.T, db *postgres.DB) (app.Department, string) {
	t.Helper()
	ctx := context.Background()
	if err := db.CreateSite(ctx, storetest.TestSite(), app.AdminCredential{Hash: "h"}, nil); err != nil {
		t.Fatal(err)
	}
	settings := app.BudgetSettings{Period: app.PeriodQuarter, FiscalYearStart: time.April, Policy: app.PolicyBlock}
	if err := db.SaveBudgetSettings(ctx, settings, nil); err != nil {
		t.Fatal(err)
	}
	d := storetest.NewDepartment(t, db, "Sprzedaż", "CC-4100")
	loc, _ := time.LoadLocation("Europe/Warsaw")
	return d, settings.PeriodOf(time.Now().Add(7*24*time.Hour), loc).Key()
}

// sqlPPUSession writes, by SQL (the session store is not ported here), a
// pay-per-use session of department (0: none) starting at startsAt.
func sqlPPUSession(t *testing.T, db *postgres.DB, department int64, startsAt time.Time) int64 {
	t.Helper()
	var dep *int64
	if department != 0 {
		dep = &department
	}
	var id int64
	if err := db.Pool().QueryRow(context.Background(), `INSERT INTO session (topic, topic_fold, starts_at, ends_at,
		time_zone, duration_minutes, type, currency, expected_computers, department_id, created_at, updated_at)
		VALUES ('Szkolenie produktowe', 'szkolenie produktowe', $1::timestamptz, $1::timestamptz + interval '1 hour', 'Europe/Warsaw', 60,
		        'pay-per-use', 'PLN', 10, $2, now(), now())
		RETURNING id`, startsAt, dep).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

var sqlSaleSeq atomic.Int64

// sqlSale inserts, by SQL on q, a sale for session in state, and returns
// its id or the database's error.
func sqlSale(q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, purpose app.Purpose, session, amount int64, state app.PaymentState,
) (int64, error) {
	n := sqlSaleSeq.Add(1)
	var id int64
	err := q.QueryRow(context.Background(), `INSERT INTO payment (key, invoice_id, kind, purpose, reference, method,
		processor, mode, amount_minor, currency, state, created_at, updated_at)
		VALUES ($1, $2, 'sale', $3, $4, 'credit-card', 'payflow', 'test', $5, 'PLN', $6, now(), now())
		RETURNING id`, fmt.Sprintf("budget-%d-%d", time.Now().UnixNano()%1e9, n), fmt.Sprintf("INV-B-%d-%d", time.Now().UnixNano(), n),
		string(purpose), app.SessionReference(session), amount, string(state)).Scan(&id)
	return id, err
}

func pgErrorOf(err error) *pgconn.PgError {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}

func wantBudgetRefusal(t *testing.T, err error) {
	t.Helper()
	if pe := pgErrorOf(err); pe == nil || pe.Code != postgres.StateBudgetExceeded ||
		pe.Message != "payment: the department's budget does not cover this sale" {
		t.Fatalf("error %v, want the budget limit's refusal (%s)", err, postgres.StateBudgetExceeded)
	}
}

func mustSale(t *testing.T, db *postgres.DB, purpose app.Purpose, session, amount int64, state app.PaymentState) int64 {
	t.Helper()
	id, err := sqlSale(db.Pool(), purpose, session, amount, state)
	if err != nil {
		t.Fatalf("sale of %d for session %d: %v", amount, session, err)
	}
	return id
}

// Under the block policy the database refuses a pay-per-use sale that the
// department's budget for its session's period does not cover, counting
// the ledger and the sales open or charged but not yet in it, whatever
// client writes the journal.
func TestPayPerUseSaleAboveTheDepartmentsBudgetIsRefusedByTheDatabase(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	d, period := budgetSite(t, db)
	week := time.Now().Add(7 * 24 * time.Hour)
	s1, s2, s3 := sqlPPUSession(t, db, d.ID, week), sqlPPUSession(t, db, d.ID, week), sqlPPUSession(t, db, d.ID, week)
	allocate := func(period string, amount int64) {
		t.Helper()
		if err := db.AddLedgerEntry(ctx, &app.LedgerEntry{
			DepartmentID: d.ID, Period: period, Kind: app.LedgerAllocation,
			AmountMinor: amount, Currency: "PLN",
		}, nil); err != nil {
			t.Fatal(err)
		}
	}
	// settle is what the journal's settlement does: the state and, once
	// charged, the ledger's entry, in one transaction.
	settle := func(id, session int64, state app.PaymentState, kind app.LedgerKind, amount int64) {
		t.Helper()
		tx, err := db.Pool().Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, `UPDATE payment SET state = $1 WHERE id = $2`, string(state), id); err != nil {
			t.Fatal(err)
		}
		if kind != "" {
			if _, err := tx.Exec(ctx, `INSERT INTO department_ledger (department_id, period, kind, amount_minor, currency,
				session_id, payment_id, at) VALUES ($1, $2, $3, $4, 'PLN', $5, $6, now())`,
				d.ID, period, string(kind), amount, session, id); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	allocate(period, 500_00)

	a := mustSale(t, db, app.PurposePayPerUse, s1, 300_00, app.StatePending) // open: counts
	_, err := sqlSale(db.Pool(), app.PurposePayPerUse, s2, 250_00, app.StatePending)
	wantBudgetRefusal(t, err)
	b := mustSale(t, db, app.PurposePayPerUse, s2, 200_00, app.StatePending) // exactly what is left
	settle(a, s1, app.StateApproved, app.LedgerCharge, 300_00)               // counted once: by the ledger
	_, err = sqlSale(db.Pool(), app.PurposePayPerUse, s3, 1, app.StatePending)
	wantBudgetRefusal(t, err)
	settle(b, s2, app.StateDeclined, "", 0) // a declined sale gives its share back
	c := mustSale(t, db, app.PurposePayPerUse, s3, 200_00, app.StatePending)
	settle(c, s3, app.StateApproved, app.LedgerCharge, 200_00)
	// A declined sale reopened for a retry is judged again.
	retry := mustSale(t, db, app.PurposePayPerUse, s2, 1, app.StateDeclined)
	_, err = db.Pool().Exec(ctx, `UPDATE payment SET state = 'pending' WHERE id = $1`, retry)
	wantBudgetRefusal(t, err)
	// A charged refund gives its amount back through the ledger.
	var refund int64
	if err := db.Pool().QueryRow(ctx, `INSERT INTO payment (key, invoice_id, kind, purpose, reference, parent_id, method,
		processor, mode, amount_minor, currency, state, created_at, updated_at)
		VALUES ('budget-refund', 'INV-B-REFUND', 'refund', 'pay-per-use', $1, $2, 'credit-card', 'payflow', 'test',
		        10000, 'PLN', 'pending', now(), now())
		RETURNING id`, app.SessionReference(s1), a).Scan(&refund); err != nil {
		t.Fatal(err)
	}
	settle(refund, s1, app.StateApproved, app.LedgerRefund, 100_00)
	mustSale(t, db, app.PurposePayPerUse, s2, 100_00, app.StatePending)
	var left int64
	if err := db.Pool().QueryRow(ctx, `SELECT sum(amount_minor) FROM department_budget_movement
		WHERE department_id = $1 AND period = $2 AND currency = 'PLN'`, d.ID, period).Scan(&left); err != nil || left != 0 {
		t.Fatalf("left %d (%v), want 0", left, err)
	}

	// Not refused: a true-up, a session with no department, a session of
	// another period against that period's own allocation, and anything
	// under the warn policy.
	mustSale(t, db, app.PurposeTrueUp, s1, 50_00, app.StatePending)
	mustSale(t, db, app.PurposePayPerUse, sqlPPUSession(t, db, 0, week), 900_00, app.StatePending)
	later := week.AddDate(0, 6, 0)
	loc, _ := time.LoadLocation("Europe/Warsaw")
	laterPeriod := app.BudgetSettings{Period: app.PeriodQuarter, FiscalYearStart: time.April}.PeriodOf(later, loc).Key()
	s4 := sqlPPUSession(t, db, d.ID, later)
	_, err = sqlSale(db.Pool(), app.PurposePayPerUse, s4, 10_00, app.StatePending)
	wantBudgetRefusal(t, err)
	allocate(laterPeriod, 10_00)
	mustSale(t, db, app.PurposePayPerUse, s4, 10_00, app.StatePending)
	if err := db.SaveBudgetSettings(ctx, app.BudgetSettings{
		Period: app.PeriodQuarter, FiscalYearStart: time.April,
		Policy: app.PolicyWarn,
	}, nil); err != nil {
		t.Fatal(err)
	}
	mustSale(t, db, app.PurposePayPerUse, s3, 10_000_00, app.StatePending)
}

// The database names a session's budget period as app.BudgetSettings does
// (the ledger's settlement names it in Go): across years, quarters, fiscal
// starts, time zones and the instants around midnight and DST changes.
func TestBudgetPeriodInSQLAgreesWithTheApp(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	zones := []string{"Europe/Warsaw", "America/New_York", "Pacific/Auckland", "Asia/Kolkata", "UTC"}
	var instants []time.Time
	for _, base := range []time.Time{
		time.Date(2026, 12, 31, 22, 30, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 31, 22, 0, 0, 0, time.UTC), time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC),
		time.Date(2026, 9, 30, 23, 59, 59, 999999000, time.UTC), time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC),
	} {
		for h := -14; h <= 14; h += 2 {
			instants = append(instants, base.Add(time.Duration(h)*time.Hour))
		}
	}
	checked := 0
	for _, zone := range zones {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		for _, kind := range []app.PeriodKind{app.PeriodFiscalYear, app.PeriodQuarter} {
			for start := time.January; start <= time.December; start++ {
				s := app.BudgetSettings{Period: kind, FiscalYearStart: start}
				for _, at := range instants {
					var got string
					if err := db.Pool().QueryRow(ctx, `SELECT budget_period($1, $2, $3, $4)`, at, zone, string(kind), int(start)).
						Scan(&got); err != nil {
						t.Fatal(err)
					}
					if want := s.PeriodOf(at, loc).Key(); got != want {
						t.Fatalf("budget_period(%v, %s, %s, %d) = %s, want %s", at, zone, kind, start, got, want)
					}
					checked++
				}
			}
		}
	}
	t.Logf("%d periods agree", checked)
}

// Eight connections (eight server processes) insert, at one instant, a
// pay-per-use sale each for a different session of one department whose
// budget covers exactly three: three are recorded, five refused, and what
// is left is never below zero.
func TestConcurrentPayPerUseSalesOfOneDepartmentStopAtItsBudget(t *testing.T) {
	ctx := context.Background()
	db, url := openTempURL(t)
	d, period := budgetSite(t, db)
	const payers, covered, price = 8, 3, 120_00
	if err := db.AddLedgerEntry(ctx, &app.LedgerEntry{
		DepartmentID: d.ID, Period: period, Kind: app.LedgerAllocation,
		AmountMinor: covered * price, Currency: "PLN",
	}, nil); err != nil {
		t.Fatal(err)
	}
	week := time.Now().Add(7 * 24 * time.Hour)
	conns := make([]*pgx.Conn, payers)
	sessions := make([]int64, payers)
	for i := range conns {
		conns[i] = pgtest.Conn(t, url)
		sessions[i] = sqlPPUSession(t, db, d.ID, week)
	}
	for round := range 5 {
		start := make(chan struct{})
		errs := make([]error, payers)
		var wg sync.WaitGroup
		for i := range payers {
			wg.Go(func() {
				<-start
				_, errs[i] = sqlSale(conns[i], app.PurposePayPerUse, sessions[i], price, app.StatePending)
			})
		}
		close(start)
		wg.Wait()
		recorded := 0
		for _, err := range errs {
			if err == nil {
				recorded++
				continue
			}
			wantBudgetRefusal(t, err)
		}
		if recorded != covered {
			t.Fatalf("round %d: %d sales recorded, want %d", round, recorded, covered)
		}
		var left int64
		if err := db.Pool().QueryRow(ctx, `SELECT sum(amount_minor) FROM department_budget_movement
			WHERE department_id = $1 AND period = $2 AND currency = 'PLN'`, d.ID, period).Scan(&left); err != nil || left != 0 {
			t.Fatalf("round %d: left %d (%v), want 0", round, left, err)
		}
		// Decline them all for the next round.
		if _, err := db.Pool().Exec(ctx, `UPDATE payment SET state = 'declined' WHERE state = 'pending'`); err != nil {
			t.Fatal(err)
		}
	}
}
