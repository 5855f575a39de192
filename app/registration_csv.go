package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/trainpay/trainpay/app/money"
)

// RegistrationCSVHeader is the header row of the accounting export. Column
// names and values are stable and language-neutral (amounts with a '.'
// decimal point and no grouping, times in RFC 3339 UTC), so that
// spreadsheets and accounting imports read them the same in every locale.
var RegistrationCSVHeader = []string{
	"confirmation", "session_id", "first_name", "last_name", "email", "company", "country",
	"status", "currency", "fee", "discount", "promo_code", "total", "paid", "refunded",
	"method", "brand", "last4", "gateway_reference", "mode", "registered_at", "paid_at", "cancelled_at",
}

// RegistrationExportFilter chooses the registrations of an export.
type RegistrationExportFilter struct {
	// SessionID, when not 0, exports that session's registrations, all of
	// them; From and To are then ignored.
	SessionID int64
	// From and To bound the site-wide export: a registration is in it
	// when it was registered, paid or cancelled at a time t with
	// From <= t < To. A zero From or To leaves that side open.
	From, To time.Time
}

// RegistrationExportRow is one registration with its payment's columns as
// a store's cursor reads them, in RegistrationCSVHeader's order. The byte
// slices belong to the store and hold only until the callback returns.
// Times are RFC 3339 text in UTC (any number of fraction digits), empty
// when absent; amounts are in minor units of Currency.
type RegistrationExportRow struct {
	Confirmation                                         []byte
	SessionID                                            int64
	FirstName, LastName, Email, Company, Country, Status []byte
	Currency                                             []byte
	FeeMinor, DiscountMinor                              int64
	PromoCode                                            []byte
	TotalMinor, PaidMinor, RefundedMinor                 int64
	Method, Brand, Last4, GatewayRef, Mode               []byte
	RegisteredAt, PaidAt, CancelledAt                    []byte
}

// RegistrationExportStore reads an export's registrations with a cursor:
// ExportRegistrations calls each for every row, in the order of the
// registrations' ids, and stops with each's error or when ctx ends (the
// query is interrupted, and ctx's error returned).
type RegistrationExportStore interface {
	CountRegistrationExport(ctx context.Context, f RegistrationExportFilter) (int, error)
	ExportRegistrations(ctx context.Context, f RegistrationExportFilter, each func(*RegistrationExportRow) error) error
}

// RegistrationExporter writes the accounting export as CSV while it reads
// it: rows go from the store's cursor through the one CSV writer
// (CSVWriter, whose buffer is flushed as it fills) into the file, so memory
// does not grow with the number of rows.
type RegistrationExporter struct {
	Store RegistrationExportStore
}

// ExportProgress is called now and then during an export with the rows
// written so far and the rows to write (counted when it began).
type ExportProgress func(written, total int)

// progressEvery is how many rows are written between two progress calls.
const progressEvery = 4096

// Export writes the header and the registrations f chooses to w and returns
// how many rows it wrote. When ctx is cancelled the query stops and Export
// returns an error that is context.Canceled; what it wrote before is then a partial file,
// which the caller removes.
func (e RegistrationExporter) Export(ctx context.Context, f RegistrationExportFilter, w io.Writer, progress ExportProgress) (int, error) {
	total, err := e.Store.CountRegistrationExport(ctx, f)
	if err != nil {
		return 0, exportError(ctx, err)
	}
	if progress != nil {
		progress(0, total)
	}
	rw := newRegistrationCSV(w)
	if err := rw.header(); err != nil {
		return 0, Internal(err, "write the CSV export")
	}
	n := 0
	var werr error
	err = e.Store.ExportRegistrations(ctx, f, func(r *RegistrationExportRow) error {
		// Cancelled means stop now, also for rows the store read ahead.
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if werr = rw.row(r); werr != nil {
			return werr
		}
		n++
		if progress != nil && n%progressEvery == 0 {
			progress(n, max(total, n))
		}
		return nil
	})
	if werr != nil {
		return n, Internal(werr, "write the CSV export")
	}
	if err != nil {
		return n, exportError(ctx, err)
	}
	if err := rw.cw.Flush(); err != nil {
		return n, Internal(err, "write the CSV export")
	}
	if progress != nil {
		progress(n, max(total, n))
	}
	return n, nil
}

// exportError is an export's failure: once ctx is cancelled, ctx's error
// (errors.Is(err, context.Canceled)), whatever the store made of the
// interruption.
func exportError(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w (%v)", cerr, err)
	}
	return err
}

// WriteRegistrationsCSV writes registrations as CSV for accounting, with the
// one CSV writer (CSVWriter), formatted exactly as Export formats rows.
func WriteRegistrationsCSV(w io.Writer, regs []Registration) error {
	rw := newRegistrationCSV(w)
	if err := rw.header(); err != nil {
		return err
	}
	var row RegistrationExportRow
	var times [3][]byte
	for _, r := range regs {
		ts := func(i int, t time.Time) []byte {
			times[i] = times[i][:0]
			if !t.IsZero() {
				times[i] = t.UTC().AppendFormat(times[i], time.RFC3339Nano)
			}
			return times[i]
		}
		row = RegistrationExportRow{
			Confirmation: []byte(r.Confirmation), SessionID: r.SessionID, FirstName: []byte(r.FirstName),
			LastName: []byte(r.LastName), Email: []byte(r.Email), Company: []byte(r.Company), Country: []byte(r.Country),
			Status: []byte(r.Status), Currency: []byte(r.Currency), FeeMinor: r.FeeMinor, DiscountMinor: r.DiscountMinor,
			PromoCode: []byte(r.PromoCode), TotalMinor: r.TotalMinor, PaidMinor: r.PaidMinor, RefundedMinor: r.RefundedMinor,
			Method: []byte(r.Method), Brand: []byte(r.Brand), Last4: []byte(r.Last4), GatewayRef: []byte(r.GatewayRef),
			Mode: []byte(r.Mode), RegisteredAt: ts(0, r.CreatedAt), PaidAt: ts(1, r.PaidAt), CancelledAt: ts(2, r.CancelledAt),
		}
		if err := rw.row(&row); err != nil {
			return err
		}
	}
	return rw.cw.Flush()
}

// registrationCSV formats export rows into a CSVWriter, reusing one
// scratch buffer for numbers and times so that a row costs no allocation
// when its cells are plain.
type registrationCSV struct {
	cw      *CSVWriter
	scratch []byte
	// The last currency seen and its minor-unit digits (-1: not a known
	// currency): rows of one site nearly all share one.
	currency []byte
	digits   int
}

func newRegistrationCSV(w io.Writer) *registrationCSV {
	return &registrationCSV{cw: NewCSVWriter(w), scratch: make([]byte, 0, 64), digits: -1}
}

func (x *registrationCSV) header() error { return x.cw.Write(RegistrationCSVHeader) }

func (x *registrationCSV) row(r *RegistrationExportRow) error {
	cw := x.cw
	if string(r.Currency) != string(x.currency) {
		x.currency = append(x.currency[:0], r.Currency...)
		x.digits = -1
		if code := string(r.Currency); code != "" && money.IsValidCode(code) {
			x.digits = int(money.Digits(code))
		}
	}
	cw.WriteCell(r.Confirmation)
	x.int(r.SessionID)
	cw.WriteCell(r.FirstName)
	cw.WriteCell(r.LastName)
	cw.WriteCell(r.Email)
	cw.WriteCell(r.Company)
	cw.WriteCell(r.Country)
	cw.WriteCell(r.Status)
	cw.WriteCell(r.Currency)
	x.amount(r.FeeMinor)
	x.amount(r.DiscountMinor)
	cw.WriteCell(r.PromoCode)
	x.amount(r.TotalMinor)
	x.amount(r.PaidMinor)
	x.amount(r.RefundedMinor)
	cw.WriteCell(r.Method)
	cw.WriteCell(r.Brand)
	cw.WriteCell(r.Last4)
	cw.WriteCell(r.GatewayRef)
	cw.WriteCell(r.Mode)
	x.when(r.RegisteredAt)
	x.when(r.PaidAt)
	x.when(r.CancelledAt)
	return cw.EndRow()
}

func (x *registrationCSV) int(n int64) {
	x.scratch = strconv.AppendInt(x.scratch[:0], n, 10)
	x.cw.WriteCell(x.scratch)
}

// amount writes minor units as a decimal number of the row's currency,
// as money.FromMinor(minor, code).Number() spells it ("12.50", "-0.05",
// "1250" for JPY), and as a plain integer when the currency is empty or
// unknown. Written here rather than through money.FromMinor, which builds
// an arbitrary-precision decimal for every amount: an export writes five
// amounts a row, millions of times (TestExportAmountsSpelledAsMoneySpellsThem
// holds the two to the same text).
func (x *registrationCSV) amount(minor int64) {
	x.scratch = appendMinor(x.scratch[:0], minor, x.digits)
	x.cw.WriteCell(x.scratch)
}

func appendMinor(dst []byte, minor int64, digits int) []byte {
	if digits <= 0 {
		return strconv.AppendInt(dst, minor, 10)
	}
	neg := minor < 0
	// The magnitude as unsigned, so that math.MinInt64 has one too.
	u := uint64(minor)
	if neg {
		u = -u
		dst = append(dst, '-')
	}
	var buf [24]byte
	i := len(buf)
	for d := 0; d <= digits || u > 0; d++ {
		if d == digits {
			i--
			buf[i] = '.'
		}
		i--
		buf[i] = byte('0' + u%10)
		u /= 10
	}
	return append(dst, buf[i:]...)
}

// when writes an RFC 3339 UTC time to the second ("2026-03-01T09:30:00Z"),
// as the export always has.
func (x *registrationCSV) when(b []byte) {
	x.scratch = appendRFC3339Seconds(x.scratch[:0], b)
	x.cw.WriteCell(x.scratch)
}

// appendRFC3339Seconds appends the RFC 3339 UTC time b to the second. The
// stores keep times as "2006-01-02T15:04:05.000000000Z": those are cut
// without parsing; anything else is parsed (and written empty when it is
// not a time at all, as a zero time is).
func appendRFC3339Seconds(dst, b []byte) []byte {
	if len(b) == 0 {
		return dst
	}
	if len(b) >= 20 && b[len(b)-1] == 'Z' && b[4] == '-' && b[7] == '-' && b[10] == 'T' && b[13] == ':' &&
		b[16] == ':' && (len(b) == 20 || b[19] == '.') {
		return append(append(dst, b[:19]...), 'Z')
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return dst
	}
	return t.UTC().AppendFormat(dst, time.RFC3339)
}
