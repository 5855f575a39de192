package postgres_test

// The sessions list, its topic search and a session's registrations at the
// organisation's scale: 100,000 sessions and 1,000,000 registrations,
// written by SQL (generate_series) into a throwaway database once per run.
// `go test -run '^$' -bench OrgScale -benchtime 20x -tags migrated_fynedo,sqlite_fts5 ./storage/postgres/`

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/pgtest"
	"github.com/trainpay/trainpay/storage/postgres"
)

const (
	scaleSessions      = 100_000
	scaleRegistrations = 1_000_000
)

// scaleNow splits the sessions: one an hour, half of them over.
var scaleNow = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// scaleDatabase builds the database: session i starts i hours after
// scaleNow minus 50,000 hours, one in thirty is about Excel, one in a
// hundred is in Łódź; registration j is for session j mod 100,000 + 1
// (ten each), with one session of 10,000 more.
func scaleDatabase(b *testing.B) *postgres.DB {
	b.Helper()
	var scaleDB *postgres.DB
	var scaleErr error
	func() {
		ctx := context.Background()
		url := pgtest.DB(b)
		if scaleDB, scaleErr = postgres.Open(ctx, url); scaleErr != nil {
			return
		}
		b.Cleanup(scaleDB.Close)
		t0 := time.Now()
		_, scaleErr = scaleDB.Pool().Exec(ctx, `
			INSERT INTO session (topic, topic_fold, starts_at, ends_at, time_zone, duration_minutes, type, created_at, updated_at)
			SELECT t, lower(t), $1::timestamptz + make_interval(hours => i - 50000),
			       $1::timestamptz + make_interval(hours => i - 50000, mins => 60), 'Europe/Warsaw', 60, 'free', now(), now()
			FROM (SELECT i, CASE WHEN i % 30 = 0 THEN 'Excel for accountants ' || i
			                     WHEN i % 100 = 1 THEN 'Lodz workshop ' || i
			                     ELSE 'Session ' || i END AS t
			      FROM generate_series(1, $2::int) AS i) g;
			`, scaleNow, scaleSessions)
		if scaleErr != nil {
			return
		}
		_, scaleErr = scaleDB.Pool().Exec(ctx, `
			INSERT INTO registration (session_id, first_name, last_name, email, status, confirmation, created_at, updated_at)
			SELECT CASE WHEN j > $2::int THEN 2 ELSE j % $1::int + 1 END, 'Zofia', 'Łęcka ' || j, 'zofia' || j || '@example.pl',
			       'registered', 'TP-' || upper(lpad(to_hex(j), 8, '0')), now(), now()
			FROM generate_series(1, $2::int + 10000) AS j`, scaleSessions, scaleRegistrations)
		if scaleErr != nil {
			return
		}
		_, scaleErr = scaleDB.Pool().Exec(ctx, `ANALYZE`)
		b.Logf("%d sessions and %d registrations written in %v", scaleSessions, scaleRegistrations+10000, time.Since(t0))
	}()
	if scaleErr != nil {
		b.Fatal(scaleErr)
	}
	return scaleDB
}

// BenchmarkOrgScale is one benchmark, so that its database (dropped when
// the benchmark that made it ends) serves every case.
func BenchmarkOrgScale(b *testing.B) {
	db := scaleDatabase(b)
	logScalePlans(b, db)
	b.Run("Sessions", func(b *testing.B) { benchmarkScaleSessions(b, db) })
	b.Run("Registrations", func(b *testing.B) { benchmarkScaleRegistrations(b, db) })
}

func benchmarkScaleSessions(b *testing.B, db *postgres.DB) {
	ctx := context.Background()
	deep := func(when app.SessionWhen) *app.SessionKey {
		rows, _, err := db.Sessions(ctx, app.SessionFilter{When: when, Now: scaleNow, Offset: 20_000, Limit: 1, NoTotal: true})
		if err != nil || len(rows) != 1 {
			b.Fatal(err, len(rows))
		}
		k := rows[0].ListKey()
		return &k
	}
	for _, c := range []struct {
		name string
		f    app.SessionFilter
	}{
		{"UpcomingFirstPage", app.SessionFilter{When: app.SessionsUpcoming, CountUpTo: 1000}},
		{"UpcomingPageAfterKey20000", app.SessionFilter{When: app.SessionsUpcoming, After: deep(app.SessionsUpcoming), NoTotal: true}},
		{"PastOffset20000", app.SessionFilter{When: app.SessionsPast, Offset: 20_000, NoTotal: true}},
		{"AllFirstPageCounted", app.SessionFilter{When: app.SessionsAll}},
		{"TopicSearchManyMatches", app.SessionFilter{When: app.SessionsAll, Topic: "excel", CountUpTo: 1000}},
		{"TopicSearchUpcoming", app.SessionFilter{When: app.SessionsUpcoming, Topic: "excel", CountUpTo: 1000}},
		{"TopicSearchFewMatches", app.SessionFilter{When: app.SessionsAll, Topic: "łódź workshop 4200"}},
		{"TopicSearchNoMatch", app.SessionFilter{When: app.SessionsAll, Topic: "python"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			f := c.f
			f.Now, f.Limit = scaleNow, 100
			for b.Loop() {
				if _, _, err := db.Sessions(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func benchmarkScaleRegistrations(b *testing.B, db *postgres.DB) {
	ctx := context.Background()
	for _, c := range []struct {
		name string
		f    app.RegistrationFilter
	}{
		{"FirstPageCounted", app.RegistrationFilter{SessionID: 2, Limit: 100}},
		{"PageAfterKey", app.RegistrationFilter{SessionID: 2, AfterID: 1_005_000, Limit: 100, NoTotal: true}},
		{"SearchName", app.RegistrationFilter{SessionID: 2, Search: "łęcka 100500", Limit: 100}},
		{"SearchEveryoneInTheBigSession", app.RegistrationFilter{SessionID: 2, Search: "zofia", Limit: 100}},
		{"SearchEmailInSmallSession", app.RegistrationFilter{SessionID: 500, Search: "zofia", Limit: 100}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := db.Registrations(ctx, c.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// logScalePlans logs the plans of the list's and the search's main shapes
// (go test -v shows them), as the stores send them.
func logScalePlans(b *testing.B, db *postgres.DB) {
	ctx := context.Background()
	for _, q := range []struct {
		name string
		sql  string
		args []any
	}{
		{"upcoming page", `SELECT s.id FROM session s WHERE s.ends_at >= $1 AND s.starts_at >= $2
			ORDER BY s.starts_at, s.ends_at, s.id LIMIT 100`, []any{scaleNow, scaleNow.Add(-24 * time.Hour)}},
		{
			"past page after a key", `SELECT s.id FROM session s WHERE s.ends_at < $1 AND s.starts_at < $1
			AND (s.starts_at, s.ends_at, s.id) < ($2, $3, $4) ORDER BY s.starts_at DESC, s.ends_at DESC, s.id DESC LIMIT 100`,
			[]any{scaleNow, scaleNow.Add(-20000 * time.Hour), scaleNow.Add(-19999 * time.Hour), int64(30000)},
		},
		{"topic search, many matches", `SELECT s.id FROM session s WHERE s.topic_fold LIKE $1
			ORDER BY s.starts_at DESC, s.ends_at DESC, s.id DESC LIMIT 100`, []any{"%excel%"}},
		{"topic search, few matches", `SELECT s.id FROM session s WHERE s.topic_fold LIKE $1
			ORDER BY s.starts_at DESC, s.ends_at DESC, s.id DESC LIMIT 100`, []any{"%lodz workshop 4200%"}},
		{"registrations search", `SELECT r.id FROM registration r WHERE r.session_id = $1 AND
			(trainpay_fold(r.email) LIKE $2 OR trainpay_fold(r.confirmation) LIKE $2
			 OR trainpay_fold(r.first_name || ' ' || r.last_name) LIKE $2) ORDER BY r.id LIMIT 100`, []any{int64(2), "%lecka 100500%"}},
	} {
		rows, err := db.Pool().Query(ctx, `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) `+q.sql, q.args...)
		if err != nil {
			b.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				b.Fatal(err)
			}
			// trainpay_fold is inlined into the plan: 5 kB of its
			// character class a line.
			if len(line) > 160 {
				line = line[:160] + "…"
			}
			plan = append(plan, line)
		}
		rows.Close()
		b.Logf("%s:\n%s", q.name, strings.Join(plan, "\n"))
	}
}
