package storage_test

// Scale benchmarks: each runs next to its raw baseline, the same
// SQL through database/sql with no app code, on a database of 100,000
// sessions and 1,000,000 registrations built once per machine by the
// demo-data generator (internal/demodata.Cached, under $TMPDIR). They run
// only with -bench: `make bench BENCH=Scale`.

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/benchcmp"
	"github.com/trainpay/trainpay/internal/demodata"
	"github.com/trainpay/trainpay/storage"
)

var fullSizes = demodata.Options{Sessions: 100_000, Registrations: 1_000_000, Codes: 100_000, Departments: 50, Seed: 1}

var (
	scaleOnce sync.Once
	scaleDB   *storage.DB
	scaleErr  error
)

// scaleDatabase opens the cached full-size demo database (building it on
// first use, about a minute) for reading.
func scaleDatabase(b *testing.B) *storage.DB {
	b.Helper()
	scaleOnce.Do(func() {
		var path string
		path, scaleErr = demodata.Cached(context.Background(), fullSizes)
		if scaleErr == nil {
			scaleDB, scaleErr = storage.Open(path)
		}
	})
	if scaleErr != nil {
		b.Fatal(scaleErr)
	}
	return scaleDB
}

// The list's SQL, word for word as storage.Sessions builds it for the
// upcoming sessions (?1 now), optionally searched by topic (?2).
const (
	rawSessionColumns = `s.id, s.topic, s.description, s.starts_at, s.time_zone, s.duration_minutes,
	s.type, s.fee_minor, s.currency, s.registration_required, s.max_registrations,
	s.registration_closes_at, s.attendees_may_cancel, s.cancel_hours_before, s.refund_percent,
	s.expected_computers, s.expected_teleconference, s.department_id, s.paid_payment_id,
	s.status, s.created_at, s.updated_at`
	rawSeatTaken = `(r.status IN ('registered', 'paid')
	OR (r.status = 'pending-payment' AND (r.hold_until > ?1 OR EXISTS (SELECT 1 FROM payment op
	WHERE op.purpose = 'registration' AND op.reference = 'registration:' || r.id
	  AND op.kind = 'sale' AND op.state IN ('pending', 'unknown', 'needs-review')))))`
	rawSessionsPage = `SELECT ` + rawSessionColumns + `,
		(SELECT count(*) FROM registration r WHERE r.session_id = s.id AND ` + rawSeatTaken + `),
		(SELECT coalesce(sum(r.paid_minor - r.refunded_minor), 0) FROM registration r WHERE r.session_id = s.id)
		FROM session s`
)

// rawRows runs q and scans every column of every row as raw bytes.
func rawRows(b *testing.B, db *sql.DB, q string, args ...any) int {
	rows, err := db.Query(q, args...)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	dest := make([]any, len(cols))
	raw := make([]sql.RawBytes, len(cols))
	for i := range raw {
		dest[i] = &raw[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return n
}

func rawCount(b *testing.B, db *sql.DB, q string, args ...any) int {
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

func nowText(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

func BenchmarkScaleSessionsFirstPage(b *testing.B) {
	db := scaleDatabase(b)
	ctx := context.Background()
	now := time.Now()
	benchcmp.Pair(b, 1.5, func(b *testing.B) {
		for b.Loop() {
			rows, total, err := db.Sessions(ctx, app.SessionFilter{When: app.SessionsUpcoming, Now: now, Limit: 100})
			if err != nil || len(rows) != 100 || total == 0 {
				b.Fatal(len(rows), total, err)
			}
		}
	}, func(b *testing.B) {
		for b.Loop() {
			dayAgo := nowText(now.Add(-app.MaxDurationMinutes * time.Minute))
			total := rawCount(b, db.Read(), `SELECT count(*) FROM session s WHERE s.ends_at >= ?1 AND s.starts_at >= ?2`,
				nowText(now), dayAgo)
			n := rawRows(b, db.Read(), rawSessionsPage+` WHERE s.ends_at >= ?1 AND s.starts_at >= ?2
				ORDER BY s.starts_at, s.ends_at, s.id LIMIT ?3 OFFSET ?4`, nowText(now), dayAgo, 100, 0)
			if n != 100 || total == 0 {
				b.Fatal(n, total)
			}
		}
	})
}

const rawRegistrationSelect = `SELECT r.id, r.session_id, r.first_name, r.last_name, r.email, r.company, r.country,
	r.language, r.status, r.confirmation, r.fee_minor, r.discount_minor, r.total_minor, r.currency,
	r.promo_code, r.hold_until, r.payment_id, r.paid_minor, r.refunded_minor, r.paid_at,
	r.cancelled_at, r.created_at, r.updated_at,
	coalesce(p.method, ''), coalesce(p.brand, ''), coalesce(p.last4, ''), coalesce(p.gateway_ref, ''),
	coalesce(p.mode, '') FROM registration r LEFT JOIN payment p ON p.id = r.payment_id`

// busiestSession is the session with the most registrations.
func busiestSession(b *testing.B, db *storage.DB) (id int64, n int) {
	if err := db.Read().QueryRow(`SELECT session_id, count(*) FROM registration GROUP BY session_id
		ORDER BY count(*) DESC LIMIT 1`).Scan(&id, &n); err != nil {
		b.Fatal(err)
	}
	return id, n
}

// The registrations window asks for the first 1,000 of a session.
func BenchmarkScaleSessionRegistrations(b *testing.B) {
	db := scaleDatabase(b)
	ctx := context.Background()
	id, n := busiestSession(b, db)
	b.Logf("session %d has %d registrations", id, n)
	benchcmp.Pair(b, 1.5, func(b *testing.B) {
		for b.Loop() {
			rows, total, err := db.Registrations(ctx, app.RegistrationFilter{SessionID: id, Limit: 1000})
			if err != nil || total != n || len(rows) != min(n, 1000) {
				b.Fatal(len(rows), total, err)
			}
		}
	}, func(b *testing.B) {
		for b.Loop() {
			rawCount(b, db.Read(), `SELECT count(*) FROM registration WHERE session_id = ?`, id)
			rawRows(b, db.Read(), rawRegistrationSelect+` WHERE r.session_id = ? ORDER BY r.id LIMIT ? OFFSET ?`, id, 1000, 0)
		}
	})
}

func BenchmarkScaleDepartmentSpendReport(b *testing.B) {
	db := scaleDatabase(b)
	ctx := context.Background()
	now := time.Now()
	period := "FY" + now.Format("2006")
	site, err := db.Site(ctx)
	if err != nil {
		b.Fatal(err)
	}
	const held = `(coalesce(pu.started_at, '') <> '' OR s.ends_at < ?)`
	benchcmp.Pair(b, 1.5, func(b *testing.B) {
		for b.Loop() {
			if rows, err := db.Budgets(ctx, period, now); err != nil || len(rows) != 50 {
				b.Fatal(len(rows), err)
			}
		}
	}, func(b *testing.B) {
		for b.Loop() {
			rawRows(b, db.Read(), `SELECT id, name, country, currency, time_zone, language, mode, rate_person_minute_e4,
				rate_teleconference_minute_e4, created_at FROM site WHERE id = 1`)
			rawRows(b, db.Read(), `SELECT id, name, cost_centre, owner_name, owner_email, created_at, updated_at
				FROM department ORDER BY name_fold, id`)
			rawRows(b, db.Read(), `
		SELECT l.department_id,
		       coalesce(sum(CASE WHEN l.kind = 'allocation' THEN l.amount_minor END), 0),
		       coalesce(sum(CASE WHEN l.kind IN ('charge', 'true-up', 'refund') AND `+held+` THEN
		                    CASE l.kind WHEN 'refund' THEN -l.amount_minor ELSE l.amount_minor END END), 0),
		       coalesce(sum(CASE WHEN l.kind IN ('charge', 'true-up', 'refund') AND NOT `+held+` THEN
		                    CASE l.kind WHEN 'refund' THEN -l.amount_minor ELSE l.amount_minor END END), 0),
		       coalesce(sum(CASE WHEN l.kind = 'reimbursement' THEN l.amount_minor END), 0)
		FROM department_ledger l
		LEFT JOIN session s ON s.id = l.session_id
		LEFT JOIN payperuse_session pu ON pu.session_id = l.session_id
		WHERE l.period = ? AND l.currency = ?
		GROUP BY l.department_id`, nowText(now), nowText(now), period, site.Currency)
		}
	})
}

// The accounting export, session by session as the registrations window
// makes it (RegistrationExporter with a session), over all 1,000,000
// registrations: the app's count, cursor and CSV writer against scanning
// the same rows.
func BenchmarkScaleExportCSV(b *testing.B) {
	db := scaleDatabase(b)
	ctx := context.Background()
	rows, err := db.Read().Query(`SELECT DISTINCT session_id FROM registration ORDER BY session_id`)
	if err != nil {
		b.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	var buf bytes.Buffer
	benchcmp.Pair(b, 2, func(b *testing.B) {
		for b.Loop() {
			n := 0
			for _, id := range ids {
				buf.Reset()
				k, err := app.RegistrationExporter{Store: db}.Export(ctx, app.RegistrationExportFilter{SessionID: id}, &buf, nil)
				if err != nil {
					b.Fatal(err)
				}
				n += k
			}
			if n != fullSizes.Registrations {
				b.Fatal(n)
			}
		}
	}, func(b *testing.B) {
		for b.Loop() {
			n := 0
			for _, id := range ids {
				n += rawRows(b, db.Read(), rawRegistrationSelect+` WHERE r.session_id = ? ORDER BY r.id LIMIT ? OFFSET ?`, id, -1, 0)
			}
			if n != fullSizes.Registrations {
				b.Fatal(n)
			}
		}
	})
}

// Promotional-code redemptions per second with exact counting: a
// reservation of one use (ReservePromo: the count and the insert in one
// write transaction) against a raw conditional UPDATE in its own
// transaction, on the same write connection (so both pay the same fsync).
// The store counts a code's uses and live reservations row by row (no
// counter column), so a single code with thousands of uses costs more per
// redemption; BENCHMARKS.md says how much.
func BenchmarkScalePromoRedemption(b *testing.B) {
	ctx := context.Background()
	path, err := demodata.Cached(ctx, demodata.Options{Sessions: 200, Registrations: 40_000, Codes: 100, Departments: 5, Seed: 2})
	if err != nil {
		b.Fatal(err)
	}
	copyPath := b.TempDir() + "/redeem.db"
	if err := demodata.CopyTo(path, copyPath); err != nil {
		b.Fatal(err)
	}
	db, err := storage.Open(copyPath)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	now := time.Now()
	// 1,000 codes of a campaign, each limited to 1,000 uses; the
	// redemptions go round them.
	var codes []app.PromoCode
	for i := range 1000 {
		codes = append(codes, app.PromoCode{
			Code: fmt.Sprintf("BENCH-%04d", i), Kind: app.DiscountPercent, PercentBP: 1000,
			UseLimit: 1000, PerAttendeeLimit: 1, ValidFrom: now.Add(-time.Hour), ValidUntil: now.AddDate(1, 0, 0), AllSessions: true,
		})
	}
	if err := db.CreatePromoCodes(ctx, codes); err != nil {
		b.Fatal(err)
	}
	type reg struct {
		id, session int64
		email       string
		fee         int64
		cur         string
	}
	var pool []reg
	rows, err := db.Read().Query(`SELECT r.id, r.session_id, r.email, r.fee_minor, r.currency FROM registration r
		WHERE r.fee_minor > 0 AND r.promo_code = '' ORDER BY r.id`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var r reg
		rows.Scan(&r.id, &r.session, &r.email, &r.fee, &r.cur)
		pool = append(pool, r)
	}
	rows.Close()
	if _, err := db.Write().Exec(`CREATE TABLE bench_counter (id INTEGER PRIMARY KEY, used INTEGER NOT NULL, lim INTEGER NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Write().Exec(`INSERT INTO bench_counter VALUES (1, 0, 1000000000)`); err != nil {
		b.Fatal(err)
	}
	next := 0
	benchcmp.Pair(b, 1/0.7, func(b *testing.B) {
		for b.Loop() {
			if next >= len(pool) {
				b.Fatalf("only %d registrations to redeem for", len(pool))
			}
			r := pool[next]
			next++
			res := &app.PromoReservation{
				CodeID: codes[next%len(codes)].ID, RegistrationID: r.id, SessionID: r.session, Email: r.email,
				FeeMinor: r.fee, DiscountMinor: r.fee / 10, TotalMinor: r.fee - r.fee/10, Currency: r.cur,
				ExpiresAt: now.Add(15 * time.Minute),
			}
			if err := db.ReservePromo(ctx, res, now); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "redemptions/s")
	}, func(b *testing.B) {
		for b.Loop() {
			tx, err := db.BeginWrite(ctx)
			if err != nil {
				b.Fatal(err)
			}
			res, err := tx.Exec(`UPDATE bench_counter SET used = used + 1 WHERE id = 1 AND used < lim`)
			if err != nil {
				b.Fatal(err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				b.Fatal("limit reached")
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "redemptions/s")
	})
}
