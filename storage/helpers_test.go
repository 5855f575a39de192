package storage_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/storetest"
)

// openTemp opens a new database in a fresh temporary folder.
func openTemp(t *testing.T) (*storage.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "trainpay.db")
	db, err := storage.Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

// fileState is everything about a file that "not a byte changed" covers.
type fileState struct {
	size     int64
	sha      [32]byte
	mtime    time.Time
	sidecars []string
}

func stateOf(t *testing.T, path string) fileState {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	s := fileState{size: fi.Size(), sha: sha256.Sum256(b), mtime: fi.ModTime()}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Lstat(path + suffix); err == nil {
			s.sidecars = append(s.sidecars, suffix)
		}
	}
	return s
}

func assertUnchanged(t *testing.T, path string, before fileState) {
	t.Helper()
	after := stateOf(t, path)
	if after.size != before.size || after.sha != before.sha {
		t.Errorf("%s changed: size %d -> %d, sha256 %x -> %x", path, before.size, after.size, before.sha, after.sha)
	}
	if !after.mtime.Equal(before.mtime) {
		t.Errorf("%s mtime changed: %v -> %v", path, before.mtime, after.mtime)
	}
	if len(after.sidecars) != len(before.sidecars) {
		t.Errorf("%s sidecar files: before %v, after %v", path, before.sidecars, after.sidecars)
	}
}

// wantError checks err's code and key, as the contract suites do.
var wantError = storetest.WantError

// rawOpen opens path with the plain driver, outside storage, to forge files.
func rawOpen(t *testing.T, path, params string) *sql.DB {
	t.Helper()
	db, err := sql.Open(storage.DriverName, "file:"+path+"?"+params)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	return db
}

func mustExec(t *testing.T, db *sql.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// sameMtimeDelay makes sure an mtime comparison would notice a write: file
// systems with coarse timestamps could otherwise hide one.
func sameMtimeDelay() { time.Sleep(20 * time.Millisecond) }

// openPath opens an existing database and closes it when the test ends.
func openPath(t *testing.T, path string) (*storage.DB, error) {
	t.Helper()
	db, err := storage.Open(path)
	if err == nil {
		t.Cleanup(func() { db.Close() })
	}
	return db, err
}

// migrationsOn is goose over raw with the SQLite migrations.
func migrationsOn(t *testing.T, raw *sql.DB) *goose.Provider {
	t.Helper()
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, os.DirFS("migrations"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// rawAtVersion makes a database at path migrated up to version and opens
// it with the plain driver and params, for a test to fill as an older build
// would have.
func rawAtVersion(t *testing.T, path, params string, version int64) *sql.DB {
	t.Helper()
	raw := rawOpen(t, path, params)
	if _, err := migrationsOn(t, raw).UpTo(context.Background(), version); err != nil {
		t.Fatal(err)
	}
	return raw
}

// queryPlan is SQLite's plan for query, its steps joined by "; ".
func queryPlan(t *testing.T, db *storage.DB, query string) string {
	t.Helper()
	rows, err := db.Read().Query(`EXPLAIN QUERY PLAN ` + query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "; ")
}
