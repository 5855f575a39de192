package storage

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"io/fs"
	"net/url"
	"os"

	"github.com/trainpay/trainpay/app"
)

// sqliteMagic starts every SQLite 3 database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// precheck decides, without writing anything, whether Open may open path
// read-write: a missing or empty file is new; anything else must be a
// TrainPay database (or an SQLite database with nothing in it) whose schema
// is not newer than this build's.
func precheck(ctx context.Context, path string) error {
	header, err := readHeader(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return app.Internal(err, "read the database file").With(map[string]any{"Path": path})
	}
	if len(header) == 0 {
		return nil // SQLite treats an empty file as an empty database
	}
	if len(header) < len(sqliteMagic) || !bytes.Equal(header[:len(sqliteMagic)], sqliteMagic) {
		return notTrainPay(path)
	}

	info, err := inspect(ctx, path, header)
	if err != nil {
		return openError(path, err, "read the database file")
	}
	switch {
	case info.appID == ApplicationID:
		if info.version > SchemaVersion() {
			return tooNew(path, info.version)
		}
		return nil
	case info.appID == 0 && info.objects == 0 && info.version == 0:
		// An empty SQLite database (possibly with goose's table alone, left
		// by a first start that stopped before the first migration
		// committed): adopt it.
		return nil
	default:
		// Another application's stamp, or tables that are not ours. A
		// foreign application_id is refused even on an empty schema: the
		// file was claimed by someone else, and adopting it would
		// overwrite their stamp.
		return notTrainPay(path)
	}
}

// readHeader reads up to the 100-byte SQLite header with a plain read-only
// open, which changes nothing (not even the access time matters: SQLite
// never looks at it).
func readHeader(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, 100)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf[:n], nil
}

type fileInfo struct {
	appID   int64
	objects int   // schema objects other than SQLite's and goose's own
	version int64 // highest goose version, 0 without goose's table
}

// inspect reads the application_id, the schema and goose's version through
// a read-only connection.
//
// Which read-only connection matters, because of WAL:
//
//   - A WAL database (header bytes 18 and 19 are 2) whose -wal file is
//     missing was closed cleanly, so the main file holds every committed
//     transaction. A plain mode=ro open would still create an empty -wal
//     and a -shm next to it and leave them there, so it is opened with
//     immutable=1 instead: SQLite then reads the main file and nothing else,
//     takes no locks and creates no files.
//   - Otherwise, mode=ro. When a -wal exists (another process has the file
//     open, or one crashed), committed transactions may live only in it,
//     and immutable=1 would read a stale header and schema; mode=ro reads
//     them through the WAL index like any reader. A read-only connection
//     never writes the main file: it cannot checkpoint, and on a rollback
//     journal database it creates nothing at all.
//
// query_only is set on top of both as a belt to those braces.
func inspect(ctx context.Context, path string, header []byte) (fileInfo, error) {
	params := url.Values{"mode": {"ro"}, "_query_only": {"1"}, "_busy_timeout": {busyTimeoutMS}}
	walHeader := len(header) >= 20 && header[18] == 2 && header[19] == 2
	if _, err := os.Lstat(path + "-wal"); walHeader && errors.Is(err, fs.ErrNotExist) {
		params.Set("immutable", "1")
	}
	conn, err := sql.Open("sqlite3", fileURI(path, params))
	if err != nil {
		return fileInfo{}, err
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)

	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fileInfo{}, err
	}
	defer tx.Rollback()

	var info fileInfo
	if err := tx.QueryRowContext(ctx, `PRAGMA application_id`).Scan(&info.appID); err != nil {
		return fileInfo{}, err
	}
	// application_id is a signed 32-bit integer in SQLite; compare as bits.
	info.appID = int64(uint32(info.appID))
	if err := tx.QueryRowContext(ctx, `
		SELECT count(*) FROM sqlite_schema
		WHERE name NOT LIKE 'sqlite\_%' ESCAPE '\' AND tbl_name <> ?`, versionTable).Scan(&info.objects); err != nil {
		return fileInfo{}, err
	}
	var hasGoose bool
	if err := tx.QueryRowContext(ctx, `
		SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = ?`, versionTable).Scan(&hasGoose); err != nil {
		return fileInfo{}, err
	}
	if hasGoose {
		// goose's own idea of the version: the highest version_id recorded.
		if err := tx.QueryRowContext(ctx,
			`SELECT coalesce(max(version_id), 0) FROM `+versionTable).Scan(&info.version); err != nil {
			return fileInfo{}, err
		}
	}
	return info, nil
}

func notTrainPay(path string) error {
	return app.Errorf(app.EINVALID, "error.db.not_trainpay", "%s is not a TrainPay database", path).
		With(map[string]any{"Path": path})
}
