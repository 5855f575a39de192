package postgres

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/trainpay/trainpay/app"
)

var _ app.RegistrationExportStore = (*DB)(nil)

// exportTime is a timestamptz column as the export writes it: RFC 3339
// in UTC to the second ("2026-03-01T09:30:00Z"), empty when absent.
func exportTime(col string) string {
	return `coalesce(to_char(` + col + ` AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '')`
}

// exportSelect reads the export's columns in app.RegistrationCSVHeader's
// order: the registration and its payment's method, brand, last four
// digits, gateway reference and mode.
var exportSelect = `SELECT r.confirmation, r.session_id, r.first_name, r.last_name, r.email, r.company, r.country,
	r.status, r.currency, r.fee_minor, r.discount_minor, r.promo_code, r.total_minor, r.paid_minor, r.refunded_minor,
	coalesce(p.method, ''), coalesce(p.brand, ''), coalesce(p.last4, ''), coalesce(p.gateway_ref, ''), coalesce(p.mode, ''),
	` + exportTime(`r.created_at`) + `, ` + exportTime(`r.paid_at`) + `, ` + exportTime(`r.cancelled_at`) + `
	FROM registration r LEFT JOIN payment p ON p.id = r.payment_id`

// exportWhere is the filter's WHERE clause and its arguments: a session's
// registrations, or those registered, paid or cancelled in [From, To) (an
// absent time is NULL, so never in it).
func exportWhere(f app.RegistrationExportFilter) (string, []any) {
	if f.SessionID != 0 {
		return ` WHERE r.session_id = $1`, []any{f.SessionID}
	}
	var args []any
	var from, to string
	if !f.From.IsZero() {
		args = append(args, stamp(f.From))
		from = `$` + strconv.Itoa(len(args))
	}
	if !f.To.IsZero() {
		args = append(args, stamp(f.To))
		to = `$` + strconv.Itoa(len(args))
	}
	if len(args) == 0 {
		return ``, nil
	}
	where := ``
	for _, col := range []string{`r.created_at`, `r.paid_at`, `r.cancelled_at`} {
		cond := ``
		if from != `` {
			cond = col + ` >= ` + from
		}
		if to != `` {
			if cond != `` {
				cond += ` AND `
			}
			cond += col + ` < ` + to
		}
		if where == `` {
			where = ` WHERE (` + cond + `)`
		} else {
			where += ` OR (` + cond + `)`
		}
	}
	return where, args
}

// CountRegistrationExport counts the registrations f exports.
func (db *DB) CountRegistrationExport(ctx context.Context, f app.RegistrationExportFilter) (int, error) {
	where, args := exportWhere(f)
	var n int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM registration r`+where, args...).Scan(&n); err != nil {
		return 0, sessionsReadError(ctx, err, "count the registrations to export")
	}
	return n, nil
}

// exportCheckEvery is how many rows go by between two looks at ctx: pgx
// stops reading the socket when ctx ends, but rows already in its buffer
// would still be handed out.
const exportCheckEvery = 256

// ExportRegistrations reads the registrations f chooses with one cursor, in
// the order of their ids, and calls each for every row. Every column is
// asked for in PostgreSQL's text format, and the row's cells are pgx's raw
// values, valid until the next row: nothing is copied or kept per row, so
// memory stays flat however many rows there are. (storage reads on a
// goroutine of its own, as SQLite's step is most of an export's time; here
// the server produces the rows while the socket carries them, and pgx
// reads ahead into its buffer.) Cancelling ctx stops the query (pgx
// cancels it on the server) and returns ctx's error; an error of each
// stops the reading and is returned.
func (db *DB) ExportRegistrations(ctx context.Context, f app.RegistrationExportFilter, each func(*app.RegistrationExportRow) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	where, args := exportWhere(f)
	rows, err := db.pool.Query(ctx, exportSelect+where+` ORDER BY r.id`,
		append([]any{pgx.QueryResultFormats{pgx.TextFormatCode}}, args...)...)
	if err != nil {
		return sessionsReadError(ctx, err, "read the registrations to export")
	}
	defer rows.Close()
	var r app.RegistrationExportRow
	for n := 1; rows.Next(); n++ {
		if n%exportCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		v := rows.RawValues()
		var ints [6]int64
		for i, col := range [6]int{1, 9, 10, 12, 13, 14} {
			if ints[i], err = exportInt(v[col]); err != nil {
				return internalError(err, "read the registrations to export")
			}
		}
		r = app.RegistrationExportRow{
			Confirmation: v[0], SessionID: ints[0], FirstName: v[2], LastName: v[3], Email: v[4],
			Company: v[5], Country: v[6], Status: v[7], Currency: v[8], FeeMinor: ints[1], DiscountMinor: ints[2],
			PromoCode: v[11], TotalMinor: ints[3], PaidMinor: ints[4], RefundedMinor: ints[5], Method: v[15], Brand: v[16],
			Last4: v[17], GatewayRef: v[18], Mode: v[19], RegisteredAt: v[20], PaidAt: v[21], CancelledAt: v[22],
		}
		if err := each(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return sessionsReadError(ctx, err, "read the registrations to export")
	}
	return nil
}

// exportInt reads a bigint in text format without making a string of it
// (strconv.ParseInt takes a string; an export reads six a row).
func exportInt(b []byte) (int64, error) {
	digits := b
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 18 {
		return strconv.ParseInt(string(b), 10, 64) // empty, or long enough to need the overflow check
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, strconv.ErrSyntax
		}
		n = n*10 + int64(c-'0')
	}
	if len(digits) < len(b) {
		n = -n
	}
	return n, nil
}
