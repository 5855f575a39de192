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

// Rows go from the cursor to the caller's callback in batches: one
// goroutine reads (SQLite's step and the driver's copies, most of the time
// of an export), while the caller's goroutine formats and writes the rows
// of the batch before. A fixed set of exportBatches batches goes round, so
// memory stays flat however many rows there are.
const (
	exportBatches   = 3
	exportBatchRows = 512
	exportText      = 17 // text columns
	exportInts      = 6  // integer columns
)

// exportBatch holds up to exportBatchRows rows: their text columns' bytes
// one after the other in data, where column i of row r ends at
// ends[r*exportText+i], and their integers in ints.
type exportBatch struct {
	data []byte
	ends []int
	ints []int64
	n    int
}

func (b *exportBatch) reset() {
	b.data, b.ends, b.ints, b.n = b.data[:0], b.ends[:0], b.ints[:0], 0
}

func (b *exportBatch) add(text *[exportText]sql.RawBytes, ints *[exportInts]int64) {
	for _, t := range text {
		b.data = append(b.data, t...)
		b.ends = append(b.ends, len(b.data))
	}
	b.ints = append(b.ints, ints[:]...)
	b.n++
}

// each calls f for every row of the batch, with r's slices into b.data.
func (b *exportBatch) each(r *app.RegistrationExportRow, f func(*app.RegistrationExportRow) error) error {
	var t [exportText][]byte
	start := 0
	for row := range b.n {
		ends := b.ends[row*exportText : (row+1)*exportText]
		for i, end := range ends {
			t[i] = b.data[start:end:end]
			start = end
		}
		n := b.ints[row*exportInts : (row+1)*exportInts]
		*r = app.RegistrationExportRow{
			Confirmation: t[0], SessionID: n[0], FirstName: t[1], LastName: t[2], Email: t[3],
			Company: t[4], Country: t[5], Status: t[6], Currency: t[7], FeeMinor: n[1], DiscountMinor: n[2],
			PromoCode: t[8], TotalMinor: n[3], PaidMinor: n[4], RefundedMinor: n[5], Method: t[9], Brand: t[10],
			Last4: t[11], GatewayRef: t[12], Mode: t[13], RegisteredAt: t[14], PaidAt: t[15], CancelledAt: t[16],
		}
		if err := f(r); err != nil {
			return err
		}
	}
	return nil
}

// ExportRegistrations reads the registrations f chooses with one cursor, in
// the order of their ids, and calls each for every row, on the caller's
// goroutine. Text columns are scanned into reused buffers (sql.RawBytes)
// and copied into the batches above; nothing is kept per row. Cancelling
// ctx interrupts the query (the driver calls sqlite3_interrupt) and
// returns ctx's error; an error of each stops the reading and is returned.
func (db *DB) ExportRegistrations(ctx context.Context, f app.RegistrationExportFilter, each func(*app.RegistrationExportRow) error) error {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	where, args := exportWhere(f)
	rows, err := db.read.QueryContext(ctx, exportSelect+where+` ORDER BY r.id`, args...)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return app.Internal(err, "read the registrations to export")
	}
	free := make(chan *exportBatch, exportBatches)
	full := make(chan *exportBatch, exportBatches)
	for range exportBatches {
		free <- &exportBatch{}
	}
	var readErr error
	go func() {
		defer close(full)
		defer rows.Close()
		readErr = readExportBatches(ctx, rows, free, full)
	}()
	var r app.RegistrationExportRow
	var eachErr error
	for b := range full {
		if eachErr == nil {
			if eachErr = b.each(&r, each); eachErr != nil {
				stop()
			}
		}
		free <- b
	}
	switch {
	case eachErr != nil:
		return eachErr
	case readErr == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return app.Internal(readErr, "read the registrations to export")
}

// readExportBatches fills free batches from rows and passes them on full
// (which has room for every batch, so that send never waits), until the
// rows end, fail, or ctx ends.
func readExportBatches(ctx context.Context, rows *sql.Rows, free <-chan *exportBatch, full chan<- *exportBatch) error {
	var (
		text [exportText]sql.RawBytes
		ints [exportInts]int64
	)
	dest := []any{
		&text[0], &ints[0], &text[1], &text[2], &text[3], &text[4], &text[5], &text[6], &text[7],
		&ints[1], &ints[2], &text[8], &ints[3], &ints[4], &ints[5],
		&text[9], &text[10], &text[11], &text[12], &text[13], &text[14], &text[15], &text[16],
	}
	for {
		var b *exportBatch
		select {
		case b = <-free:
		case <-ctx.Done():
			return ctx.Err()
		}
		b.reset()
		for b.n < exportBatchRows && rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			b.add(&text, &ints)
		}
		if b.n > 0 {
			full <- b
		}
		if b.n < exportBatchRows {
			return rows.Err()
		}
	}
}
