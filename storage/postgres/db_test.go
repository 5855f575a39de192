package postgres_test

import (
	"context"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/pgtest"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/postgres"
	"github.com/trainpay/trainpay/storage/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// openTemp opens a fresh organisation database.
func openTemp(t *testing.T) *postgres.DB {
	t.Helper()
	db, _ := openTempURL(t)
	return db
}

// openTempURL opens a fresh organisation database, closed when the test
// ends, and returns its URL too, for a second connection or a child
// process.
func openTempURL(t *testing.T) (*postgres.DB, string) {
	t.Helper()
	url := pgtest.DB(t)
	return openAt(t, url), url
}

// wantError checks err's code and key, as the contract suites do.
var wantError = storetest.WantError

// snapshot is every table and column of the public schema with goose's
// version: what "changing nothing" covers.
func snapshot(t *testing.T, url string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT table_name || '.' || column_name || ':' || data_type
		FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(cols, "\n")
}

func execSQL(t *testing.T, url string, sql string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// An empty database is migrated to the newest schema and marked as
// TrainPay's; opening it again changes nothing and keeps the data.
func TestOpenMigratesAnEmptyDatabaseAndReopens(t *testing.T) {
	ctx := context.Background()
	url := pgtest.DB(t)
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := db.Version(ctx); err != nil || v != postgres.SchemaVersion() {
		t.Fatalf("version %d (%v), want %d", v, err, postgres.SchemaVersion())
	}
	var id int64
	if err := db.Pool().QueryRow(ctx, `SELECT application_id FROM trainpay_meta`).Scan(&id); err != nil || id != storage.ApplicationID {
		t.Fatalf("mark %x (%v), want %x", id, err, storage.ApplicationID)
	}
	db.Close()
	before := snapshot(t, url)
	db, err = postgres.Open(ctx, url)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	db.Close()
	if after := snapshot(t, url); after != before {
		t.Errorf("a reopen changed the schema")
	}
}

// A database that holds someone else's tables is refused, and left as it
// was; so is one whose mark says it is not TrainPay's.
func TestOpenRefusesADatabaseThatIsNotTrainPays(t *testing.T) {
	ctx := context.Background()
	for name, setup := range map[string]string{
		"foreign tables":  `CREATE TABLE invoices (id int PRIMARY KEY, total numeric)`,
		"a view only":     `CREATE VIEW hello AS SELECT 1 AS one`,
		"a foreign mark":  `CREATE TABLE trainpay_meta (id int PRIMARY KEY, application_id bigint); INSERT INTO trainpay_meta VALUES (1, 42)`,
		"an empty marker": `CREATE TABLE trainpay_meta (id int PRIMARY KEY, application_id bigint)`,
	} {
		t.Run(name, func(t *testing.T) {
			url := pgtest.DB(t)
			execSQL(t, url, setup)
			before := snapshot(t, url)
			_, err := postgres.Open(ctx, url)
			e := wantError(t, err, app.EINVALID, "error.orgdb.not_trainpay")
			if e.Data["Database"] == "" || strings.Contains(e.Error(), "password") {
				t.Errorf("error data %v", e.Data)
			}
			if after := snapshot(t, url); after != before {
				t.Errorf("a refused database changed:\n%s\nwas\n%s", after, before)
			}
		})
	}
}

// A database migrated by a newer TrainPay is refused, and left as it was.
func TestOpenRefusesADatabaseOfANewerTrainPay(t *testing.T) {
	ctx := context.Background()
	url := pgtest.DB(t)
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	newer := postgres.SchemaVersion() + 1
	if _, err := db.Pool().Exec(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, true)`, newer); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool().Exec(ctx, `CREATE TABLE from_the_future (id int)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before := snapshot(t, url)
	_, err = postgres.Open(ctx, url)
	e := wantError(t, err, app.ECONFLICT, "error.orgdb.too_new")
	if e.Data["Version"] != newer || e.Data["Supported"] != postgres.SchemaVersion() {
		t.Errorf("data %v", e.Data)
	}
	if after := snapshot(t, url); after != before {
		t.Error("a refused database changed")
	}
}

// A server that is not there is said as such.
func TestOpenReportsAnUnreachableServer(t *testing.T) {
	ctx := context.Background()
	_, err := postgres.Open(ctx, "postgres://nobody@/trainpay?host="+filepath.Join(t.TempDir(), "none")+"&connect_timeout=2")
	wantError(t, err, app.EUNAVAILABLE, "error.orgdb.unreachable")
}

// Schema parity: migrated to their newest schemas, SQLite (storage) and
// PostgreSQL (storage/postgres) have the same tables with the same column
// names, and the same schema version. When storage gains a migration, this
// test fails until storage/postgres/migrations has its twin under the same
// version number: the organisation database must never fall behind the
// desktop's file.
//
// Left out: goose's table; on SQLite its internal tables and virtual tables
// with their shadow tables (full-text search); on PostgreSQL trainpay_meta,
// the stand-in for SQLite's application_id header field.
func TestSchemaMatchesSQLite(t *testing.T) {
	ctx := context.Background()
	lite, err := storage.Open(filepath.Join(t.TempDir(), "trainpay.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pg := openTemp(t)

	if lv, pv := storage.SchemaVersion(), postgres.SchemaVersion(); lv != pv {
		t.Errorf("schema version: SQLite %d, PostgreSQL %d: every SQLite migration needs its PostgreSQL twin", lv, pv)
	}
	if v, err := pg.Version(ctx); err != nil || v != storage.SchemaVersion() {
		t.Errorf("the migrated PostgreSQL database is at version %d (%v), SQLite's newest is %d", v, err, storage.SchemaVersion())
	}

	var virtual []string
	vrows, err := lite.Read().QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'`)
	if err != nil {
		t.Fatal(err)
	}
	for vrows.Next() {
		var name string
		if err := vrows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		virtual = append(virtual, name)
	}
	vrows.Close()

	liteCols := map[string][]string{}
	rows, err := lite.Read().QueryContext(ctx, `
		SELECT m.name, c.name FROM sqlite_schema m, pragma_table_info(m.name) c
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\' AND m.name <> 'goose_db_version'
		  AND m.sql NOT LIKE 'CREATE VIRTUAL TABLE%'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		if shadowTable(table, virtual) {
			continue
		}
		liteCols[table] = append(liteCols[table], col)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()

	pgCols := map[string][]string{}
	prows, err := pg.Pool().Query(ctx, `
		SELECT c.table_name, c.column_name FROM information_schema.columns c
		JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
		  AND c.table_name NOT IN ('goose_db_version', 'trainpay_meta')`)
	if err != nil {
		t.Fatal(err)
	}
	for prows.Next() {
		var table, col string
		if err := prows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		pgCols[table] = append(pgCols[table], col)
	}
	if err := prows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(liteCols) < 15 {
		t.Fatalf("SQLite has only %d tables: the query is wrong", len(liteCols))
	}
	for _, table := range union(keys(liteCols), keys(pgCols)) {
		l, lok := liteCols[table]
		p, pok := pgCols[table]
		switch {
		case !pok:
			t.Errorf("table %s is in SQLite only", table)
		case !lok:
			t.Errorf("table %s is in PostgreSQL only", table)
		default:
			sort.Strings(l)
			sort.Strings(p)
			if !slices.Equal(l, p) {
				t.Errorf("table %s: SQLite columns %v, PostgreSQL %v", table, l, p)
			}
		}
	}
}

// shadowTable reports whether name is one of the tables SQLite's FTS
// modules keep for one of the virtual tables (named V_data, V_idx,
// V_docsize, V_config, V_content, V_segments, V_segdir, V_stat).
func shadowTable(name string, virtual []string) bool {
	for _, v := range virtual {
		rest, ok := strings.CutPrefix(name, v+"_")
		if ok && slices.Contains([]string{"data", "idx", "docsize", "config", "content", "segments", "segdir", "stat"}, rest) {
			return true
		}
	}
	return false
}

func keys(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func union(a, b []string) []string {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}
