package postgres_test

// Scale benchmarks on the organisation database, the twins of storage's
// (scale_bench_test.go, search_scale_bench_test.go,
// promo_scale_bench_test.go): each runs the app's store call next to its
// raw baseline, the same SQL through pgx with no app code (rows read as
// raw bytes), interleaved by internal/benchcmp, on the 100,000-session
// demo site (1,000,000 registrations, 100,000 codes) moved into PostgreSQL
// by storage/transfer. They run only with -bench:
// `make bench BENCH=ScaleOrg` (or scripts/bench with BENCH_BACKEND=postgres).

import (
	"context"
	"encoding/binary"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/benchcmp"
	"github.com/trainpay/trainpay/internal/demodata"
	"github.com/trainpay/trainpay/internal/pgtest"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/postgres"
	"github.com/trainpay/trainpay/storage/transfer"
)

var orgFullSizes = demodata.Options{Sessions: 100_000, Registrations: 1_000_000, Codes: 100_000, Departments: 50, Seed: 1}

var (
	orgScaleOnce sync.Once
	orgScaleDB   *postgres.DB
	orgScaleErr  error
)

// orgScaleDatabase is the full-size demo site in a database of its own on
// the test server, named after the schema and the sizes, loaded once (about
// a minute and a half) and kept while the server lives: with pgtest's own
// cluster, for this test binary; on a server named by
// TRAINPAY_TEST_POSTGRES, as a cache for the next run, like the demo file.
func orgScaleDatabase(b *testing.B) (*postgres.DB, *postgres.DB) {
	b.Helper()
	orgScaleOnce.Do(func() { orgScaleDB, orgScaleErr = loadOrgScale(b) })
	if orgScaleErr != nil {
		b.Fatal(orgScaleErr)
	}
	// The store under test, and the same pool for the raw baseline.
	return orgScaleDB, orgScaleDB
}

func loadOrgScale(b *testing.B) (*postgres.DB, error) {
	ctx := context.Background()
	file, err := demodata.Cached(ctx, orgFullSizes)
	if err != nil {
		return nil, err
	}
	// A throwaway database of this benchmark gives the server's address.
	u, err := url.Parse(pgtest.DB(b))
	if err != nil {
		return nil, err
	}
	admin, err := pgx.Connect(ctx, u.String())
	if err != nil {
		return nil, err
	}
	defer admin.Close(ctx)
	name := "trainpay_bench_v" + strings.ToLower(storage.SchemaFingerprint()) + "_s100000"
	// One loader at a time, across benchmark binaries sharing a server.
	if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock(hashtextextended($1, 0))`, name); err != nil {
		return nil, err
	}
	defer admin.Exec(ctx, `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, name)
	var exists bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return nil, err
	}
	u.Path = "/" + name
	if exists {
		// Loaded before, unless a load was interrupted: then it is empty
		// (the copy is one transaction) and is loaded now.
		db, err := postgres.Open(ctx, u.String())
		if err != nil {
			return nil, err
		}
		var sessions int64
		err = db.Pool().QueryRow(ctx, `SELECT count(*) FROM session`).Scan(&sessions)
		db.Close()
		if err != nil {
			return nil, err
		}
		exists = sessions == int64(orgFullSizes.Sessions)
	} else if _, err := admin.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()); err != nil {
		return nil, err
	}
	if !exists {
		start := time.Now()
		if _, err := transfer.Copy(ctx, file, u.String(), transfer.Options{}); err != nil {
			return nil, err
		}
		if _, err := admin.Exec(ctx, `SELECT 1`); err != nil { // keep the admin connection alive
			return nil, err
		}
		b.Logf("loaded the 100k demo site into %s in %s", name, time.Since(start).Round(time.Second))
	}
	db, err := postgres.Open(ctx, u.String())
	if err != nil {
		return nil, err
	}
	if _, err := db.Pool().Exec(ctx, `ANALYZE`); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// orgRawRead runs read in a read-only transaction on one snapshot, as the
// stores read (REPEATABLE READ READ ONLY: its BEGIN and its end are two
// round trips of the same SQL the store sends), and ends it.
func orgRawRead(b *testing.B, pool *pgxpool.Pool, read func(tx pgx.Tx)) {
	ctx := context.Background()
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback(ctx)
	read(tx)
}

// orgRawRows runs q and reads every row's columns as raw bytes, decoding
// nothing; it returns the rows.
func orgRawRows(b *testing.B, tx pgx.Tx, q string, args ...any) int {
	rows, err := tx.Query(context.Background(), q, args...)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		_ = rows.RawValues()
		n++
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return n
}

func orgRawCount(b *testing.B, tx pgx.Tx, q string, args ...any) int {
	var n int
	if err := tx.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// The sessions list's SQL ($1 now) with its seat count and money, as
// storage/postgres/sessions.go builds it (the page's ids chosen in a
// subquery, the seats and money read for those only).
const (
	orgRawSessionColumns = `s.id, s.topic, s.description, s.starts_at, s.time_zone, s.duration_minutes,
	s.type, s.fee_minor, s.currency, s.registration_required, s.max_registrations,
	s.registration_closes_at, s.attendees_may_cancel, s.cancel_hours_before, s.refund_percent,
	s.expected_computers, s.expected_teleconference, coalesce(s.department_id, 0), coalesce(s.paid_payment_id, 0),
	s.status, s.created_at, s.updated_at`
	orgRawSeatTaken = `(r.status IN ('registered', 'paid')
	OR (r.status = 'pending-payment' AND (r.hold_until > $1 OR EXISTS (SELECT 1 FROM payment op
	WHERE op.purpose = 'registration' AND op.reference = 'registration:' || r.id
	  AND op.kind = 'sale' AND op.state IN ('pending', 'unknown', 'needs-review')))))`
	orgRawSessionsPage = `SELECT ` + orgRawSessionColumns + `,
		(SELECT count(*) FROM registration r WHERE r.session_id = s.id AND ` + orgRawSeatTaken + `)::int,
		(SELECT coalesce(sum(r.paid_minor - r.refunded_minor), 0) FROM registration r WHERE r.session_id = s.id)::bigint
		FROM session s`
)

func BenchmarkScaleOrgSessionsFirstPage(b *testing.B) {
	db, store := orgScaleDatabase(b)
	ctx := context.Background()
	now := time.Now()
	dayAgo := now.Add(-app.MaxDurationMinutes * time.Minute)
	benchcmp.Pair(b, 1.5, func(b *testing.B) {
		for b.Loop() {
			rows, total, err := store.Sessions(ctx, app.SessionFilter{When: app.SessionsUpcoming, Now: now, Limit: 100})
			if err != nil || len(rows) != 100 || total == 0 {
				b.Fatal(len(rows), total, err)
			}
		}
	}, func(b *testing.B) {
		for b.Loop() {
			orgRawRead(b, db.Pool(), func(tx pgx.Tx) {
				total := orgRawCount(b, tx, `SELECT count(*) FROM session s WHERE s.ends_at >= $1 AND s.starts_at >= $2`, now, dayAgo)
				n := orgRawRows(b, tx, orgRawSessionsPage+` WHERE s.id IN (SELECT s.id FROM session s
					WHERE s.ends_at >= $2 AND s.starts_at >= $3 ORDER BY s.starts_at, s.ends_at, s.id LIMIT $4 OFFSET $5)
					ORDER BY s.starts_at, s.ends_at, s.id`, now, now, dayAgo, 100, 0)
				if n != 100 || total == 0 {
					b.Fatal(n, total)
				}
			})
		}
	})
}

const orgRawRegistrationSelect = `SELECT r.id, r.session_id, r.first_name, r.last_name, r.email, r.company, r.country,
	r.language, r.status, r.confirmation, r.fee_minor, r.discount_minor, r.total_minor, r.currency,
	r.promo_code, r.hold_until, coalesce(r.payment_id, 0), r.paid_minor, r.refunded_minor, r.paid_at,
	r.cancelled_at, r.created_at, r.updated_at,
	coalesce(p.method, ''), coalesce(p.brand, ''), coalesce(p.last4, ''), coalesce(p.gateway_ref, ''),
	coalesce(p.mode, '') FROM registration r LEFT JOIN payment p ON p.id = r.payment_id`

// The registrations window asks for the first 1,000 of the busiest
// session among the 1,000,000.
func BenchmarkScaleOrgSessionRegistrations(b *testing.B) {
	db, store := orgScaleDatabase(b)
	ctx := context.Background()
	var id int64
	var n int
	if err := db.Pool().QueryRow(ctx, `SELECT session_id, count(*) FROM registration GROUP BY session_id
		ORDER BY count(*) DESC, session_id LIMIT 1`).Scan(&id, &n); err != nil {
		b.Fatal(err)
	}
	b.Logf("session %d has %d registrations", id, n)
	benchcmp.Pair(b, 1.5, func(b *testing.B) {
		for b.Loop() {
			rows, total, err := store.Registrations(ctx, app.RegistrationFilter{SessionID: id, Limit: 1000})
			if err != nil || total != n || len(rows) != min(n, 1000) {
				b.Fatal(len(rows), total, err)
			}
		}
	}, func(b *testing.B) {
		for b.Loop() {
			orgRawRead(b, db.Pool(), func(tx pgx.Tx) {
				orgRawCount(b, tx, `SELECT count(*) FROM registration r WHERE r.session_id = $1`, id)
				orgRawRows(b, tx, orgRawRegistrationSelect+` WHERE r.session_id = $1 ORDER BY r.id LIMIT $2 OFFSET $3`, id, 1000, 0)
			})
		}
	})
}

// The codes page's SQL ($1 now, $2 the search pattern when searching).
const (
	orgRawPromoLive = `(r.state = 'reserved' AND (r.expires_at > $1 OR EXISTS (SELECT 1 FROM payment p
	WHERE p.purpose = 'registration' AND p.reference = 'registration:' || r.registration_id
	  AND p.kind = 'sale' AND p.state IN ('pending', 'unknown', 'needs-review'))))`
	orgRawPromoColumns = `c.id, c.code, c.kind, c.percent_bp, c.fixed_minor, c.currency, c.use_limit,
	c.per_attendee_limit, c.valid_from, c.valid_until, c.disabled, c.all_sessions, c.created_at,
	(SELECT count(*) FROM promo_redemption r WHERE r.code_id = c.id AND r.state = 'used'),
	(SELECT count(*) FROM promo_redemption r WHERE r.code_id = c.id AND ` + orgRawPromoLive + `)`
)

// orgRawPromoCodes runs the count and the page in one read-only
// transaction, as raw bytes; it returns the page's rows and the count.
func orgRawPromoCodes(b *testing.B, pool *pgxpool.Pool, now time.Time, search string) (rows, total int) {
	ctx := context.Background()
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback(ctx)
	cond, args := "", []any{now}
	var mode []any
	if search != "" {
		// As the store: LIKE on the upper-case term, each statement
		// planned for the pattern (no cached generic plan).
		cond, args = ` WHERE p.code LIKE $2 ESCAPE '\'`, append(args, "%"+strings.ToUpper(search)+"%")
		mode = []any{pgx.QueryExecModeExec}
	}
	limitArg, offsetArg := "$"+strconv.Itoa(len(args)+1), "$"+strconv.Itoa(len(args)+2)
	countArgs := args[1:]
	countCond := strings.ReplaceAll(cond, "$2", "$1")
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM promo_code p`+countCond, append(mode, countArgs...)...).Scan(&total); err != nil {
		b.Fatal(err)
	}
	r, err := tx.Query(ctx, `SELECT `+orgRawPromoColumns+`
		FROM (SELECT p.id FROM promo_code p`+cond+` ORDER BY p.id DESC LIMIT `+limitArg+` OFFSET `+offsetArg+`) page
		JOIN promo_code c ON c.id = page.id ORDER BY c.id DESC`, append(append(mode, args...), 100, 0)...)
	if err != nil {
		b.Fatal(err)
	}
	// The codes limited to chosen sessions get their links, as the store
	// reads them: id and all_sessions are read from the raw bytes of
	// pgx's binary format (bigint big-endian, boolean one byte).
	var chosen []int64
	for r.Next() {
		raw := r.RawValues()
		if len(raw[11]) == 1 && raw[11][0] == 0 {
			chosen = append(chosen, int64(binary.BigEndian.Uint64(raw[0])))
		}
		rows++
	}
	if err := r.Err(); err != nil {
		b.Fatal(err)
	}
	r.Close()
	if len(chosen) > 0 {
		l, err := tx.Query(ctx, `SELECT code_id, session_id FROM promo_code_session
			WHERE code_id = ANY ($1) ORDER BY code_id, session_id`, chosen)
		if err != nil {
			b.Fatal(err)
		}
		for l.Next() {
			_ = l.RawValues()
		}
		if err := l.Err(); err != nil {
			b.Fatal(err)
		}
		l.Close()
	}
	return rows, total
}

func BenchmarkScaleOrgPromoCodesFirstPage(b *testing.B) {
	db, store := orgScaleDatabase(b)
	ctx := context.Background()
	now := time.Now()
	benchcmp.Pair(b, 1.5, func(b *testing.B) {
		for b.Loop() {
			codes, total, err := store.PromoCodePage(ctx, app.PromoCodeFilter{Limit: 100}, now)
			if err != nil || len(codes) != 100 || total != orgFullSizes.Codes {
				b.Fatal(len(codes), total, err)
			}
		}
	}, func(b *testing.B) {
		for b.Loop() {
			if n, total := orgRawPromoCodes(b, db.Pool(), now, ""); n != 100 || total != orgFullSizes.Codes {
				b.Fatal(n, total)
			}
		}
	})
}

func BenchmarkScaleOrgPromoCodesSearch(b *testing.B) {
	db, store := orgScaleDatabase(b)
	ctx := context.Background()
	now := time.Now()
	// Two letters from the middle of the oldest code, in lower case as a
	// person types them: a few hundred matches (storage's term).
	var code string
	if err := db.Pool().QueryRow(ctx, `SELECT code FROM promo_code ORDER BY id LIMIT 1`).Scan(&code); err != nil {
		b.Fatal(err)
	}
	term := strings.ToLower(code[len(code)-4 : len(code)-2])
	var want int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM promo_code WHERE code LIKE $1`, "%"+strings.ToUpper(term)+"%").Scan(&want); err != nil {
		b.Fatal(err)
	}
	b.Logf("search %q: %d matches", term, want)
	benchcmp.Pair(b, 1.5, func(b *testing.B) {
		for b.Loop() {
			codes, total, err := store.PromoCodePage(ctx, app.PromoCodeFilter{Search: term, Limit: 100}, now)
			if err != nil || len(codes) != min(want, 100) || total != want || want == 0 {
				b.Fatal(len(codes), total, want, err)
			}
		}
	}, func(b *testing.B) {
		for b.Loop() {
			if n, total := orgRawPromoCodes(b, db.Pool(), now, term); n != min(want, 100) || total != want {
				b.Fatal(n, total)
			}
		}
	})
}

// orgSearchTerm is storage's: "excel" matches one session in thirty.
const orgSearchTerm = "excel"

// The first page of a topic search with its count up to 1,000, among
// 100,000 sessions.
func BenchmarkScaleOrgTopicSearch(b *testing.B) {
	db, store := orgScaleDatabase(b)
	ctx := context.Background()
	now := time.Now()
	dayAgo := now.Add(-app.MaxDurationMinutes * time.Minute)
	for _, when := range []app.SessionWhen{app.SessionsAll, app.SessionsUpcoming} {
		b.Run(string(when), func(b *testing.B) {
			benchcmp.Pair(b, 1.5, func(b *testing.B) {
				for b.Loop() {
					rows, total, err := store.Sessions(ctx, app.SessionFilter{
						When: when, Topic: orgSearchTerm, Now: now,
						Limit: 100, CountUpTo: 1000,
					})
					if err != nil || len(rows) == 0 || total < len(rows) {
						b.Fatal(len(rows), total, err)
					}
				}
			}, func(b *testing.B) {
				pattern := "%" + orgSearchTerm + "%"
				for b.Loop() {
					// PostgreSQL refuses a parameter a statement does not
					// use, so each statement numbers its own.
					orgRawRead(b, db.Pool(), func(tx pgx.Tx) {
						var total, n int
						if when == app.SessionsUpcoming {
							total = orgRawCount(b, tx, `SELECT count(*) FROM (SELECT 1 FROM session s
								WHERE s.ends_at >= $1 AND s.starts_at >= $2 AND s.topic_fold LIKE $3 LIMIT $4) c`,
								now, dayAgo, pattern, 1001)
							n = orgRawRows(b, tx, orgRawSessionsPage+` WHERE s.id IN (SELECT s.id FROM session s
								WHERE s.ends_at >= $2 AND s.starts_at >= $3 AND s.topic_fold LIKE $4
								ORDER BY s.starts_at, s.ends_at, s.id LIMIT $5 OFFSET $6) ORDER BY s.starts_at, s.ends_at, s.id`,
								now, now, dayAgo, pattern, 100, 0)
						} else {
							total = orgRawCount(b, tx, `SELECT count(*) FROM (SELECT 1 FROM session s
								WHERE s.topic_fold LIKE $1 LIMIT $2) c`, pattern, 1001)
							n = orgRawRows(b, tx, orgRawSessionsPage+` WHERE s.id IN (SELECT s.id FROM session s
								WHERE s.topic_fold LIKE $2 ORDER BY s.starts_at DESC, s.ends_at DESC, s.id DESC LIMIT $3 OFFSET $4)
								ORDER BY s.starts_at DESC, s.ends_at DESC, s.id DESC`, now, pattern, 100, 0)
						}
						if n == 0 || total == 0 {
							b.Fatal(n, total)
						}
					})
				}
			})
		})
	}
}
