package postgres_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/pgtest"
	"github.com/trainpay/trainpay/storage/postgres"
	"github.com/trainpay/trainpay/storage/storetest"
)

// openAt opens the organisation database at url, closed when the test ends.
func openAt(t *testing.T, url string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(db.Close)
	return db
}

// watchPG starts a change feed on db, closed when the test ends (before
// db and before its database is dropped).
func watchPG(t *testing.T, db *postgres.DB) *postgres.ChangeFeed {
	t.Helper()
	feed, err := postgres.WatchChanges(context.Background(), db)
	if err != nil {
		t.Fatalf("WatchChanges: %v", err)
	}
	t.Cleanup(feed.Close)
	return feed
}

// The change feed's contract, shared with the SQLite file, on the
// organisation database: the other desktop is another pool on it.
func TestChangeFeedContract(t *testing.T) {
	storetest.RunChangeFeed(t, func(t *testing.T) (app.PaymentStore, app.Changes) {
		url := pgtest.DB(t)
		db := openAt(t, url)
		return openAt(t, url), watchPG(t, db)
	})
}

// Every table of the schema (but goose's, the mark and the counters, which
// PostgreSQL does not bump) has an insert, an update and a delete
// statement trigger that notifies its area, with the rows it wrote.
func TestEveryTableNotifiesItsArea(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	rows, err := db.Pool().Query(ctx, `
		SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
		  AND table_name NOT IN ('goose_db_version', 'trainpay_meta', 'change_counter')`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != len(storetest.ChangeAreaOfTable) {
		t.Errorf("%d tables %v, %d with an area", len(tables), tables, len(storetest.ChangeAreaOfTable))
	}
	def := regexp.MustCompile(`^CREATE TRIGGER (\w+) AFTER (\w+) ON public\.(\w+) REFERENCING (NEW|OLD) TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change\('(\w+)'\)$`)
	for _, table := range tables {
		area, ok := storetest.ChangeAreaOfTable[table]
		if !ok {
			t.Errorf("table %s has no area", table)
			continue
		}
		for _, op := range []string{"insert", "update", "delete"} {
			var body string
			err := db.Pool().QueryRow(ctx, `SELECT pg_get_triggerdef(oid) FROM pg_trigger
				WHERE tgrelid = to_regclass($1) AND tgname = $2 AND NOT tgisinternal`,
				table, table+"_changed_"+op).Scan(&body)
			if err == pgx.ErrNoRows {
				t.Errorf("table %s has no %s trigger for its area", table, op)
				continue
			} else if err != nil {
				t.Fatal(err)
			}
			m := def.FindStringSubmatch(body)
			if m == nil || m[2] != strings.ToUpper(op) || m[3] != table || m[5] != area {
				t.Errorf("trigger %s_changed_%s does not notify %s: %s", table, op, area, body)
			}
		}
	}
}

// Whatever client writes, the area it wrote is told, once per transaction
// however many statements wrote it; a statement that wrote no row, and a
// transaction rolled back, tell nothing.
func TestChangeFeedTellsRawSQLWritesByArea(t *testing.T) {
	url := pgtest.DB(t)
	feed := watchPG(t, openAt(t, url))
	ch, stop := feed.Subscribe()
	defer stop()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	exec := func(sql string) {
		t.Helper()
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}

	exec(`INSERT INTO department (name, name_fold, cost_centre, owner_name, owner_email, created_at, updated_at)
		VALUES ('Kadry', 'kadry', 'CC-1', 'Ewa', 'ewa@example.pl', now(), now())`)
	if got := storetest.WaitUntilQuiet(t, ch, app.ChangedBudgets); got != app.ChangedBudgets {
		t.Errorf("a department inserted was told as %q", got)
	}

	exec(`BEGIN`)
	for range 3 {
		exec(`INSERT INTO feature (name, provisioned, enabled) VALUES ('promo-codes', true, false)
			ON CONFLICT (name) DO UPDATE SET enabled = NOT feature.enabled`)
	}
	exec(`UPDATE department SET owner_name = 'Ewa Nowak'`)
	exec(`COMMIT`)
	var sets []app.ChangeSet
	deadline := time.After(storetest.ChangeDeadline)
	for got := app.ChangeSet(0); got != app.ChangedSite|app.ChangedBudgets; {
		select {
		case set := <-ch:
			sets = append(sets, set)
			got |= set
		case <-deadline:
			t.Fatalf("sets %v", sets)
		}
	}
	storetest.WantNoChange(t, ch) // one notification per area of the transaction

	exec(`UPDATE department SET owner_name = 'x' WHERE id = -1`)
	exec(`DELETE FROM session WHERE id = -1`)
	exec(`BEGIN`)
	exec(`UPDATE department SET owner_name = 'Rolled Back'`)
	exec(`ROLLBACK`)
	storetest.WantNoChange(t, ch)
}

// When the listening connection drops (the server restarted, the network
// cut), the feed reconnects by itself and says everything may have
// changed, as it missed what was told meanwhile; it then hears changes
// again.
func TestChangeFeedReconnectsAfterADropAndTellsEverything(t *testing.T) {
	url := pgtest.DB(t)
	db := openAt(t, url)
	feed := watchPG(t, db)
	ch, stop := feed.Subscribe()
	defer stop()
	ctx := context.Background()

	for drop := range 2 {
		var killed int
		if err := db.Pool().QueryRow(ctx, `
			SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND application_name = $1`,
			postgres.ChangesApplicationName).Scan(&killed); err != nil {
			t.Fatal(err)
		}
		if killed != 1 {
			t.Fatalf("drop %d: %d listening connections ended, want 1", drop, killed)
		}
		// The back-off's first wait is well under a second.
		if got := storetest.WaitUntilQuiet(t, ch, app.ChangedEverything); got != app.ChangedEverything {
			t.Fatalf("drop %d: told %q", drop, got)
		}
		execSQL(t, url, `INSERT INTO feature (name, provisioned, enabled) VALUES ('pay-per-use', true, true)
			ON CONFLICT (name) DO UPDATE SET enabled = NOT feature.enabled`)
		if got := storetest.WaitUntilQuiet(t, ch, app.ChangedSite); got != app.ChangedSite {
			t.Errorf("drop %d: after reconnecting, a feature told as %q", drop, got)
		}
	}
}

// A server that cannot be reached when the feed starts is said as such.
func TestChangeFeedReportsAnUnreachableServer(t *testing.T) {
	db := openTemp(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := postgres.WatchChanges(ctx, db)
	wantError(t, err, app.EUNAVAILABLE, "error.orgdb.unreachable")
}
