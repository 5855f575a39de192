// Package postgres keeps TrainPay's data in a PostgreSQL database that
// every desktop of an organisation shares: the organisation database. It
// implements the same app store interfaces as package storage (one SQLite
// file per desktop), and its schema is the PostgreSQL twin of storage's,
// migration for migration under the same version numbers (a parity test
// compares the two).
//
// The app opens it with --db postgres://… (cmd/trainpay). Which file holds what:
//
//   - db.go: opening, the precheck and migrations.
//   - payments.go: the payment journal (app.PaymentStore) and the purpose
//     effects of a settlement.
//   - sessions.go: sessions and their list (app.SessionStore), with the
//     topic search (pg_trgm, migration 00014).
//   - registrations.go: registrations, seats and holds
//     (app.RegistrationStore), with their search.
//   - export.go: the accounting export's cursor
//     (app.RegistrationExportStore).
//   - payperuse.go: what pay-per-use adds to a session
//     (app.PayPerUseStore), and its settlement's effect: the session
//     marked paid, the department's ledger charged.
//   - site.go: the site, its features, the administrator's credential,
//     the audit log, the payment and mail settings (app.SiteStore,
//     app.PaymentSettingsStore, app.SMTPSettingsStore).
//   - budget.go: departments, budget settings and the ledger
//     (app.BudgetStore), and the block policy's refusal (migration 00015).
//   - promo.go: promotional codes, their reservations, recipients and
//     reports (app.PromoCodeStore) and the sessions they price
//     (app.PromoSessions); a code's limits hold across desktops by its row
//     lock (the locks are listed there). The search is pg_trgm's, migration
//     00008.
//   - queue.go: the budget owner's "To pay" queue's payment requests
//     (app.PaymentRequestStore): one open request per session by a partial
//     unique index, an answer taking only an open row (migration 00021);
//     db_queue_me.go a stand-in for who is signed in.
//
// pgxpool rather than database/sql over pgx's stdlib driver: the stores run
// on pgx's own API (native timestamptz and bigint, *pgconn.PgError with the
// SQLSTATE and constraint name for mapping refusals to app errors,
// transaction options such as REPEATABLE READ READ ONLY for one-snapshot
// reads), and pgxpool is the pool pgx's authors maintain for it. goose
// needs a *sql.DB, so migrations run on stdlib.OpenDBFromPool over the same
// pool.
//
// Money rules are the database's, as in SQLite, whatever client writes the
// journal: PL/pgSQL triggers that take a lock before they look (an advisory
// lock on a sale's reference, the sale's row for a refund) and a unique
// partial index on open sales; migration 00011 says why each. Migrations take
// a PostgreSQL advisory lock (goose's session locker), so desktops starting
// together migrate one at a time.
//
// changes.go: the change feed (app.Changes), a LISTEN connection of its own
// hearing the statement triggers of migration 00016.
//
// people.go: people and roles (app.PeopleAdminStore): who is signed in, and
// the owner's SECURITY DEFINER functions that create, change and disable
// logins. What each role may do is the server's: migration 00020's group
// roles, grants and row-level security, listed there.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
)

//go:embed migrations/*.sql
var embedded embed.FS

// MetaTable marks a database as TrainPay's: one row holding
// storage.ApplicationID, written by the first migration (PostgreSQL has no
// file header to stamp, as SQLite's application_id does).
const MetaTable = "trainpay_meta"

// versionTable is goose's table of applied migrations.
const versionTable = goose.DefaultTablename

// MigrationsFS is the embedded PostgreSQL migrations.
func MigrationsFS() fs.FS {
	sub, err := fs.Sub(embedded, "migrations")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}

var supported = sync.OnceValues(func() (int64, error) {
	entries, err := fs.ReadDir(MigrationsFS(), ".")
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

// SchemaVersion is the newest schema this build knows on PostgreSQL.
func SchemaVersion() int64 {
	v, err := supported()
	if err != nil {
		panic(err) // a badly named migration file: a build mistake
	}
	return v
}

// DB is the organisation database. It is safe for concurrent use.
type DB struct {
	pool *pgxpool.Pool
	name string // database and server, for messages: never a password
}

// Open connects to the database at url (a PostgreSQL URL or key=value
// string) and migrates it to the newest schema.
//
// A database with tables that are not TrainPay's (no trainpay_meta mark)
// is refused with EINVALID "error.orgdb.not_trainpay", and one migrated by
// a newer TrainPay with ECONFLICT "error.orgdb.too_new". Both are decided
// in a read-only transaction before anything is written: a refused
// database is left as it was. A server that cannot be reached is
// EUNAVAILABLE "error.orgdb.unreachable".
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, app.Errorf(app.EINVALID, "error.orgdb.url", "the organisation database address is not valid: %v", err)
	}
	db := &DB{name: fmt.Sprintf("%s on %s", cfg.ConnConfig.Database, cfg.ConnConfig.Host)}
	if db.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, db.unreachable(err)
	}
	if err := db.pool.Ping(ctx); err != nil {
		db.pool.Close()
		return nil, db.unreachable(err)
	}
	if err := db.precheck(ctx); err != nil {
		db.pool.Close()
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		db.pool.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the pool.
func (db *DB) Close() { db.pool.Close() }

// Pool is the connection pool, for tests and tools.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

func (db *DB) unreachable(err error) error {
	return &app.Error{
		Code: app.EUNAVAILABLE, Key: "error.orgdb.unreachable",
		Message: "cannot reach the organisation database " + db.name, Data: map[string]any{"Database": db.name}, Err: err,
	}
}

// precheck decides, in a read-only transaction, whether the database may be
// migrated: empty (goose's table alone allowed), or TrainPay's and not
// newer than this build.
func (db *DB) precheck(ctx context.Context) error {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return db.unreachable(err)
	}
	defer tx.Rollback(ctx)
	// Relations of the schema TrainPay would write (tables, views,
	// materialised views, foreign tables), goose's own aside.
	var objects int
	if err := tx.QueryRow(ctx, `
		SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
		  AND c.relname <> $1`, versionTable).Scan(&objects); err != nil {
		return internalError(err, "read the organisation database's tables")
	}
	if objects == 0 {
		return nil
	}
	var marked bool
	if err := tx.QueryRow(ctx, `SELECT to_regclass(quote_ident(current_schema()) || '.' || $1) IS NOT NULL`,
		MetaTable).Scan(&marked); err != nil {
		return internalError(err, "read the organisation database's mark")
	}
	if marked {
		var id int64
		err := tx.QueryRow(ctx, `SELECT application_id FROM `+MetaTable+` WHERE id = 1`).Scan(&id)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return internalError(err, "read the organisation database's mark")
		}
		marked = id == storage.ApplicationID
	}
	if !marked {
		return app.Errorf(app.EINVALID, "error.orgdb.not_trainpay",
			"the organisation database %s holds tables that are not TrainPay's", db.name).
			With(map[string]any{"Database": db.name})
	}
	var version int64
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version_id), 0) FROM `+versionTable).Scan(&version); err != nil {
		return internalError(err, "read the organisation database's version")
	}
	if version > SchemaVersion() {
		return db.tooNew(version)
	}
	return nil
}

func (db *DB) tooNew(version int64) error {
	return app.Errorf(app.ECONFLICT, "error.orgdb.too_new",
		"the organisation database %s was set up by a newer TrainPay (schema %d, this version supports up to %d)",
		db.name, version, SchemaVersion()).
		With(map[string]any{"Database": db.name, "Version": version, "Supported": SchemaVersion()})
}

// migrate applies the pending migrations, each in its own transaction,
// holding goose's advisory lock.
func (db *DB) migrate(ctx context.Context) error {
	sqlDB := stdlib.OpenDBFromPool(db.pool)
	defer sqlDB.Close()
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return internalError(err, "prepare the organisation database's migration lock")
	}
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, MigrationsFS(),
		goose.WithDisableGlobalRegistry(true), // only our SQL files
		goose.WithSessionLocker(locker))
	if err != nil {
		return internalError(err, "load the organisation database's migrations")
	}
	if _, err := p.Up(ctx); err != nil {
		return internalError(err, "migrate the organisation database")
	}
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return internalError(err, "read the organisation database's version")
	}
	if current > SchemaVersion() {
		return db.tooNew(current) // a newer TrainPay migrated it between the check and now
	}
	return nil
}

// Version is the schema version goose recorded.
func (db *DB) Version(ctx context.Context) (int64, error) {
	var v int64
	if err := db.pool.QueryRow(ctx, `SELECT coalesce(max(version_id), 0) FROM `+versionTable).Scan(&v); err != nil {
		return 0, internalError(err, "read the organisation database's version")
	}
	return v, nil
}

// The organisation database keeps everything a site has, as the file does.
var _ app.Store = (*DB)(nil)
