package storage_test

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/storetest"
)

// watch starts a change feed on db, closed when the test ends.
func watch(t *testing.T, db *storage.DB) *storage.ChangeFeed {
	t.Helper()
	feed, err := storage.WatchChanges(db, 0)
	if err != nil {
		t.Fatalf("WatchChanges: %v", err)
	}
	t.Cleanup(func() {
		if err := feed.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return feed
}

// reopen opens the file again, as another TrainPay process would.
func reopen(t *testing.T, path string) *storage.DB {
	t.Helper()
	db, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// The change feed's contract, shared with the organisation database, on
// the SQLite file: the other desktop is another pair of pools on the file.
func TestChangeFeedContract(t *testing.T) {
	storetest.RunChangeFeed(t, func(t *testing.T) (app.PaymentStore, app.Changes) {
		db, path := openTemp(t)
		return reopen(t, path), watch(t, db)
	})
}

// Every table of the schema (but goose's, the counters and the search
// index, which follows its rows' triggers) has an insert, an update and a
// delete trigger that bumps its area's counter, and nothing else.
func TestEveryTableTellsItsArea(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	rows, err := db.Read().QueryContext(ctx, `
		SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
		  AND name NOT IN ('goose_db_version', 'change_counter') AND name NOT LIKE '%\_search%' ESCAPE '\'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) != len(storetest.ChangeAreaOfTable) {
		t.Errorf("%d tables %v, %d with an area", len(tables), tables, len(storetest.ChangeAreaOfTable))
	}
	bump := regexp.MustCompile(`(?s)BEGIN\s+UPDATE change_counter SET n = n \+ 1 WHERE area = '([a-z]+)';\s+END$`)
	for _, table := range tables {
		area, ok := storetest.ChangeAreaOfTable[table]
		if !ok {
			t.Errorf("table %s has no area", table)
			continue
		}
		for _, op := range []string{"insert", "update", "delete"} {
			var body string
			err := db.Read().QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ? AND tbl_name = ?`,
				table+"_changed_"+op, table).Scan(&body)
			if err == sql.ErrNoRows {
				t.Errorf("table %s has no %s trigger for its area", table, op)
				continue
			} else if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(body, "AFTER "+strings.ToUpper(op)+" ON "+table+" ") {
				t.Errorf("trigger %s_changed_%s: %s", table, op, body)
			}
			if m := bump.FindStringSubmatch(body); m == nil || m[1] != area {
				t.Errorf("trigger %s_changed_%s does not bump %s alone: %s", table, op, area, body)
			}
		}
	}
}

// Writes of another process are told by the areas they touched: the site
// set up (site), a department (budgets, with its audit entry: site), a
// payment (payments); a write this process makes through its own write
// pool is told as well, for its other screens.
func TestChangeFeedNamesTheAreasWritten(t *testing.T) {
	db, path := openTemp(t)
	feed := watch(t, db)
	ch, stop := feed.Subscribe()
	defer stop()
	other := reopen(t, path)
	ctx := context.Background()

	site := app.NewSiteService(other)
	site.Argon2 = app.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	if err := site.Setup(ctx, app.Site{Name: "Acme", Country: "PL", Currency: "PLN", TimeZone: "Europe/Warsaw", Language: "pl"},
		"correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if got := storetest.WaitUntilQuiet(t, ch, app.ChangedSite); got.Any(app.ChangedEverything &^ app.ChangedSite) {
		t.Errorf("setting the site up was told as %q", got)
	}

	d := app.Department{Name: "Księgowość", CostCentre: "CC-4100", OwnerName: "Anna Kowalska", OwnerEmail: "anna@example.pl"}
	if err := other.CreateDepartment(ctx, &d, []app.AuditEntry{{Action: "department.create", Actor: "admin"}}); err != nil {
		t.Fatal(err)
	}
	if got := storetest.WaitUntilQuiet(t, ch, app.ChangedBudgets); got.Any(app.ChangedEverything &^ (app.ChangedBudgets | app.ChangedSite)) {
		t.Errorf("a new department was told as %q", got)
	}

	sale := storetest.NewSale(10_00)
	if err := db.CreatePayment(ctx, &sale); err != nil {
		t.Fatal(err)
	}
	if got := storetest.WaitUntilQuiet(t, ch, app.ChangedPayments); got != app.ChangedPayments {
		t.Errorf("this process's own payment was told as %q", got)
	}
}

// changeChildDB names, to the test binary run again as another TrainPay
// process, the file it writes to.
const changeChildDB = "TRAINPAY_CHANGES_CHILD_DB"

// Another operating-system process that writes the file (the trainpay
// command line while the app runs, a second app) is heard within the
// deadline, by the areas it wrote. The process is this test binary run
// again.
func TestChangeFeedHearsAnotherProcess(t *testing.T) {
	ctx := context.Background()
	if path := os.Getenv(changeChildDB); path != "" {
		db, err := storage.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		d := app.Department{Name: "Logistyka", CostCentre: "CC-7000", OwnerName: "Piotr Lis", OwnerEmail: "piotr@example.pl"}
		if err := db.CreateDepartment(ctx, &d, nil); err != nil {
			t.Fatal(err)
		}
		sale := storetest.NewSale(99_00)
		if err := db.CreatePayment(ctx, &sale); err != nil {
			t.Fatal(err)
		}
		return
	}
	db, path := openTemp(t)
	feed := watch(t, db)
	ch, stop := feed.Subscribe()
	defer stop()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChangeFeedHearsAnotherProcess$")
	cmd.Env = append(os.Environ(), changeChildDB+"="+path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the other process: %v\n%s", err, out)
	}
	if got := storetest.WaitForChange(t, ch, app.ChangedBudgets|app.ChangedPayments); got != app.ChangedBudgets|app.ChangedPayments {
		t.Errorf("the other process's writes were told as %q", got)
	}
}

// What watching costs: a raw PRAGMA data_version on a connection of its
// own, and the feed's whole check when nothing changed (the same PRAGMA
// through database/sql, the counters not read). The check runs every
// ChangePollInterval.
func BenchmarkChangeFeedPoll(b *testing.B) {
	path := b.TempDir() + "/trainpay.db"
	db, err := storage.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.Run("raw data_version", func(b *testing.B) {
		conn, err := db.Read().Conn(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close()
		var v int64
		for b.Loop() {
			if err := conn.QueryRowContext(context.Background(), `PRAGMA data_version`).Scan(&v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("feed check, nothing changed", func(b *testing.B) {
		feed, err := storage.WatchChanges(db, 1<<40) // the benchmark checks, not the ticker
		if err != nil {
			b.Fatal(err)
		}
		defer feed.Close()
		for b.Loop() {
			if set, err := storage.CheckChanges(feed); err != nil || set != 0 {
				b.Fatal(set, err)
			}
		}
	})
	b.Run("feed check, counters read", func(b *testing.B) {
		feed, err := storage.WatchChanges(db, 1<<40)
		if err != nil {
			b.Fatal(err)
		}
		defer feed.Close()
		for b.Loop() {
			b.StopTimer()
			if _, err := db.Write().Exec(`UPDATE change_counter SET n = n + 1 WHERE area = 'site'`); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if set, err := storage.CheckChanges(feed); err != nil || set != app.ChangedSite {
				b.Fatal(set, err)
			}
		}
	})
}

// What the counters cost a writer: a transaction of 1,000 audit entries
// with the area's trigger and without it (the trigger dropped on a file of
// the benchmark's own). SQLite has no statement triggers, so every row
// pays it.
func BenchmarkChangeCountersOnInsert(b *testing.B) {
	const rows = 1000
	for _, counted := range []bool{true, false} {
		name := "with counters"
		if !counted {
			name = "without counters"
		}
		b.Run(name, func(b *testing.B) {
			db, err := storage.Open(b.TempDir() + "/trainpay.db")
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if !counted {
				if _, err := db.Write().Exec(`DROP TRIGGER audit_log_changed_insert`); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				tx, err := db.BeginWrite(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				for i := range rows {
					if _, err := tx.Exec(`INSERT INTO audit_log (at, actor, action, target) VALUES ('2026-01-01T00:00:00Z', 'admin', 'bench', ?)`, i); err != nil {
						b.Fatal(err)
					}
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
		})
	}
}
