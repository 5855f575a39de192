package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/trainpay/trainpay/app"
)

var _ app.InvoiceStore = (*DB)(nil)

const invoiceColumns = `i.id, i.registration_id, i.number, coalesce(i.paypal_id, ''), i.status, i.raw_status,
	i.due_date, i.payer_link, i.capture_id, i.lease_owner, coalesce(i.lease_until, ''), i.created_at, i.updated_at`

// openInvoiceSQL is the states the poller reads (migration 00017's states
// that PayPal may still change without the merchant).
const openInvoiceSQL = `('creating', 'draft', 'awaiting-payment', 'payment-pending')`

func scanInvoice(s rowScanner) (app.Invoice, error) {
	var inv app.Invoice
	var state, lease, created, updated string
	if err := s.Scan(&inv.ID, &inv.RegistrationID, &inv.Number, &inv.PayPalID, &state, &inv.RawStatus,
		&inv.DueDate, &inv.PayerLink, &inv.CaptureID, &inv.LeaseOwner, &lease, &created, &updated); err != nil {
		return app.Invoice{}, err
	}
	inv.State = app.InvoiceState(state)
	var err error
	if inv.LeaseUntil, err = parseOptTime(lease); err != nil {
		return app.Invoice{}, err
	}
	if inv.CreatedAt, err = parseTime(created); err != nil {
		return app.Invoice{}, err
	}
	if inv.UpdatedAt, err = parseTime(updated); err != nil {
		return app.Invoice{}, err
	}
	return inv, nil
}

func invoiceNotFound() error {
	return app.Errorf(app.ENOTFOUND, "error.invoice.not_found", "the registration has no invoice")
}

func findInvoice(ctx context.Context, q queryer, where string, args ...any) (app.Invoice, error) {
	return queryOne(ctx, q, scanInvoice, invoiceNotFound, "read an invoice",
		`SELECT `+invoiceColumns+` FROM invoice i `+where, args...)
}

// CreateInvoice inserts the row before PayPal is asked to create it.
func (db *DB) CreateInvoice(ctx context.Context, inv *app.Invoice) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := orNow(inv.CreatedAt)
	res, err := tx.ExecContext(ctx, `INSERT INTO invoice (registration_id, number, due_date, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?)`, inv.RegistrationID, inv.Number, inv.DueDate, formatTime(now), formatTime(now))
	var se sqlite3.Error
	if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique {
		return &app.Error{
			Code: app.ECONFLICT, Key: "error.invoice.exists",
			Message: "the registration already has an invoice", Err: err,
		}
	}
	if err != nil {
		return writeError(err, "record an invoice")
	}
	id, err := res.LastInsertId()
	if err != nil {
		return app.Internal(err, "record an invoice")
	}
	row, err := findInvoice(ctx, tx, `WHERE i.id = ?`, id)
	if err != nil {
		return err
	}
	if err := commit(tx); err != nil {
		return err
	}
	*inv = row
	return nil
}

// InvoiceFor returns a registration's invoice.
func (db *DB) InvoiceFor(ctx context.Context, registrationID int64) (app.Invoice, error) {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return app.Invoice{}, err
	}
	defer tx.Rollback()
	return findInvoice(ctx, tx, `WHERE i.registration_id = ?`, registrationID)
}

// InvoiceStates reads the states of registrations' invoices in one query
// (the ids as a JSON array, so the statement is the same for any count).
func (db *DB) InvoiceStates(ctx context.Context, registrationIDs []int64) (map[int64]app.InvoiceState, error) {
	out := map[int64]app.InvoiceState{}
	if len(registrationIDs) == 0 {
		return out, nil
	}
	ids, err := json.Marshal(registrationIDs)
	if err != nil {
		return nil, app.Internal(err, "read invoices' states")
	}
	rows, err := db.read.QueryContext(ctx, `SELECT registration_id, status FROM invoice
		WHERE registration_id IN (SELECT value FROM json_each(?))`, string(ids))
	if err != nil {
		return nil, app.Internal(err, "read invoices' states")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var state string
		if err := rows.Scan(&id, &state); err != nil {
			return nil, app.Internal(err, "read invoices' states")
		}
		out[id] = app.InvoiceState(state)
	}
	if err := rows.Err(); err != nil {
		return nil, app.Internal(err, "read invoices' states")
	}
	return out, nil
}

// UpdateInvoice records what PayPal said; empty ids and link keep theirs.
func (db *DB) UpdateInvoice(ctx context.Context, id int64, u app.InvoiceUpdate) error {
	return db.updateOne(ctx, func(*sql.Tx) error { return invoiceNotFound() }, "record an invoice's status", `
		UPDATE invoice SET
			paypal_id  = coalesce(nullif(?1, ''), paypal_id),
			status     = ?2,
			raw_status = ?3,
			payer_link = CASE WHEN ?4 = '' THEN payer_link ELSE ?4 END,
			capture_id = CASE WHEN ?5 = '' THEN capture_id ELSE ?5 END,
			updated_at = ?6
		WHERE id = ?7`, u.PayPalID, string(u.State), u.RawStatus, u.PayerLink, u.CaptureID, formatTime(orNow(u.At)), id)
}

// LeaseInvoices takes open invoices whose lease is free or ran out, in
// one UPDATE … RETURNING inside a write transaction (BEGIN IMMEDIATE), so
// no other process can lease the same rows.
func (db *DB) LeaseInvoices(ctx context.Context, owner string, now, until time.Time, limit int) ([]app.Invoice, error) {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `
		UPDATE invoice SET lease_owner = ?1, lease_until = ?2
		WHERE id IN (SELECT id FROM invoice
			WHERE status IN `+openInvoiceSQL+` AND (lease_until IS NULL OR lease_until < ?3)
			ORDER BY coalesce(lease_until, ''), id LIMIT ?4)
		RETURNING `+strings.ReplaceAll(invoiceColumns, "i.", ""), owner, formatTime(until), formatTime(now), limit)
	if err != nil {
		return nil, writeError(err, "lease invoices")
	}
	var out []app.Invoice
	for rows.Next() {
		inv, err := scanInvoice(rows)
		if err != nil {
			rows.Close()
			return nil, app.Internal(err, "lease invoices")
		}
		out = append(out, inv)
	}
	if err := rows.Close(); err != nil {
		return nil, app.Internal(err, "lease invoices")
	}
	if err := rows.Err(); err != nil {
		return nil, app.Internal(err, "lease invoices")
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return out, nil
}

// RenewInvoiceLease moves owner's lease to until.
func (db *DB) RenewInvoiceLease(ctx context.Context, id int64, owner string, until time.Time) error {
	return db.updateOne(ctx, func(*sql.Tx) error { return leaseLost() }, "renew an invoice's lease",
		`UPDATE invoice SET lease_until = ? WHERE id = ? AND lease_owner = ?`, formatTime(until), id, owner)
}

func leaseLost() error {
	return app.Errorf(app.ECONFLICT, "error.invoice.lease_lost", "another TrainPay is reading this invoice")
}

// SettleInvoicePaid records a paid invoice in one write transaction.
func (db *DB) SettleInvoicePaid(ctx context.Context, id int64, sale app.Payment, capture string, now time.Time) (app.InvoicePayment, error) {
	now = orNow(now)
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return app.InvoicePayment{}, err
	}
	defer tx.Rollback()
	inv, err := findInvoice(ctx, tx, `WHERE i.id = ?`, id)
	if err != nil {
		return app.InvoicePayment{}, err
	}
	if inv.CaptureID != "" || inv.State == app.InvoicePaid || inv.State == app.InvoiceRefunded ||
		inv.State == app.InvoicePartiallyRefunded {
		var saleID int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM payment WHERE key = ?`, sale.Key).Scan(&saleID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return app.InvoicePayment{}, app.Internal(err, "read an invoice's sale")
		}
		return app.InvoicePayment{SaleID: saleID, Already: true}, nil
	}
	seated, err := invoiceSeat(ctx, tx, inv.RegistrationID, now)
	if err != nil {
		return app.InvoicePayment{}, err
	}
	row := sale
	row.State, row.GatewayRef = app.StateApproved, capture
	row.CreatedAt, row.UpdatedAt = now, now
	row.ID, err = insertPayment(ctx, tx, row)
	if app.ErrorCode(err) == app.ECONFLICT {
		// The registration has a charged sale already (paid another way):
		// the money moved twice, and a person decides.
		if _, err := tx.ExecContext(ctx, `UPDATE invoice SET status = 'needs-review', raw_status = ?,
			lease_owner = '', lease_until = NULL, updated_at = ? WHERE id = ?`,
			"PAID: "+app.ErrorText(err)+"; the capture "+capture+" is not in the journal", formatTime(now), id); err != nil {
			return app.InvoicePayment{}, app.Internal(err, "record an invoice for review")
		}
		return app.InvoicePayment{}, commit(tx)
	}
	if err != nil {
		return app.InvoicePayment{}, err
	}
	if seated {
		pending := row
		pending.State = app.StatePending
		if err := applyPurposeEffects(ctx, tx, pending, app.PaymentUpdate{State: app.StateApproved, GatewayRef: capture, At: now}); err != nil {
			return app.InvoicePayment{}, err
		}
	} else if err := releaseRegistrationSeat(ctx, tx, inv.RegistrationID, now); err != nil {
		return app.InvoicePayment{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE invoice SET status = 'paid', raw_status = 'PAID', capture_id = ?,
		lease_owner = '', lease_until = NULL, updated_at = ? WHERE id = ?`, capture, formatTime(now), id); err != nil {
		return app.InvoicePayment{}, app.Internal(err, "record an invoice paid")
	}
	if err := commit(tx); err != nil {
		return app.InvoicePayment{}, err
	}
	return app.InvoicePayment{SaleID: row.ID, Seated: seated}, nil
}

// invoiceSeat decides whether a registration paid by invoice at now has
// its seat (app.LatePaymentRule): its hold still runs, or it ran out and a
// seat is free.
func invoiceSeat(ctx context.Context, tx *sql.Tx, regID int64, now time.Time) (bool, error) {
	r, err := findRegistration(ctx, tx, regID)
	if err != nil {
		return false, err
	}
	if r.Status == app.RegPendingPayment && r.HoldUntil.After(now) {
		return true, nil
	}
	if r.Status != app.RegPendingPayment && r.Status != app.RegExpired {
		return false, nil
	}
	if err := expireHolds(ctx, tx, r.SessionID, now); err != nil {
		return false, err
	}
	s, err := findSession(ctx, tx, r.SessionID)
	if err != nil {
		return false, err
	}
	if s.Status == app.SessionCancelled {
		return false, nil
	}
	if s.MaxRegistrations == 0 {
		return true, nil
	}
	taken, err := seatsTaken(ctx, tx, s.ID, now)
	if err != nil {
		return false, err
	}
	return taken < s.MaxRegistrations, nil
}

// releaseRegistrationSeat gives back a pending registration's seat and
// frees its promotional code's reservation.
func releaseRegistrationSeat(ctx context.Context, tx *sql.Tx, regID int64, now time.Time) error {
	at := formatTime(now)
	if _, err := tx.ExecContext(ctx, `UPDATE registration SET status = 'expired', hold_until = '', updated_at = ?
		WHERE id = ? AND status = 'pending-payment'`, at, regID); err != nil {
		return app.Internal(err, "release a seat")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE promo_redemption SET state = 'released', updated_at = ?
		WHERE registration_id = ? AND state IN ('reserved', 'used') AND state = 'reserved'`, at, regID); err != nil {
		return app.Internal(err, "free a reservation")
	}
	return nil
}

// ReleaseInvoiceSeat gives back the seat and the code of a cancelled or
// past-due invoice, and records its state, in one write transaction.
func (db *DB) ReleaseInvoiceSeat(ctx context.Context, id int64, state app.InvoiceState, raw string, now time.Time) error {
	now = orNow(now)
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	inv, err := findInvoice(ctx, tx, `WHERE i.id = ?`, id)
	if err != nil {
		return err
	}
	if err := releaseRegistrationSeat(ctx, tx, inv.RegistrationID, now); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE invoice SET status = ?, raw_status = ?, lease_owner = '', lease_until = NULL,
		updated_at = ? WHERE id = ?`, string(state), raw, formatTime(now), id); err != nil {
		return writeError(err, "record an invoice's status")
	}
	return commit(tx)
}
