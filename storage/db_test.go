package storage_test

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
)

func TestOpenMigratesEmpty(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing", "folder")
	path := filepath.Join(dir, "trainpay.db")
	db, err := storage.Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if db.Path() != path {
		t.Errorf("Path() = %q, want %q", db.Path(), path)
	}
	if runtime.GOOS != "windows" {
		for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != want {
				t.Errorf("%s mode %o, want %o", p, got, want)
			}
		}
	}

	var tables []string
	rows, err := db.Read().Query(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	for _, want := range []string{"admin_credential", "audit_log", "feature", "goose_db_version", "site"} {
		if !strings.Contains(strings.Join(tables, " "), want) {
			t.Errorf("table %s missing; have %v", want, tables)
		}
	}

	// The write pool: WAL, synchronous=FULL (2) despite mattn's WAL default
	// of NORMAL, foreign keys on.
	for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1"} {
		var got string
		if err := db.Write().QueryRow("PRAGMA " + pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("write pool PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
	if n := db.Write().Stats().MaxOpenConnections; n != 1 {
		t.Errorf("write pool allows %d connections, want 1", n)
	}
	if n := db.Read().Stats().MaxOpenConnections; n < 2 {
		t.Errorf("read pool allows %d connections, want several", n)
	}
	// The read pool refuses writes.
	if _, err := db.Read().Exec(`INSERT INTO feature (name, provisioned, enabled) VALUES ('promo-codes', 1, 0)`); err == nil {
		t.Error("the read pool accepted a write")
	}

	var appID, version int64
	if err := db.Read().QueryRow(`PRAGMA application_id`).Scan(&appID); err != nil {
		t.Fatal(err)
	}
	if appID != storage.ApplicationID {
		t.Errorf("application_id = %#x, want %#x", appID, storage.ApplicationID)
	}
	if err := db.Read().QueryRow(`SELECT max(version_id) FROM goose_db_version`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != storage.SchemaVersion() || version < 1 {
		t.Errorf("schema version %d, want %d", version, storage.SchemaVersion())
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// Closed cleanly: the WAL is checkpointed into the main file and gone,
	// and the header itself carries 'TPAY' at offset 68 (the pragma ran in
	// goose's transaction and committed with it).
	st := stateOf(t, path)
	if len(st.sidecars) != 0 {
		t.Errorf("sidecar files left after Close: %v", st.sidecars)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b[68:72]); got != "TPAY" {
		t.Errorf("header application_id bytes %q, want TPAY", got)
	}
}

// The first migration relies on PRAGMA application_id being transactional.
func TestApplicationIDIsTransactional(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	raw := rawOpen(t, path, "_journal_mode=WAL")
	defer raw.Close()
	mustExec(t, raw, `CREATE TABLE t (x)`)
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`PRAGMA application_id = 42`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := raw.QueryRow(`PRAGMA application_id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if id != 0 {
		t.Errorf("application_id %d after rollback, want 0", id)
	}
}

// BEGIN IMMEDIATE: a write transaction holds the write lock from its start,
// before it has run a statement.
func TestWriteTransactionsAreImmediate(t *testing.T) {
	db, path := openTemp(t)
	tx, err := db.BeginWrite(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	other := rawOpen(t, path, "_busy_timeout=0")
	defer other.Close()
	if _, err := other.Exec(`BEGIN IMMEDIATE`); err == nil {
		other.Exec(`ROLLBACK`)
		t.Fatal("another connection took the write lock while a write transaction was open")
	}
	// Reads go on meanwhile.
	if _, err := db.Features(context.Background()); err != nil {
		t.Errorf("read during a write transaction: %v", err)
	}
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	db, path := openTemp(t)
	site := testSite()
	if err := db.CreateSite(ctx, site, app.AdminCredential{Hash: "h"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		db, err := storage.Open(path)
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		got, err := db.Site(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got != site {
			t.Errorf("site after reopen = %+v, want %+v", got, site)
		}
		var rows int
		if err := db.Read().QueryRow(`SELECT count(*) FROM goose_db_version`).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		// One row per migration file (numbers may have gaps) and goose's
		// version 0: reopening applies nothing twice.
		files, err := filepath.Glob(filepath.Join("migrations", "*.sql"))
		if err != nil || len(files) == 0 {
			t.Fatalf("migration files: %v (%v)", files, err)
		}
		if want := len(files) + 1; rows != want {
			t.Errorf("goose_db_version has %d rows, want %d", rows, want)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenAdoptsEmptySQLite(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]func(path string){
		"zero bytes": func(path string) {
			if err := os.WriteFile(path, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		},
		"sqlite without tables": func(path string) {
			raw := rawOpen(t, path, "")
			mustExec(t, raw, `PRAGMA user_version = 3`) // writes page 1: a non-empty file
			raw.Close()
		},
		"only goose's table at version 0": func(path string) {
			raw := rawOpen(t, path, "")
			mustExec(t, raw, `CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY AUTOINCREMENT,
				version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL, tstamp TIMESTAMP DEFAULT (datetime('now')))`)
			mustExec(t, raw, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, 1)`)
			raw.Close()
		},
	}
	for name, create := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".db")
			create(path)
			db, err := storage.Open(path)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer db.Close()
			if _, err := db.Features(context.Background()); err != nil {
				t.Fatal(err)
			}
			var id int64
			if err := db.Read().QueryRow(`PRAGMA application_id`).Scan(&id); err != nil || id != storage.ApplicationID {
				t.Errorf("application_id %#x, %v", id, err)
			}
		})
	}
}

// newerCopy makes a TrainPay database whose goose version is one past what
// this build supports, closed cleanly (no -wal left).
func newerCopy(t *testing.T) string {
	t.Helper()
	_, path := openTemp(t)
	db, err := storage.Open(path + ".orig")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	copyFile(t, path+".orig", path+".newer")
	raw := rawOpen(t, path+".newer", "")
	mustExec(t, raw, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)`, storage.SchemaVersion()+1)
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	return path + ".newer"
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := newerCopy(t)
	before := stateOf(t, path)
	if len(before.sidecars) != 0 {
		t.Fatalf("setup left %v", before.sidecars)
	}
	sameMtimeDelay()

	_, err := storage.Open(path)
	e := wantError(t, err, app.ECONFLICT, "error.db.too_new")
	if e.Data["Path"] != path || e.Data["Version"] != storage.SchemaVersion()+1 || e.Data["Supported"] != storage.SchemaVersion() {
		t.Errorf("error data %v", e.Data)
	}
	assertUnchanged(t, path, before)
}

// While another process holds the file open, the newer version is only in
// the -wal: the read-only check must see it there (immutable=1 would not),
// and still leave the main file alone.
func TestOpenRefusesNewerSchemaInWAL(t *testing.T) {
	_, path := openTemp(t)
	path += ".live"
	db, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	other := rawOpen(t, path, "_journal_mode=WAL")
	defer other.Close()
	mustExec(t, other, `PRAGMA wal_autocheckpoint = 0`)
	mustExec(t, other, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)`, storage.SchemaVersion()+1)
	before := stateOf(t, path)
	if strings.Join(before.sidecars, "") != "-wal-shm" {
		t.Fatalf("expected a live WAL, have %v", before.sidecars)
	}
	sameMtimeDelay()

	_, err = storage.Open(path)
	wantError(t, err, app.ECONFLICT, "error.db.too_new")
	assertUnchanged(t, path, before)
}

func TestOpenRefusesNonDatabase(t *testing.T) {
	random := make([]byte, 8192)
	rand.Read(random)
	cases := map[string][]byte{
		"random bytes":           random,
		"text file":              []byte("Dear diary,\ntoday I opened the wrong file.\n"),
		"shorter than the magic": []byte("SQLite"),
		"almost the magic":       []byte("SQLite format 3\x01 and then some more bytes"),
	}
	dir := t.TempDir()
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".db")
			if err := os.WriteFile(path, content, 0o644); err != nil {
				t.Fatal(err)
			}
			before := stateOf(t, path)
			sameMtimeDelay()
			_, err := storage.Open(path)
			e := wantError(t, err, app.EINVALID, "error.db.not_trainpay")
			if e.Data["Path"] != path {
				t.Errorf("error data %v", e.Data)
			}
			assertUnchanged(t, path, before)
			if len(stateOf(t, path).sidecars) != 0 {
				t.Error("sidecar files were created")
			}
		})
	}
}

func TestOpenRefusesForeignSQLite(t *testing.T) {
	cases := []struct {
		name, params string
		appID        int64
		table        bool
	}{
		{"other app_id with a table, WAL", "_journal_mode=WAL", 7, true},
		{"other app_id with a table, rollback journal", "_journal_mode=DELETE", 7, true},
		{"no app_id with a table", "_journal_mode=DELETE", 0, true},
		{"no app_id with a table, WAL", "_journal_mode=WAL", 0, true},
		{"other app_id without tables", "_journal_mode=WAL", 7, false},
	}
	dir := t.TempDir()
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("foreign%d.db", i))
			raw := rawOpen(t, path, c.params)
			mustExec(t, raw, `PRAGMA user_version = 1`)
			if c.appID != 0 {
				mustExec(t, raw, fmt.Sprintf(`PRAGMA application_id = %d`, c.appID))
			}
			if c.table {
				mustExec(t, raw, `CREATE TABLE notes (body TEXT)`)
				mustExec(t, raw, `INSERT INTO notes VALUES ('mine')`)
			}
			if err := raw.Close(); err != nil {
				t.Fatal(err)
			}
			before := stateOf(t, path)
			if len(before.sidecars) != 0 {
				t.Fatalf("setup left %v", before.sidecars)
			}
			sameMtimeDelay()
			_, err := storage.Open(path)
			wantError(t, err, app.EINVALID, "error.db.not_trainpay")
			assertUnchanged(t, path, before)
		})
	}
}

// Another application has the file open and its tables and stamp are still
// only in the -wal: the main file alone looks like an empty database. The
// check must read through the WAL and refuse, not adopt the file.
func TestOpenRefusesForeignSQLiteInWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "foreign.db")
	raw := rawOpen(t, path, "_journal_mode=WAL")
	mustExec(t, raw, `PRAGMA user_version = 1`)
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	other := rawOpen(t, path, "_journal_mode=WAL")
	defer other.Close()
	mustExec(t, other, `PRAGMA wal_autocheckpoint = 0`)
	mustExec(t, other, `PRAGMA application_id = 7`)
	mustExec(t, other, `CREATE TABLE notes (body TEXT)`)
	before := stateOf(t, path)
	if b, _ := os.ReadFile(path); binary.BigEndian.Uint32(b[68:]) != 0 {
		t.Fatal("setup: the stamp reached the main file")
	}
	sameMtimeDelay()

	_, err := storage.Open(path)
	wantError(t, err, app.EINVALID, "error.db.not_trainpay")
	assertUnchanged(t, path, before)
	var n int
	if err := other.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'site'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("TrainPay's tables were created in the foreign database (%d, %v)", n, err)
	}
}

// An SQLite header followed by garbage is refused, unchanged.
func TestOpenRefusesDamaged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "damaged.db")
	b := make([]byte, 4096)
	rand.Read(b)
	copy(b, "SQLite format 3\x00")
	binary.BigEndian.PutUint16(b[16:], 1000) // not a power of two: no valid page size
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	before := stateOf(t, path)
	sameMtimeDelay()
	_, err := storage.Open(path)
	if app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("Open: %v (code %q), want EINVALID", err, app.ErrorCode(err))
	}
	assertUnchanged(t, path, before)
}

func TestOpenPathNeedsEscaping(t *testing.T) {
	// The folder's name holds what means something in a file: URI: '?'
	// starts the query, '#' a fragment, '%' an escape, '&' and '=' separate
	// parameters. Windows allows no '?' in a name; its paths bring '\' and
	// the drive's ':' instead.
	name := "a b?c#d%20e&mode=memory"
	if runtime.GOOS == "windows" {
		name = "a b#d%20e&mode=memory"
	}
	dir := filepath.Join(t.TempDir(), name)
	path := filepath.Join(dir, "trainpay.db")
	db, err := storage.Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := db.CreateSite(context.Background(), testSite(), app.AdminCredential{Hash: "h"}, nil); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Fatalf("database not at %s: %v", path, err)
	}
	db, err = storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Site(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// The app and the command line may start together on a new file: whoever
// loses the race to apply a migration finds it applied.
func TestOpenConcurrentlyOnNewFile(t *testing.T) {
	for _, gooseFirst := range []bool{false, true} {
		t.Run(fmt.Sprintf("goose table exists %v", gooseFirst), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "trainpay.db")
			if gooseFirst {
				// A first start that stopped after goose made its table:
				// every opener then races straight for migration 1.
				raw := rawOpen(t, path, "_journal_mode=WAL")
				mustExec(t, raw, `CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY AUTOINCREMENT,
					version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL, tstamp TIMESTAMP DEFAULT (datetime('now')))`)
				mustExec(t, raw, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, 1)`)
				raw.Close()
			}
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for i := range errs {
				wg.Go(func() {
					db, err := storage.Open(path)
					if err == nil {
						_, err = db.Features(context.Background())
						db.Close()
					}
					errs[i] = err
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("Open %d: %v", i, err)
				}
			}
		})
	}
}

func TestDefaultPath(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	t.Setenv("AppData", filepath.Join(home, "AppData")) // Windows
	path, err := storage.DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := os.UserConfigDir()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(cfg, "TrainPay", "trainpay.db"); path != want {
		t.Errorf("DefaultPath() = %q, want %q", path, want)
	}
	if !strings.HasPrefix(path, home) {
		t.Fatalf("DefaultPath() = %q is outside the test's home %q", path, home)
	}
	db, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
}
