package transfer

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pressly/goose/v3"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
)

// source is the SQLite file being moved, open read-only on one snapshot:
// every count, row and sum comes from the same read transaction.
type source struct {
	path    string
	db      *sql.DB
	tx      *sql.Tx
	version int64
}

// openSource opens path read-only and refuses a file that is not a
// TrainPay database.
//
// It opens the file as storage's read-only check does, so that nothing is
// ever written beside or into it: a WAL file closed cleanly (no -wal beside
// it) is opened immutable=1, which reads the main file only and creates no
// -wal or -shm; otherwise mode=ro, which reads committed transactions still
// in a -wal through its index and never checkpoints. query_only refuses any
// write on top of that. (storage.Open would migrate the file, which must
// stay untouched, so it is not used.)
func openSource(ctx context.Context, path string) (*source, error) {
	header := make([]byte, 100)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, app.Errorf(app.ENOTFOUND, "error.migrate.no_source", "%s does not exist", path).
			With(map[string]any{"Path": path})
	}
	if err != nil {
		return nil, app.Internal(err, "open the site's database file").With(map[string]any{"Path": path})
	}
	n, err := io.ReadFull(f, header)
	f.Close()
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, app.Internal(err, "read the site's database file").With(map[string]any{"Path": path})
	}
	header = header[:n]
	if !bytes.HasPrefix(header, []byte("SQLite format 3\x00")) {
		return nil, sourceNotTrainPay(path)
	}
	params := url.Values{"mode": {"ro"}, "_query_only": {"1"}, "_busy_timeout": {"5000"}}
	walHeader := len(header) >= 20 && header[18] == 2 && header[19] == 2
	if _, err := os.Lstat(path + "-wal"); walHeader && errors.Is(err, fs.ErrNotExist) {
		params.Set("immutable", "1")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, app.Internal(err, "resolve the site's database path")
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive: file:///C:/...
	}
	uri := (&url.URL{Scheme: "file", Path: p, RawQuery: params.Encode()}).String()
	db, err := sql.Open(storage.DriverName, uri)
	if err != nil {
		return nil, app.Internal(err, "open the site's database file")
	}
	db.SetMaxOpenConns(1)
	s := &source{path: path, db: db}
	if err := s.begin(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *source) begin(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return app.Internal(err, "read the site's database file").With(map[string]any{"Path": s.path})
	}
	s.tx = tx
	var appID int64
	if err := tx.QueryRowContext(ctx, `PRAGMA application_id`).Scan(&appID); err != nil {
		return sourceNotTrainPay(s.path)
	}
	if uint32(appID) != storage.ApplicationID {
		return sourceNotTrainPay(s.path)
	}
	var hasGoose bool
	if err := tx.QueryRowContext(ctx, `SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = ?`,
		goose.DefaultTablename).Scan(&hasGoose); err != nil {
		return app.Internal(err, "read the site's database file")
	}
	if !hasGoose {
		return sourceNotTrainPay(s.path)
	}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version_id), 0) FROM `+goose.DefaultTablename).
		Scan(&s.version); err != nil {
		return app.Internal(err, "read the site's database version")
	}
	return nil
}

func (s *source) close() {
	if s.tx != nil {
		s.tx.Rollback()
	}
	s.db.Close()
}

// tables are the source's ordinary tables with their columns, leaving out
// SQLite's own, goose's, and the full-text search tables (virtual tables
// and their shadow tables), which PostgreSQL does not keep: its search
// reads the tables themselves.
func (s *source) tables(ctx context.Context) (map[string][]string, error) {
	rows, err := s.tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_schema WHERE type = 'table'`)
	if err != nil {
		return nil, app.Internal(err, "read the site's tables")
	}
	type table struct{ name, sql string }
	var all []table
	for rows.Next() {
		var t table
		var def sql.NullString
		if err := rows.Scan(&t.name, &def); err != nil {
			rows.Close()
			return nil, app.Internal(err, "read the site's tables")
		}
		t.sql = def.String
		all = append(all, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, app.Internal(err, "read the site's tables")
	}
	var virtual []string
	for _, t := range all {
		if strings.HasPrefix(strings.ToUpper(t.sql), "CREATE VIRTUAL TABLE") {
			virtual = append(virtual, t.name)
		}
	}
	out := map[string][]string{}
	for _, t := range all {
		if strings.HasPrefix(t.name, "sqlite_") || t.name == goose.DefaultTablename || slices.Contains(notCopied, t.name) ||
			strings.HasPrefix(strings.ToUpper(t.sql), "CREATE VIRTUAL TABLE") || shadowOf(t.name, virtual) {
			continue
		}
		cols, err := s.columns(ctx, t.name)
		if err != nil {
			return nil, err
		}
		out[t.name] = cols
	}
	return out, nil
}

// shadowOf reports whether name is a shadow table of one of the virtual
// tables (FTS5 keeps name_data, name_idx, name_content, ...).
func shadowOf(name string, virtual []string) bool {
	for _, v := range virtual {
		if strings.HasPrefix(name, v+"_") {
			return true
		}
	}
	return false
}

func (s *source) columns(ctx context.Context, table string) ([]string, error) {
	rows, err := s.tx.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return nil, app.Internal(err, "read the site's columns")
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, app.Internal(err, "read the site's columns")
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, app.Internal(err, "read the site's columns")
	}
	return cols, nil
}

func sourceNotTrainPay(path string) error {
	return app.Errorf(app.EINVALID, "error.migrate.source_not_trainpay", "%s is not a TrainPay database", path).
		With(map[string]any{"Path": path})
}
