package storage

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
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
		return openError(db.path, upErr, "migrate the database")
	}
}

func tooNew(path string, version int64) error {
	return app.Errorf(app.ECONFLICT, "error.db.too_new",
		"%s was written by a newer TrainPay (schema %d, this version supports up to %d)", path, version, SchemaVersion()).
		With(map[string]any{"Path": path, "Version": version, "Supported": SchemaVersion()})
}
