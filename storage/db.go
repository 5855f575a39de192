// Package storage keeps TrainPay's data in one SQLite file.
//
// A DB holds two pools on that file: a write pool of exactly one connection,
// whose transactions all start with BEGIN IMMEDIATE, and a read pool of
// read-only connections. SQLite allows one writer at a time anyway; one
// connection makes writers queue in Go instead of failing with SQLITE_BUSY,
// and BEGIN IMMEDIATE takes the write lock up front, so a transaction that
// reads and then writes can never fail half-way on a lock upgrade. WAL lets
// the read pool read while a write is in progress.
//
// Methods follow one pattern: begin a transaction, defer its Rollback, call
// unexported helpers that take the *sql.Tx, then Commit. sql.ErrNoRows
// becomes an app ENOTFOUND error; any other database failure becomes an
// app.Internal error. What a person can act on is said as such
// (fileerrors.go): a database locked by another program past the wait
// (ECONFLICT "error.db.locked") and a full disk (EUNAVAILABLE
// "error.db.full") where Open, BEGIN, COMMIT, updateOne or a payment's
// write meets them (in WAL mode a full disk shows at COMMIT, where the log
// grows), and a read-only file or folder on opening (EUNAVAILABLE
// "error.db.read_only").
package storage

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/trainpay/trainpay/app"
)

// DB is TrainPay's database. It is safe for concurrent use.
type DB struct {
	path  string
	write *sql.DB // exactly one connection, BEGIN IMMEDIATE
	read  *sql.DB // read-only connections
}

// DefaultPath is where the app keeps its database:
// os.UserConfigDir()/TrainPay/trainpay.db.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", app.Internal(err, "no user configuration folder")
	}
	return filepath.Join(dir, "TrainPay", "trainpay.db"), nil
}

// Open opens the database at path, creating the file (mode 0600) and its
// folder (mode 0700) when missing, and migrates it to the newest schema.
//
// A file that is not TrainPay's (not SQLite, or SQLite stamped by another
// application or holding other tables) is refused with an EINVALID
// "error.db.not_trainpay" error, and a TrainPay database written by a newer
// TrainPay with an ECONFLICT "error.db.too_new" error. Both are decided from
// a read-only look at the file, before anything is written: a refused file
// is left exactly as it was.
func Open(path string) (*DB, error) {
	ctx := context.Background()
	if path == "" {
		return nil, app.Errorf(app.EINVALID, "error.db.path", "no database path given")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, app.Internal(err, "resolve the database path")
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, openError(abs, err, "create the database folder")
	}
	// A new database is created here, empty and private to the user, before
	// SQLite sees it: SQLite would create it with 0644, and gives its -wal
	// and -shm files the main file's mode. O_EXCL leaves an existing file
	// (or symlink) untouched; that one must pass the read-only check first.
	if f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		if err := f.Close(); err != nil {
			return nil, openError(abs, err, "create the database file")
		}
	} else if errors.Is(err, fs.ErrExist) {
		if err := precheck(ctx, abs); err != nil {
			return nil, err
		}
		// A file TrainPay may not write would open read-only (SQLite falls
		// back to reading) and fail at the first payment: refuse it now.
		if f, err := os.OpenFile(abs, os.O_RDWR, 0); err != nil {
			return nil, openError(abs, err, "open the database file")
		} else if err := f.Close(); err != nil {
			return nil, openError(abs, err, "open the database file")
		}
	} else {
		return nil, openError(abs, err, "create the database file")
	}

	db := &DB{path: abs}
	db.write, err = sql.Open(driverName, writeDSN(abs))
	if err != nil {
		return nil, app.Internal(err, "open the database").With(map[string]any{"Path": abs})
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetMaxIdleConns(1)
	db.write.SetConnMaxLifetime(0)
	db.write.SetConnMaxIdleTime(0)
	if err := ping(ctx, db.write); err != nil {
		db.write.Close()
		return nil, openError(abs, err, "open the database")
	}
	if err := db.migrate(ctx); err != nil {
		db.write.Close()
		return nil, err
	}

	db.read, err = sql.Open(driverName, readDSN(abs))
	if err != nil {
		db.write.Close()
		return nil, app.Internal(err, "open the database").With(map[string]any{"Path": abs})
	}
	n := max(4, runtime.NumCPU())
	db.read.SetMaxOpenConns(n)
	db.read.SetMaxIdleConns(n)
	if err := ping(ctx, db.read); err != nil {
		db.read.Close()
		db.write.Close()
		return nil, openError(abs, err, "open the database")
	}
	return db, nil
}

// Close closes both pools. The write pool closes last: as the last
// connection to the file it checkpoints the WAL into the main file and
// removes the -wal and -shm files.
func (db *DB) Close() error {
	var errs []error
	if db.read != nil {
		errs = append(errs, db.read.Close())
	}
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return app.Internal(err, "close the database")
	}
	return nil
}

// Path is the database file's absolute path.
func (db *DB) Path() string { return db.path }

// Write is the write pool: one connection, every transaction BEGIN
// IMMEDIATE. Hold at most one thing of it at a time (a transaction, a Rows):
// a second request waits for the first to end, so a query on Write while
// the same goroutine holds a write transaction deadlocks. Inside a
// transaction, use the *sql.Tx.
func (db *DB) Write() *sql.DB { return db.write }

// Read is the read pool: read-only connections that see the last committed
// state, concurrently with a write.
func (db *DB) Read() *sql.DB { return db.read }

// BeginWrite starts a write transaction (BEGIN IMMEDIATE: it holds SQLite's
// write lock from the start). Defer its Rollback and Commit it.
func (db *DB) BeginWrite(ctx context.Context) (*sql.Tx, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, writeError(err, "begin a write transaction")
	}
	return tx, nil
}

// BeginRead starts a read transaction: every query in it sees the same
// snapshot. Defer its Rollback.
func (db *DB) BeginRead(ctx context.Context) (*sql.Tx, error) {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, readError(ctx, err, "begin a read transaction")
	}
	return tx, nil
}

// busyTimeout is how long a connection waits for another process's lock
// (the trainpay command line while the app runs, say) before SQLITE_BUSY.
const busyTimeout = 5 * time.Second

// busyTimeoutMS is busyTimeout for a data source.
var busyTimeoutMS = strconv.FormatInt(busyTimeout.Milliseconds(), 10)

// ping opens pool's first connection, waiting for other processes that
// open the same file.
//
// mattn's driver runs its PRAGMAs as a connection opens (busy_timeout
// first). On a new file, the one that switches it to WAL must upgrade a
// read lock to the write lock, and when another connection holds a lock
// SQLite answers SQLITE_BUSY at once instead of waiting busy_timeout (its
// deadlock rule). Several processes opening a new file together meet
// exactly that, so a busy answer is tried again until busyTimeout has
// passed. (Hand-written: a few lines, where a backoff library would be a
// dependency for one loop.)
func ping(ctx context.Context, pool *sql.DB) error {
	deadline := time.Now().Add(busyTimeout)
	for delay := 2 * time.Millisecond; ; delay = min(2*delay, 100*time.Millisecond) {
		err := pool.PingContext(ctx)
		var se sqlite3.Error
		if err == nil || !errors.As(err, &se) || se.Code != sqlite3.ErrBusy || time.Now().Add(delay).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(delay):
		}
	}
}

// writeDSN is the write pool's data source.
//
// _synchronous=FULL: in WAL mode, NORMAL fsyncs only at checkpoints, so a
// commit survives the app crashing but the last commits can be lost when the
// computer loses power or the OS crashes, after the app told the person the
// payment was recorded. FULL fsyncs the WAL at every commit, so a commit
// that returned is on disk. That costs one fsync per write transaction,
// which a desktop app's write rate never notices. (mattn's _journal_mode=WAL
// sets NORMAL by itself; its _synchronous parameter is applied after and
// wins, which a test checks.)
// stmtCacheSize is how many prepared statements each connection keeps.
const stmtCacheSize = "64"

func writeDSN(path string) string {
	return fileURI(path, url.Values{
		"mode":          {"rw"}, // Open creates the file itself, with mode 0600
		"_fk":           {"1"},
		"_journal_mode": {"WAL"},
		"_synchronous":  {"FULL"},
		"_busy_timeout": {busyTimeoutMS},
		"_txlock":       {"immediate"},
		// Each connection keeps its recent prepared statements: preparing
		// was most of the cost of a short transaction (a code's
		// reservation runs seven statements).
		"_stmt_cache_size": {stmtCacheSize},
	})
}

// readDSN is the read pool's data source: read-only twice over (the file is
// opened read-only, and query_only refuses writes on top of that).
func readDSN(path string) string {
	return fileURI(path, url.Values{
		"mode":             {"ro"},
		"_query_only":      {"1"},
		"_busy_timeout":    {busyTimeoutMS},
		"_stmt_cache_size": {stmtCacheSize},
	})
}

// fileURI makes an SQLite URI filename. mattn's driver only passes the query
// parameters SQLite knows (mode, immutable) through when the name starts
// with "file:"; otherwise it cuts them off and mode=ro would silently open
// the file read-write. The path is escaped, so '?', '#' and '%' in a folder
// name are safe.
func fileURI(path string, params url.Values) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive: file:///C:/Users/...
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: params.Encode()}
	return u.String()
}

// The SQLite file keeps everything a site has.
var _ app.Store = (*DB)(nil)
