package storage

import (
	"context"
	"database/sql"

	"github.com/trainpay/trainpay/app"
)

var _ app.RegistrationExportStore = (*DB)(nil)

// exportSelect reads the export's columns in app.RegistrationCSVHeader's
// order: the registration and its payment's method, brand, last four
// digits, gateway reference and mode.
const exportSelect = `SELECT r.confirmation, r.session_id, r.first_name, r.last_name, r.email, r.company, r.country,
	r.status, r.currency, r.fee_minor, r.discount_minor, r.promo_code, r.total_minor, r.paid_minor, r.refunded_minor,
	coalesce(p.method, ''), coalesce(p.brand, ''), coalesce(p.last4, ''), coalesce(p.gateway_ref, ''), coalesce(p.mode, ''),
	r.created_at, r.paid_at, r.cancelled_at
	FROM registration r LEFT JOIN payment p ON p.id = r.payment_id`

// exportWhere is the filter's WHERE clause and its arguments. Stored times
// are RFC 3339 UTC with nine fraction digits, so they compare as text; an
// open side of the range is "0" (before every time) or "~" (after every
// time), and an absent time (”) is before "0", so never in the range.
func exportWhere(f app.RegistrationExportFilter) (string, []any) {
	if f.SessionID != 0 {
		return ` WHERE r.session_id = ?`, []any{f.SessionID}
	}
	from, to := "0", "~"
	if !f.From.IsZero() {
		from = formatTime(f.From)
	}
	if !f.To.IsZero() {
		to = formatTime(f.To)
	}
	if from == "0" && to == "~" {
		return ``, nil
	}
	return ` WHERE (r.created_at >= ?1 AND r.created_at < ?2) OR (r.paid_at >= ?1 AND r.paid_at < ?2)
		OR (r.cancelled_at >= ?1 AND r.cancelled_at < ?2)`, []any{from, to}
}

// CountRegistrationExport counts the registrations f exports.
func (db *DB) CountRegistrationExport(ctx context.Context, f app.RegistrationExportFilter) (int, error) {
	where, args := exportWhere(f)
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM registration r`+where, args...).Scan(&n); err != nil {
		return 0, app.Internal(err, "count the registrations to export")
	}
	return n, nil
}

// ExportRegistrations reads the registrations f chooses with one cursor, in
// the order of their ids, and calls each for every row. Text columns are
// scanned into reused buffers (sql.RawBytes) and the row struct is reused,
// so reading a million rows keeps no more than one in memory. Cancelling
// ctx interrupts the query (the driver calls sqlite3_interrupt).
func (db *DB) ExportRegistrations(ctx context.Context, f app.RegistrationExportFilter, each func(*app.RegistrationExportRow) error) error {
	where, args := exportWhere(f)
	rows, err := db.read.QueryContext(ctx, exportSelect+where+` ORDER BY r.id`, args...)
	if err != nil {
		return app.Internal(err, "read the registrations to export")
	}
	defer rows.Close()
	var (
		r    app.RegistrationExportRow
		text [17]sql.RawBytes
	)
	dest := []any{&text[0], &r.SessionID, &text[1], &text[2], &text[3], &text[4], &text[5], &text[6], &text[7],
		&r.FeeMinor, &r.DiscountMinor, &text[8], &r.TotalMinor, &r.PaidMinor, &r.RefundedMinor,
		&text[9], &text[10], &text[11], &text[12], &text[13], &text[14], &text[15], &text[16]}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return app.Internal(err, "read the registrations to export")
		}
		r.Confirmation, r.FirstName, r.LastName, r.Email, r.Company, r.Country, r.Status, r.Currency = text[0],
			text[1], text[2], text[3], text[4], text[5], text[6], text[7]
		r.PromoCode, r.Method, r.Brand, r.Last4, r.GatewayRef, r.Mode = text[8], text[9], text[10], text[11], text[12], text[13]
		r.RegisteredAt, r.PaidAt, r.CancelledAt = text[14], text[15], text[16]
		if err := each(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return app.Internal(err, "read the registrations to export")
	}
	return nil
}
