package storage_test

// Search and paging at scale: 10,000 and 1,000,000 sessions (and as many
// registrations), built once per machine by the demo-data generator.
// Each search runs next to its raw baseline (the same SQL through
// database/sql with no app code); each growth benchmark runs the app's
// call on the million-row database against the same call on the 10,000-row
// one. `make bench BENCH='Scale(TopicSearch|PageGrowth|RegistrationSearch)'`

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/benchcmp"
	"github.com/trainpay/trainpay/internal/demodata"
	"github.com/trainpay/trainpay/storage"
)

var (
	tenThousand = demodata.Options{Sessions: 10_000, Registrations: 10_000, Codes: 1_000, Departments: 50, Seed: 1}
	oneMillion  = demodata.Options{Sessions: 1_000_000, Registrations: 1_000_000, Codes: 100_000, Departments: 50, Seed: 1}

	sizedMu  sync.Mutex
	sizedDBs = map[demodata.Options]*storage.DB{}
)

// sizedDatabase opens the cached demo database of o (building it on first
// use: about six minutes for a million sessions) for reading.
func sizedDatabase(b *testing.B, o demodata.Options) *storage.DB {
	b.Helper()
	sizedMu.Lock()
	defer sizedMu.Unlock()
	if db := sizedDBs[o]; db != nil {
		return db
	}
	path, err := demodata.Cached(context.Background(), o)
	if err != nil {
		b.Fatal(err)
	}
	db, err := storage.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	sizedDBs[o] = db
	return db
}

// searchTerm is what a person types: "excel" matches one session in
// thirty of the demo data.
const searchTerm = "excel"

// rawTopicSearch is the topic search the store runs for the list's first
// page, as raw SQL: the index's match count, the list's count up to 1,000
// when a filter narrows it, and the page, walking session_starts_at when
// the term matches many sessions.
func rawTopicSearch(b *testing.B, db *storage.DB, when app.SessionWhen, now time.Time) int {
	match := `"` + searchTerm + `"`
	n := rawCount(b, db.Read(), `SELECT count(*) FROM session_search WHERE session_search MATCH ?`, match)
	id := `s.id`
	if n > 2000 {
		id = `+s.id`
	}
	in := id + ` IN (SELECT rowid FROM session_search WHERE session_search MATCH ?2)`
	where, order := ` WHERE `+in, `s.starts_at DESC, s.ends_at DESC, s.id DESC`
	dayAgo := nowText(now.Add(-app.MaxDurationMinutes * time.Minute))
	if when == app.SessionsUpcoming {
		where, order = ` WHERE s.ends_at >= ?1 AND s.starts_at >= ?3 AND `+in, `s.starts_at, s.ends_at, s.id`
		n = rawCount(b, db.Read(), `SELECT count(*) FROM (SELECT 1 FROM session s`+strings.Replace(where, "+s.id", "s.id", 1)+` LIMIT 1001)`, nowText(now), match, dayAgo)
	}
	rows := rawRows(b, db.Read(), rawSessionsPage+where+` ORDER BY `+order+` LIMIT 100`, nowText(now), match, dayAgo)
	if rows == 0 || n == 0 {
		b.Fatal("nothing found")
	}
	return rows
}

// topicSearch is the first page of a search as the sessions list asks for
// it: 100 rows, counted up to 1,000.
func topicSearch(b *testing.B, db *storage.DB, when app.SessionWhen, now time.Time) {
	rows, total, err := db.Sessions(context.Background(), app.SessionFilter{
		When: when, Topic: searchTerm, Now: now, Limit: 100,
		CountUpTo: 1000,
	})
	if err != nil || len(rows) == 0 || total < len(rows) {
		b.Fatal(len(rows), total, err)
	}
}

// The first page of a topic search with its count, at a million sessions,
// against the same SQL raw.
func BenchmarkScaleTopicSearchMillion(b *testing.B) {
	db := sizedDatabase(b, oneMillion)
	now := time.Now()
	for _, when := range []app.SessionWhen{app.SessionsAll, app.SessionsUpcoming} {
		b.Run(string(when), func(b *testing.B) {
			benchcmp.Pair(b, 1.5, func(b *testing.B) {
				for b.Loop() {
					topicSearch(b, db, when, now)
				}
			}, func(b *testing.B) {
				for b.Loop() {
					rawTopicSearch(b, db, when, now)
				}
			})
		})
	}
}

// The same search at a million sessions against 10,000: the "baseline" is
// the small database.
func BenchmarkScaleTopicSearchGrowth(b *testing.B) {
	big, small := sizedDatabase(b, oneMillion), sizedDatabase(b, tenThousand)
	now := time.Now()
	for _, when := range []app.SessionWhen{app.SessionsAll, app.SessionsUpcoming} {
		b.Run(string(when), func(b *testing.B) {
			benchcmp.Pair(b, 3, func(b *testing.B) {
				for b.Loop() {
					topicSearch(b, big, when, now)
				}
			}, func(b *testing.B) {
				for b.Loop() {
					topicSearch(b, small, when, now)
				}
			})
		})
	}
}

// deepSessionKey is the list key of the session nine tenths down the
// "all" list.
func deepSessionKey(b *testing.B, db *storage.DB) *app.SessionKey {
	var starts, ends string
	var k app.SessionKey
	n := rawCount(b, db.Read(), `SELECT count(*) FROM session`)
	if err := db.Read().QueryRow(`SELECT starts_at, ends_at, id FROM session ORDER BY starts_at DESC, ends_at DESC, id DESC
		LIMIT 1 OFFSET ?`, n*9/10).Scan(&starts, &ends, &k.ID); err != nil {
		b.Fatal(err)
	}
	var err error
	if k.StartsAt, err = time.Parse(time.RFC3339Nano, starts); err != nil {
		b.Fatal(err)
	}
	if k.EndsAt, err = time.Parse(time.RFC3339Nano, ends); err != nil {
		b.Fatal(err)
	}
	return &k
}

// A page nine tenths down the sessions list, read by key as the list
// reads its pages after the first, at a million sessions against 10,000.
func BenchmarkScaleSessionsPageGrowth(b *testing.B) {
	big, small := sizedDatabase(b, oneMillion), sizedDatabase(b, tenThousand)
	page := func(db *storage.DB) func(b *testing.B) {
		after := deepSessionKey(b, db)
		return func(b *testing.B) {
			for b.Loop() {
				rows, _, err := db.Sessions(context.Background(), app.SessionFilter{
					When: app.SessionsAll, After: after,
					Limit: 100, NoTotal: true,
				})
				if err != nil || len(rows) != 100 {
					b.Fatal(len(rows), err)
				}
			}
		}
	}
	benchcmp.Pair(b, 1.5, page(big), page(small))
}

// busiestRegistrations is the ids of the session with the most
// registrations, in list order.
func busiestRegistrations(b *testing.B, db *storage.DB) (int64, []int64) {
	id, _ := busiestSession(b, db)
	rows, err := db.Read().Query(`SELECT id FROM registration WHERE session_id = ? ORDER BY id`, id)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var x int64
		rows.Scan(&x)
		ids = append(ids, x)
	}
	return id, ids
}

// The last 50 registrations of the busiest session, read by key, at a
// million registrations against 10,000.
func BenchmarkScaleRegistrationsPageGrowth(b *testing.B) {
	big, small := sizedDatabase(b, oneMillion), sizedDatabase(b, tenThousand)
	page := func(db *storage.DB) func(b *testing.B) {
		session, ids := busiestRegistrations(b, db)
		if len(ids) < 51 {
			b.Fatalf("the busiest session has %d registrations", len(ids))
		}
		after := ids[len(ids)-51]
		return func(b *testing.B) {
			for b.Loop() {
				rows, _, err := db.Registrations(context.Background(), app.RegistrationFilter{
					SessionID: session, AfterID: after,
					Limit: 50, NoTotal: true,
				})
				if err != nil || len(rows) != 50 {
					b.Fatal(len(rows), err)
				}
			}
		}
	}
	benchcmp.Pair(b, 1.5, page(big), page(small))
}

// A search of the busiest session's registrations by a last name found in
// it, at a million registrations, against the same SQL raw.
func BenchmarkScaleRegistrationSearchMillion(b *testing.B) {
	db := sizedDatabase(b, oneMillion)
	session, ids := busiestRegistrations(b, db)
	var last string
	if err := db.Read().QueryRow(`SELECT last_name FROM registration WHERE session_id = ? AND last_name NOT GLOB '*[^A-Za-z]*'
		ORDER BY id LIMIT 1`, session).Scan(&last); err != nil {
		b.Fatal(err)
	}
	term := strings.ToLower(last)
	b.Logf("session %d: %d registrations, searching %q", session, len(ids), term)
	benchcmp.Pair(b, 1.5, func(b *testing.B) {
		for b.Loop() {
			rows, total, err := db.Registrations(context.Background(), app.RegistrationFilter{SessionID: session, Search: term, Limit: 200})
			if err != nil || len(rows) == 0 || total != len(rows) {
				b.Fatal(len(rows), total, err)
			}
		}
	}, func(b *testing.B) {
		const in = ` WHERE r.session_id = ?1 AND r.id IN (SELECT rowid FROM registration_search WHERE registration_search MATCH ?2)`
		match := `"` + term + `"`
		for b.Loop() {
			total := rawCount(b, db.Read(), `SELECT count(*) FROM registration r`+in, session, match)
			if n := rawRows(b, db.Read(), rawRegistrationSelect+in+` ORDER BY r.id LIMIT ?3 OFFSET ?4`, session, match, 200, 0); n == 0 || n != total {
				b.Fatal(n, total)
			}
		}
	})
}
