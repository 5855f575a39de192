package storage

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"github.com/pressly/goose/v3"

	"github.com/trainpay/trainpay/app"
)

//go:embed migrations/*.sql
var embedded embed.FS

// versionTable is goose's table of applied migrations.
const versionTable = goose.DefaultTablename

// ApplicationID is the SQLite application_id TrainPay's first migration
// stamps in the file header: 0x54504159, "TPAY".
const ApplicationID = 0x54504159

func migrationsFS() fs.FS {
	sub, err := fs.Sub(embedded, "migrations")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}

var supported = sync.OnceValues(func() (int64, error) {
	entries, err := fs.ReadDir(migrationsFS(), ".")
	if err != nil {
		return 0, err
	}
	var top int64
	for _, e := range entries {
		v, err := goose.NumericComponent(e.Name())
		if err != nil {
			return 0, fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		top = max(top, v)
	}
	return top, nil
})

// SchemaFingerprint names the embedded migrations' exact contents (12 hex
// digits of a SHA-256 over their names and text): two builds with the same
// SchemaVersion but different migrations, such as two lines of work that
// each added a migration, tell their files apart by it.
var SchemaFingerprint = sync.OnceValue(func() string {
	f, err := fingerprint(migrationsFS())
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return f
})

func fingerprint(fsys fs.FS) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, name)
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(b))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:12], err
}

// SchemaVersion is the newest schema this build knows: the highest embedded
// migration.
func SchemaVersion() int64 {
	v, err := supported()
	if err != nil {
		panic(err) // a badly named migration file: a build mistake
	}
	return v
}

func newProvider(db *sql.DB) (*goose.Provider, error) {
	return goose.NewProvider(goose.DialectSQLite3, db, migrationsFS(),
		goose.WithDisableGlobalRegistry(true), // only our SQL files, never init()-registered Go migrations
	)
}

// migrate applies the pending migrations, each in its own transaction, on
// the write pool's single connection.
func (db *DB) migrate(ctx context.Context) error {
	p, err := newProvider(db.write)
	if err != nil {
		return app.Internal(err, "load the database migrations")
	}
	for attempt := int64(0); ; attempt++ {
		_, upErr := p.Up(ctx)
		current, err := p.GetDBVersion(ctx)
		if err != nil {
			return openError(db.path, errors.Join(upErr, err), "read the database version")
		}
		if current > SchemaVersion() {
			// Only reachable when a newer TrainPay wrote the file between
			// the read-only check and now.
			return tooNew(db.path, current)
		}
		if upErr == nil {
			return nil
		}
		// Another process (the command line started together with the app)
		// may have applied the same migration first: ours then failed
		// ("table already exists") after waiting for its transaction. If
		// the migration that failed is now recorded, go on from there.
		var partial *goose.PartialError
		if errors.As(upErr, &partial) && partial.Failed != nil && partial.Failed.Source != nil &&
			current >= partial.Failed.Source.Version && attempt < SchemaVersion() {
			continue
		}
		if noFTS5(upErr) {
			return noFTS5Error(upErr)
		}
		return openError(db.path, upErr, "migrate the database")
	}
}

// noFTS5 is true for the error of a migration that creates a full-text
// table in a build whose SQLite has no FTS5 module: TrainPay built without
// mattn/go-sqlite3's sqlite_fts5 tag.
func noFTS5(err error) bool {
	return err != nil && strings.Contains(err.Error(), "no such module: fts5")
}

// noFTS5Error says that this build of TrainPay cannot search: it was built
// without FTS5, and must be rebuilt, never run on a scanning fallback.
func noFTS5Error(err error) error {
	return &app.Error{
		Code: app.EUNAVAILABLE, Key: "error.db.no_fts5", Err: err,
		Message: "this TrainPay was built without SQLite's full-text search (FTS5): build it with -tags sqlite_fts5 (make build does)",
	}
}

func tooNew(path string, version int64) error {
	return app.Errorf(app.ECONFLICT, "error.db.too_new",
		"%s was written by a newer TrainPay (schema %d, this version supports up to %d)", path, version, SchemaVersion()).
		With(map[string]any{"Path": path, "Version": version, "Supported": SchemaVersion()})
}
