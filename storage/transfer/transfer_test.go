package transfer_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/demodata"
	"github.com/trainpay/trainpay/internal/pgtest"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/postgres"
	"github.com/trainpay/trainpay/storage/storetest"
	"github.com/trainpay/trainpay/storage/transfer"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// demoSizes are small enough for a test and fill every table the
// generator writes: sessions of every type, registrations paid and
// refunded, codes and their uses, departments and their ledgers.
var demoSizes = demodata.Options{Sessions: 300, Registrations: 3000, Codes: 300, Departments: 5, Seed: 7}

// demoFile is a private copy of a (cached) demo database.
func demoFile(t *testing.T) string {
	t.Helper()
	cached, err := demodata.Cached(context.Background(), demoSizes)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "site.db")
	if err := demodata.CopyTo(cached, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// wantError checks err's code and key, as the contract suites do.
var wantError = storetest.WantError

func openLite(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open(storage.DriverName, "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// siteRows counts the rows of every site table of the organisation
// database (none before any is created).
func siteRows(t *testing.T, url string) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	conn := connect(t, url)
	rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
		  AND table_name NOT IN ('goose_db_version', 'trainpay_meta', 'change_counter')`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, table := range tables {
		var n int64
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{table}.Sanitize()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

// wantNoSiteData fails unless the organisation database holds no row of
// a site: only what its migrations write (budget_settings' default row).
func wantNoSiteData(t *testing.T, url string) {
	t.Helper()
	for table, n := range siteRows(t, url) {
		if want := int64(map[string]int{"budget_settings": 1}[table]); n != want {
			t.Errorf("table %s holds %d rows after a refused or failed copy, want %d", table, n, want)
		}
	}
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestCopyMovesEveryRowAndEveryMoneySumIntoAnEmptyOrganisationDatabase(t *testing.T) {
	ctx := context.Background()
	path := demoFile(t)
	url := pgtest.DB(t)
	var progress bytes.Buffer
	rep, err := transfer.Copy(ctx, path, url, transfer.Options{Progress: &progress})
	if err != nil {
		t.Fatalf("Copy: %v", err)
	}
	if rep.Version != storage.SchemaVersion() {
		t.Errorf("report's version %d, want %d", rep.Version, storage.SchemaVersion())
	}

	lite := openLite(t, path)
	got := siteRows(t, url)
	if len(rep.Tables) != len(got) {
		t.Errorf("the report names %d tables, the organisation database has %d", len(rep.Tables), len(got))
	}
	moneyColumns := 0
	for _, tr := range rep.Tables {
		var n int64
		if err := lite.QueryRow(`SELECT count(*) FROM "` + tr.Table + `"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if tr.SourceRows != n || tr.TargetRows != n || got[tr.Table] != n || !tr.Same() {
			t.Errorf("%s: file %d rows, report %d → %d, organisation database %d", tr.Table, n, tr.SourceRows, tr.TargetRows, got[tr.Table])
		}
		moneyColumns += len(tr.Money)
		if !strings.Contains(progress.String(), tr.Table) {
			t.Errorf("no progress reported for %s", tr.Table)
		}
	}
	for _, table := range []string{"session", "registration", "payment", "promo_code", "promo_redemption", "department", "department_ledger", "site"} {
		if got[table] == 0 {
			t.Errorf("the demo file's %s rows were not copied", table)
		}
	}
	if moneyColumns < 10 {
		t.Errorf("only %d money columns verified", moneyColumns)
	}
	var printed strings.Builder
	rep.Print(&printed)
	if !strings.Contains(printed.String(), "registration") || !strings.Contains(printed.String(), "total_minor") ||
		strings.Contains(printed.String(), "DIFFERS") {
		t.Errorf("printed verification:\n%s", printed.String())
	}

	// Every row arrives with its values, each converted by its column's
	// PostgreSQL type.
	conn := connect(t, url)
	for _, table := range []string{"session", "registration", "payment", "promo_redemption", "feature", "department_ledger"} {
		compareTable(t, lite, conn, table)
	}

	// The identity sequences go on after the highest id copied.
	var maxID, next int64
	if err := conn.QueryRow(ctx, `SELECT max(id) FROM payment`).Scan(&maxID); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('payment', 'id'))`).Scan(&next); err != nil {
		t.Fatal(err)
	}
	if next != maxID+1 {
		t.Errorf("the payment id sequence gives %d after the copy, want %d", next, maxID+1)
	}

	// The money rules are on again: a refund above what is left of its
	// sale is refused by the journal's trigger.
	_, err = conn.Exec(ctx, `INSERT INTO payment (key, invoice_id, kind, purpose, reference, parent_id, method, processor,
		mode, amount_minor, currency, state, created_at, updated_at)
		SELECT 'over-refund', 'over-refund', 'refund', s.purpose, s.reference, s.id, s.method, s.processor, s.mode,
		       s.amount_minor + 1, s.currency, 'approved', now(), now()
		FROM payment s WHERE s.kind = 'sale' AND s.state = 'approved' LIMIT 1`)
	if pe := (*pgconn.PgError)(nil); !errors.As(err, &pe) || pe.Code != postgres.StateRefundExceeds {
		t.Errorf("a refund above its sale after the copy: %v, want SQLSTATE %s", err, postgres.StateRefundExceeds)
	}

	// The organisation database works as one: the app's store reads it.
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	page, _, err := db.Payments(ctx, app.PaymentFilter{Limit: 5})
	if err != nil || len(page) != 5 {
		t.Fatalf("Payments after the copy: %d, %v", len(page), err)
	}
}

// compareTable compares every row of table on both sides, values
// normalised: times as UTC instants, truth values as 0/1, SQLite's empty text
// for no time as NULL.
func compareTable(t *testing.T, lite *sql.DB, conn *pgx.Conn, table string) {
	t.Helper()
	ctx := context.Background()
	rows, err := conn.Query(ctx, `SELECT * FROM `+pgx.Identifier{table}.Sanitize()+` ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	var isTime []bool
	for _, f := range rows.FieldDescriptions() {
		cols = append(cols, f.Name)
		isTime = append(isTime, f.DataTypeOID == pgtype.TimestamptzOID)
	}
	var pgRows []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		pgRows = append(pgRows, normalise(vals, isTime))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = `"` + c + `"`
	}
	lrows, err := lite.Query(`SELECT ` + strings.Join(quoted, ", ") + ` FROM "` + table + `" ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	defer lrows.Close()
	var liteRows []string
	for lrows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := lrows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		liteRows = append(liteRows, normalise(vals, isTime))
	}
	if len(liteRows) == 0 {
		t.Errorf("%s: the file has no rows to compare", table)
	}
	sort.Strings(pgRows)
	sort.Strings(liteRows)
	if !slices.Equal(pgRows, liteRows) {
		for i := range min(len(pgRows), len(liteRows)) {
			if pgRows[i] != liteRows[i] {
				t.Errorf("%s (%s):\n file %s\n org  %s", table, strings.Join(cols, ","), liteRows[i], pgRows[i])
				break
			}
		}
		t.Errorf("%s: %d rows in the file, %d in the organisation database, contents differ", table, len(liteRows), len(pgRows))
	}
}

func normalise(vals []any, isTime []bool) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		if s, ok := v.(string); ok && s == "" && isTime[i] {
			v = nil
		}
		switch v := v.(type) {
		case nil:
			parts[i] = "NULL"
		case time.Time:
			parts[i] = v.UTC().Format(time.RFC3339Nano)
		case bool:
			parts[i] = map[bool]string{false: "0", true: "1"}[v]
		case []byte:
			parts[i] = string(v)
		case string:
			if t, err := time.Parse(time.RFC3339Nano, v); err == nil && strings.Contains(v, "T") {
				parts[i] = t.UTC().Format(time.RFC3339Nano)
			} else if v == "" {
				parts[i] = "''"
			} else {
				parts[i] = v
			}
		default:
			parts[i] = fmt.Sprint(v)
		}
	}
	return strings.Join(parts, "|")
}

func TestCopyLeavesTheFileUntouched(t *testing.T) {
	path := demoFile(t)
	before := fileSum(t, path)
	names := dirNames(t, filepath.Dir(path))
	if _, err := transfer.Copy(context.Background(), path, pgtest.DB(t), transfer.Options{}); err != nil {
		t.Fatalf("Copy: %v", err)
	}
	if fileSum(t, path) != before {
		t.Error("the file's contents changed")
	}
	if after := dirNames(t, filepath.Dir(path)); !slices.Equal(after, names) {
		t.Errorf("files beside the database: %v before, %v after", names, after)
	}
}

func TestCopyRefusesAnOrganisationDatabaseThatHoldsData(t *testing.T) {
	ctx := context.Background()
	path := demoFile(t)

	// A site copied once is not copied twice.
	url := pgtest.DB(t)
	if _, err := transfer.Copy(ctx, path, url, transfer.Options{}); err != nil {
		t.Fatalf("first Copy: %v", err)
	}
	counts := siteRows(t, url)
	_, err := transfer.Copy(ctx, path, url, transfer.Options{})
	wantError(t, err, app.ECONFLICT, "error.migrate.target_not_empty")
	if after := siteRows(t, url); !maps(after, counts) {
		t.Errorf("rows before the refused copy %v, after %v", counts, after)
	}

	// One row anywhere is data: an audit entry, or budget settings that
	// are not the migrations' defaults.
	for _, write := range []string{
		`INSERT INTO audit_log (at, actor, action) VALUES (now(), 'admin', 'test')`,
		`UPDATE budget_settings SET policy = 'block'`,
	} {
		url := pgtest.DB(t)
		db, err := postgres.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Pool().Exec(ctx, write); err != nil {
			t.Fatal(err)
		}
		db.Close()
		_, err = transfer.Copy(ctx, path, url, transfer.Options{})
		wantError(t, err, app.ECONFLICT, "error.migrate.target_not_empty")
		if n := siteRows(t, url)["session"]; n != 0 {
			t.Errorf("after %q: %d sessions copied into a refused database", write, n)
		}
	}
}

func maps(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestCopyRefusesAFileThatIsNotTrainPays(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	text := filepath.Join(dir, "notes.db")
	if err := os.WriteFile(text, []byte("not a database at all, just some words"), 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.db")
	odb, err := sql.Open(storage.DriverName, other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := odb.Exec(`CREATE TABLE recipe (name TEXT); INSERT INTO recipe VALUES ('soup')`); err != nil {
		t.Fatal(err)
	}
	odb.Close()

	for _, path := range []string{text, other} {
		url := pgtest.DB(t)
		before := fileSum(t, path)
		_, err := transfer.Copy(ctx, path, url, transfer.Options{})
		wantError(t, err, app.EINVALID, "error.migrate.source_not_trainpay")
		if fileSum(t, path) != before {
			t.Errorf("%s changed", filepath.Base(path))
		}
		if tables := siteRows(t, url); len(tables) != 0 {
			t.Errorf("%s: the refused copy created tables %v", filepath.Base(path), tables)
		}
	}

	_, err = transfer.Copy(ctx, filepath.Join(dir, "missing.db"), pgtest.DB(t), transfer.Options{})
	wantError(t, err, app.ENOTFOUND, "error.migrate.no_source")
}

func TestCopyRefusesAFileOfAnotherSchemaVersion(t *testing.T) {
	ctx := context.Background()
	path := demoFile(t)
	// The file says it is one migration behind: goose's record of the
	// newest is gone.
	rw, err := sql.Open(storage.DriverName, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rw.Exec(`DELETE FROM goose_db_version WHERE version_id = (SELECT max(version_id) FROM goose_db_version)`); err != nil {
		t.Fatal(err)
	}
	rw.Close()
	url := pgtest.DB(t)
	_, err = transfer.Copy(ctx, path, url, transfer.Options{})
	wantError(t, err, app.ECONFLICT, "error.migrate.version")
	if tables := siteRows(t, url); len(tables) != 0 {
		t.Errorf("the refused copy created tables %v", tables)
	}
}

func TestCopyRefusesAValueItCannotConvertAndLeavesNothingHalfCopied(t *testing.T) {
	ctx := context.Background()
	path := demoFile(t)
	rw, err := sql.Open(storage.DriverName, path)
	if err != nil {
		t.Fatal(err)
	}
	// The last table copied: every table before it has been copied when
	// the bad value is met.
	if _, err := rw.Exec(`UPDATE registration SET paid_at = 'yesterday' WHERE id = (SELECT max(id) FROM registration)`); err != nil {
		t.Fatal(err)
	}
	rw.Close()
	url := pgtest.DB(t)
	_, err = transfer.Copy(ctx, path, url, transfer.Options{})
	wantError(t, err, app.EINVALID, "error.migrate.value")
	if !strings.Contains(err.Error(), "registration.paid_at") {
		t.Errorf("the error does not name the column: %v", err)
	}
	wantNoSiteData(t, url)
}

func TestCopyCancelledRollsBackAndCanRunAgain(t *testing.T) {
	path := demoFile(t)
	url := pgtest.DB(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancelled as the registrations are being copied, after the
	// sessions and payments.
	w := &cancelOn{word: "registration", cancel: cancel}
	_, err := transfer.Copy(ctx, path, url, transfer.Options{Progress: w})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Copy: %v, want context.Canceled", err)
	}
	if !w.seen {
		t.Fatal("the copy never reached the registrations")
	}
	wantNoSiteData(t, url)
	if _, err := transfer.Copy(context.Background(), path, url, transfer.Options{}); err != nil {
		t.Fatalf("Copy after the cancelled one: %v", err)
	}
}

type cancelOn struct {
	word   string
	cancel func()
	seen   bool
}

func (c *cancelOn) Write(p []byte) (int, error) {
	if strings.HasPrefix(string(p), c.word+" ") {
		c.seen = true
		c.cancel()
	}
	return len(p), nil
}

// A row as a migration writes it (every column but the key at its
// default, as budget_settings' row) is not data: the copy replaces it with
// the file's.
func TestCopyTakesRowsAtTheirDefaultsForNoData(t *testing.T) {
	ctx := context.Background()
	url := pgtest.DB(t)
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool().Exec(ctx, `INSERT INTO payment_settings (id) VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	path := demoFile(t)
	if _, err := transfer.Copy(ctx, path, url, transfer.Options{}); err != nil {
		t.Fatalf("Copy: %v", err)
	}
	conn := connect(t, url)
	compareTable(t, openLite(t, path), conn, "payment_settings")
	compareTable(t, openLite(t, path), conn, "budget_settings")
}

// The indexes set aside for the copy are all built again, as they were.
func TestCopyLeavesEveryIndexAsTheMigrationsMadeIt(t *testing.T) {
	ctx := context.Background()
	url := pgtest.DB(t)
	indexes := func() []string {
		conn := connect(t, url)
		rows, err := conn.Query(ctx, `SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname`)
		if err != nil {
			t.Fatal(err)
		}
		defs, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return defs
	}
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	before := indexes()
	if _, err := transfer.Copy(ctx, demoFile(t), url, transfer.Options{}); err != nil {
		t.Fatalf("Copy: %v", err)
	}
	after := indexes()
	if !slices.Equal(before, after) || len(before) < 20 {
		t.Errorf("indexes before the copy (%d):\n%s\nafter (%d):\n%s", len(before), strings.Join(before, "\n"),
			len(after), strings.Join(after, "\n"))
	}
}
