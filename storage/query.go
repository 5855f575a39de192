package storage

import (
	"context"
	"database/sql"
	"errors"

	"github.com/trainpay/trainpay/app"
)

// queryAll runs a query and scans every row with scan; what names the rows
// in the internal error ("read the payments").
func queryAll[T any](ctx context.Context, q queryer, scan func(rowScanner) (T, error), what, query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, app.Internal(err, what)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, app.Internal(err, what)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, app.Internal(err, what)
	}
	return out, nil
}

// queryOne runs a query for one row and scans it with scan: no row is
// missing() (a coded not-found error), any other failure an internal error
// naming what ("read a payment").
func queryOne[T any](ctx context.Context, q queryer, scan func(rowScanner) (T, error), missing func() error,
	what, query string, args ...any,
) (T, error) {
	v, err := scan(q.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		var zero T
		return zero, missing()
	}
	if err != nil {
		var zero T
		return zero, app.Internal(err, what)
	}
	return v, nil
}

// updateOne runs one statement that must change a row, in its own write
// transaction: a failure is an internal error naming what; no row changed
// is none(tx), which may read the row to say why.
func (db *DB) updateOne(ctx context.Context, none func(*sql.Tx) error, what, query string, args ...any) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return writeError(err, what)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return app.Internal(err, what)
	}
	if n == 0 {
		return none(tx)
	}
	return commit(tx)
}
