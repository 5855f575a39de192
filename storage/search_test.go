package storage_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
)

func sessionTopics(t *testing.T, db *storage.DB, f app.SessionFilter) ([]string, int) {
	t.Helper()
	rows, total, err := db.Sessions(context.Background(), f)
	if err != nil {
		t.Fatalf("%+v: %v", f, err)
	}
	var topics []string
	for _, r := range rows {
		topics = append(topics, r.Topic)
	}
	slices.Sort(topics)
	return topics, total
}

func scheduleTopics(t *testing.T, e *sessionEnv, topics ...string) []app.Session {
	t.Helper()
	var out []app.Session
	for i, topic := range topics {
		s := app.Session{Topic: topic, StartsAt: e.clock().Add(time.Duration(24+i) * time.Hour), TimeZone: "Europe/Warsaw",
			DurationMinutes: 60, Type: app.SessionFree, Status: app.SessionScheduled}
		if err := e.db.CreateSession(context.Background(), &s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// "lodz" finds "Łódź": the search folds case, accents and the letters that
// carry their accent in the letter itself (Ł), on both sides.
func TestTopicSearchIgnoresCaseAccentsAndPolishLetters(t *testing.T) {
	e := newSessionEnv(t)
	scheduleTopics(t, e, "Excel w Gdyni", "Łódź: Power BI", "Kraków GDPR", "Zürich: Agile", "Python")
	for term, want := range map[string][]string{
		"lodz":   {"Łódź: Power BI"},
		"ŁÓDŹ":   {"Łódź: Power BI"},
		"LODZ: ": {"Łódź: Power BI"},
		"gdyn":   {"Excel w Gdyni"},
		"krakow": {"Kraków GDPR"},
		"zurich": {"Zürich: Agile"},
		"xcel":   {"Excel w Gdyni"},
		"ódź":    {"Łódź: Power BI"},
		"100%_":  nil,
		`"pyt`:   nil,
	} {
		got, total := sessionTopics(t, e.db, app.SessionFilter{When: app.SessionsAll, Topic: term})
		if !slices.Equal(got, want) || total != len(want) {
			t.Errorf("search %q: %q (total %d), want %q", term, got, total, want)
		}
	}
}

func TestRegistrationSearchIgnoresAccentsAndPolishLetters(t *testing.T) {
	e := newSessionEnv(t)
	ctx := context.Background()
	s := e.paidSession("Search", 50_00, 10)
	for i := range 3 {
		if _, err := e.svc.Register(ctx, s.ID, attendee(i)); err != nil {
			t.Fatal(err)
		}
	}
	r, err := e.svc.Register(ctx, s.ID, app.Attendee{FirstName: "Łukasz", LastName: "Woźniak", Email: "l.wozniak@example.pl",
		Country: "PL", Language: "pl"})
	if err != nil {
		t.Fatal(err)
	}
	for _, term := range []string{"lukasz", "LUKASZ WOZ", "wozniak", "Woźniak", "l.woz", r.Confirmation[3:], "tp-" + r.Confirmation[3:6]} {
		rows, total, err := e.db.Registrations(ctx, app.RegistrationFilter{SessionID: s.ID, Search: term})
		if err != nil || total != 1 || len(rows) != 1 || rows[0].ID != r.ID {
			t.Errorf("search %q: %d rows (total %d), %v", term, len(rows), total, err)
		}
	}
	if _, total, err := e.db.Registrations(ctx, app.RegistrationFilter{SessionID: s.ID, Search: "lecka"}); err != nil || total != 3 {
		t.Errorf("search lecka: %d, %v", total, err)
	}
}

// One or two characters have no trigram: the store refuses them instead of
// scanning every row, and says how many are needed.
func TestSearchShorterThanThreeCharactersIsRefused(t *testing.T) {
	e := newSessionEnv(t)
	scheduleTopics(t, e, "Excel")
	for _, term := range []string{"e", "ex", " Łó "} {
		_, _, err := e.db.Sessions(context.Background(), app.SessionFilter{When: app.SessionsAll, Topic: term})
		if ae := app.AsError(err); ae == nil || ae.Code != app.EINVALID || ae.Key != "error.search.too_short" || ae.Data["Min"] != 3 {
			t.Errorf("topic %q: %v", term, err)
		}
		_, _, err = e.db.Registrations(context.Background(), app.RegistrationFilter{SessionID: 1, Search: term})
		if app.AsError(err) == nil || app.AsError(err).Key != "error.search.too_short" {
			t.Errorf("registrations %q: %v", term, err)
		}
	}
}

// searchIndexCount counts the rows of a search table that match a term.
func searchIndexCount(t *testing.T, db *storage.DB, table, term string) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRow(`SELECT count(*) FROM `+table+` WHERE `+table+` MATCH ?`, `"`+term+`"`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The search tables follow every write to the rows, whoever writes them:
// the triggers index inserts, renames and deletes.
func TestSearchIndexFollowsInsertsUpdatesAndDeletes(t *testing.T) {
	e := newSessionEnv(t)
	ctx := context.Background()
	ss := scheduleTopics(t, e, "Spawanie w Gdańsku", "Obsługa wózka")
	if n := searchIndexCount(t, e.db, "session_search", "gdansk"); n != 1 {
		t.Fatalf("after insert: %d", n)
	}
	ss[0].Topic = "Spawanie w Poznaniu"
	if err := e.db.UpdateSession(ctx, &ss[0]); err != nil {
		t.Fatal(err)
	}
	if got, _ := sessionTopics(t, e.db, app.SessionFilter{When: app.SessionsAll, Topic: "gdańsk"}); got != nil {
		t.Errorf("old topic still found: %q", got)
	}
	if got, _ := sessionTopics(t, e.db, app.SessionFilter{When: app.SessionsAll, Topic: "poznan"}); len(got) != 1 {
		t.Errorf("new topic not found: %q", got)
	}
	if _, err := e.db.Write().Exec(`DELETE FROM session WHERE id = ?`, ss[1].ID); err != nil {
		t.Fatal(err)
	}
	if n := searchIndexCount(t, e.db, "session_search", "wozka"); n != 0 {
		t.Errorf("deleted session still indexed: %d", n)
	}

	s := e.paidSession("Regs", 10_00, 5)
	r, err := e.svc.Register(ctx, s.ID, attendee(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Write().Exec(`UPDATE registration SET last_name = 'Żak', email = 'zofia.zak@example.pl' WHERE id = ?`, r.ID); err != nil {
		t.Fatal(err)
	}
	for term, want := range map[string]int{"lecka": 0, "zofia zak": 1, "zofia.zak@": 1, "zofia1@": 0} {
		if _, total, err := e.db.Registrations(ctx, app.RegistrationFilter{SessionID: s.ID, Search: term}); err != nil || total != want {
			t.Errorf("after rename, %q: %d, %v; want %d", term, total, err, want)
		}
	}
}

// A database written before the search tables gets its rows indexed by
// the migration that adds them.
func TestSearchMigrationIndexesExistingRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	raw := rawOpen(t, path, "_fk=1")
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, os.DirFS("migrations"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 13); err != nil {
		t.Fatal(err)
	}
	at := "2030-01-01T10:00:00.000000000Z"
	mustExec(t, raw, `INSERT INTO session (id, topic, topic_fold, starts_at, ends_at, time_zone, duration_minutes, type,
		created_at, updated_at) VALUES (7, 'Łódź: Excel', 'łódź: excel', ?1, ?1, 'UTC', 60, 'free', ?1, ?1)`, at)
	mustExec(t, raw, `INSERT INTO registration (id, session_id, first_name, last_name, email, status, confirmation,
		created_at, updated_at) VALUES (9, 7, 'Łucja', 'Żak', 'lucja@example.pl', 'registered', 'TP-ABCDEFGH', ?1, ?1)`, at)
	raw.Close()

	db, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, total := sessionTopics(t, db, app.SessionFilter{When: app.SessionsAll, Topic: "lodz"}); total != 1 || len(got) != 1 {
		t.Errorf("existing session: %q (%d)", got, total)
	}
	rows, total, err := db.Registrations(ctx, app.RegistrationFilter{SessionID: 7, Search: "lucja zak"})
	if err != nil || total != 1 || len(rows) != 1 || rows[0].ID != 9 {
		t.Errorf("existing registration: %d (%d), %v", len(rows), total, err)
	}
}

// A caller that gave up (the search box changed) gets its context's error,
// which tells an abandoned query from a failure.
func TestCancelledListReturnsTheContextError(t *testing.T) {
	e := newSessionEnv(t)
	scheduleTopics(t, e, "Excel")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var ae *app.Error
	if _, _, err := e.db.Sessions(ctx, app.SessionFilter{When: app.SessionsAll, Topic: "excel"}); !errors.Is(err, context.Canceled) ||
		errors.As(err, &ae) {
		t.Errorf("sessions: %v", err)
	}
	if _, _, err := e.db.Registrations(ctx, app.RegistrationFilter{SessionID: 1, Search: "abc"}); !errors.Is(err, context.Canceled) ||
		errors.As(err, &ae) {
		t.Errorf("registrations: %v", err)
	}
}

// Walking a list page by page by key gives exactly the rows of one read,
// in order, ties of start time included; a jump (key plus offset) lands on
// the same rows as the offset would.
func TestSessionsPagedByKeyMatchOneRead(t *testing.T) {
	e := newSessionEnv(t)
	ctx := context.Background()
	var topics []string
	for i := range 40 {
		topics = append(topics, fmt.Sprintf("Topic %02d", i))
	}
	ss := scheduleTopics(t, e, topics...)
	// Ties: several sessions share a start, and some are in the past.
	for i := range ss {
		ss[i].StartsAt = e.clock().Add(time.Duration(i/4-3) * time.Hour)
		if _, err := e.db.Write().Exec(`UPDATE session SET starts_at = ?, ends_at = ? WHERE id = ?`,
			ss[i].StartsAt.UTC().Format("2006-01-02T15:04:05.000000000Z07:00"),
			ss[i].EndsAt().UTC().Format("2006-01-02T15:04:05.000000000Z07:00"), ss[i].ID); err != nil {
			t.Fatal(err)
		}
	}
	for _, when := range []app.SessionWhen{app.SessionsUpcoming, app.SessionsPast, app.SessionsAll} {
		base := app.SessionFilter{When: when, Now: e.clock()}
		f := base
		f.Limit = 1000
		all, total, err := e.db.Sessions(ctx, f)
		if err != nil || len(all) != total || total == 0 {
			t.Fatalf("%s: %d of %d, %v", when, len(all), total, err)
		}
		var walked []int64
		var after *app.SessionKey
		for page := 0; ; page++ {
			f := base
			f.Limit, f.After, f.NoTotal = 7, after, page > 0
			rows, n, err := e.db.Sessions(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if (page > 0) != (n == -1) || page == 0 && n != total {
				t.Errorf("%s page %d: total %d", when, page, n)
			}
			for _, r := range rows {
				walked = append(walked, r.ID)
			}
			if len(rows) < 7 {
				break
			}
			k := rows[len(rows)-1].ListKey()
			after = &k
		}
		var want []int64
		for _, r := range all {
			want = append(want, r.ID)
		}
		if !slices.Equal(walked, want) {
			t.Errorf("%s: by key %v, one read %v", when, walked, want)
		}
		f = base
		f.CountUpTo = 5
		if _, n, err := e.db.Sessions(ctx, f); err != nil || n != min(total, 6) {
			t.Errorf("%s: count up to 5 of %d: %d, %v", when, total, n, err)
		}
		if len(all) > 20 {
			k := all[5].ListKey()
			f := base
			f.After, f.Offset, f.Limit, f.NoTotal = &k, 7, 5, true
			rows, _, err := e.db.Sessions(ctx, f)
			if err != nil || len(rows) != 5 || rows[0].ID != all[13].ID || rows[4].ID != all[17].ID {
				t.Errorf("%s: jump: %d rows, %v", when, len(rows), err)
			}
		}
	}
}

// A topic search counts up to the cap when asked to, exactly otherwise,
// whichever way it reads the matches.
func TestTopicSearchCountsUpToTheCap(t *testing.T) {
	e := newSessionEnv(t)
	var topics []string
	for i := range 12 {
		topics = append(topics, fmt.Sprintf("Excel %d", i))
	}
	scheduleTopics(t, e, append(topics, "Python")...)
	for _, f := range []app.SessionFilter{
		{When: app.SessionsAll, Topic: "excel"},
		{When: app.SessionsUpcoming, Topic: "excel", Now: e.clock()},
		{When: app.SessionsAll, Topic: "excel", Status: app.SessionScheduled},
	} {
		if _, n, err := e.db.Sessions(context.Background(), f); err != nil || n != 12 {
			t.Errorf("%+v: %d, %v", f, n, err)
		}
		f.CountUpTo = 10
		if rows, n, err := e.db.Sessions(context.Background(), f); err != nil || n < 11 || len(rows) != 12 {
			t.Errorf("%+v: %d (%d rows), %v", f, n, len(rows), err)
		}
	}
}

func TestRegistrationsAndPromoCodesPagedByKey(t *testing.T) {
	e := newSessionEnv(t)
	ctx := context.Background()
	s := e.paidSession("Pages", 10_00, 100)
	var want []int64
	for i := range 23 {
		r, err := e.svc.Register(ctx, s.ID, attendee(i))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, r.ID)
	}
	var walked []int64
	var after int64
	for page := 0; ; page++ {
		rows, total, err := e.db.Registrations(ctx, app.RegistrationFilter{SessionID: s.ID, AfterID: after, Limit: 5, NoTotal: page > 0})
		if err != nil || (page == 0) != (total == 23) || page > 0 && total != -1 {
			t.Fatalf("page %d: total %d, %v", page, total, err)
		}
		for _, r := range rows {
			walked = append(walked, r.ID)
		}
		if len(rows) < 5 {
			break
		}
		after = rows[len(rows)-1].ID
	}
	if !slices.Equal(walked, want) {
		t.Errorf("registrations by key %v, want %v", walked, want)
	}
	// Searched, by key, with a jump.
	rows, _, err := e.db.Registrations(ctx, app.RegistrationFilter{SessionID: s.ID, Search: "ŁĘCKA 1", AfterID: want[10], Offset: 2, Limit: 3})
	if err != nil || len(rows) != 3 || rows[0].ID != want[13] || rows[2].ID != want[15] {
		t.Errorf("searched jump: %v, %v", rows, err)
	}

	f := newPromoFixture(t, "PLN")
	for i := range 12 {
		f.code(app.PromoCode{Code: fmt.Sprintf("KEY-%02d", i)})
	}
	var codes []string
	var afterID int64
	for page := 0; ; page++ {
		got, total, err := f.promo.CodePage(ctx, app.PromoCodeFilter{Search: "key-", AfterID: afterID, Limit: 5, NoTotal: page > 0})
		if err != nil || page == 0 && total != 12 || page > 0 && total != -1 {
			t.Fatalf("codes page %d: total %d, %v", page, total, err)
		}
		for _, c := range got {
			codes = append(codes, c.Code)
		}
		if len(got) < 5 {
			break
		}
		afterID = got[len(got)-1].ID
	}
	if len(codes) != 12 || codes[0] != "KEY-11" || codes[11] != "KEY-00" {
		t.Errorf("codes by key: %q", codes)
	}
}
