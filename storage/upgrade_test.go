package storage

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/pressly/goose/v3"
)

// released lists, for each TrainPay release's schema version, the
// migrations that release shipped. A file written by it holds exactly
// those; goose refuses to apply a migration numbered below one already
// applied, so every migration added since must be numbered above them.
var released = map[int64][]int64{
	24: {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 20, 21, 24},
}

// releasedMigrations is the embedded migrations as the release at schema
// version v shipped them.
func releasedMigrations(t *testing.T, v int64) fs.FS {
	t.Helper()
	out := fstest.MapFS{}
	entries, err := fs.ReadDir(migrationsFS(), ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		n, err := goose.NumericComponent(e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(released[v], n) {
			if n < v {
				t.Errorf("migration %s is numbered below %d, a schema already released: files of that release cannot take it", e.Name(), v)
			}
			continue
		}
		b, err := fs.ReadFile(migrationsFS(), e.Name())
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = &fstest.MapFile{Data: b}
	}
	return out
}

func TestFileOfAnEarlierReleaseIsMigratedToThisSchema(t *testing.T) {
	for v := range released {
		path := filepath.Join(t.TempDir(), "earlier.trainpay")
		raw, err := sql.Open(DriverName, "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		raw.SetMaxOpenConns(1)
		p, err := goose.NewProvider(goose.DialectSQLite3, raw, releasedMigrations(t, v), goose.WithDisableGlobalRegistry(true))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Up(context.Background()); err != nil {
			t.Fatalf("schema %d: %v", v, err)
		}
		if err := raw.Close(); err != nil {
			t.Fatal(err)
		}
		db, err := Open(path)
		if err != nil {
			t.Fatalf("a file at schema %d does not open: %v", v, err)
		}
		var got int64
		err = db.write.QueryRow(`SELECT max(version_id) FROM ` + versionTable).Scan(&got)
		if cerr := db.Close(); cerr != nil {
			t.Error(cerr)
		}
		if err != nil || got != SchemaVersion() {
			t.Errorf("a file at schema %d: version %d, %v; want %d", v, got, err, SchemaVersion())
		}
	}
}
