package storage_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

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
		s := app.Session{
			Topic: topic, StartsAt: e.clock().Add(time.Duration(24+i) * time.Hour), TimeZone: "Europe/Warsaw",
			DurationMinutes: 60, Type: app.SessionFree, Status: app.SessionScheduled,
		}
		if err := e.db.CreateSession(context.Background(), &s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
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
	raw := rawAtVersion(t, path, "_fk=1", 13)
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

// Promotional codes are paged by key (the registrations' paging is in the
// contract suite, storetest.RunRegistrationStore).
func TestPromoCodesPagedByKey(t *testing.T) {
	ctx := context.Background()
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
