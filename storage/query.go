package storage

import (
	"context"

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
