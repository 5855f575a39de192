package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trainpay/trainpay/app"
)

var _ app.InvoiceStore = (*DB)(nil)

const invoiceColumns = `id, registration_id, number, coalesce(paypal_id, ''), status, raw_status,
	to_char(due_date, 'YYYY-MM-DD'), payer_link, capture_id, lease_owner, lease_until, created_at, updated_at`

// openInvoiceSQL is the states the poller reads (as storage's).
const openInvoiceSQL = `('creating', 'draft', 'awaiting-payment', 'payment-pending')`

func scanInvoice(row pgx.CollectableRow) (app.Invoice, error) {
	var inv app.Invoice
	var state string
	var lease *time.Time
	if err := row.Scan(&inv.ID, &inv.RegistrationID, &inv.Number, &inv.PayPalID, &state, &inv.RawStatus,
		&inv.DueDate, &inv.PayerLink, &inv.CaptureID, &inv.LeaseOwner, &lease, &inv.CreatedAt, &inv.UpdatedAt); err != nil {
		return app.Invoice{}, err
	}
	inv.State = app.InvoiceState(state)
	if lease != nil {
		inv.LeaseUntil = lease.UTC()
	}
	inv.CreatedAt, inv.UpdatedAt = inv.CreatedAt.UTC(), inv.UpdatedAt.UTC()
	return inv, nil
}

func invoiceNotFound() error {
	return app.Errorf(app.ENOTFOUND, "error.invoice.not_found", "the registration has no invoice")
}

func leaseLost() error {
	return app.Errorf(app.ECONFLICT, "error.invoice.lease_lost", "another TrainPay is reading this invoice")
}

func findInvoice(ctx context.Context, q querier, where string, args ...any) (app.Invoice, error) {
	rows, err := q.Query(ctx, `SELECT `+invoiceColumns+` FROM invoice `+where, args...)
	if err != nil {
		return app.Invoice{}, app.Internal(err, "read an invoice")
	}
	inv, err := pgx.CollectExactlyOneRow(rows, scanInvoice)
	if errors.Is(err, pgx.ErrNoRows) {
		return app.Invoice{}, invoiceNotFound()
	}
	if err != nil {
		return app.Invoice{}, app.Internal(err, "read an invoice")
	}
	return inv, nil
}

// CreateInvoice inserts the row before PayPal is asked to create it.
func (db *DB) CreateInvoice(ctx context.Context, inv *app.Invoice) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	now := orNow(inv.CreatedAt)
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO invoice (registration_id, number, due_date, created_at, updated_at)
		VALUES ($1, $2, $3::date, $4, $4) RETURNING id`, inv.RegistrationID, inv.Number, inv.DueDate, now).Scan(&id)
	if pe := pgError(err); pe != nil && pe.Code == pgerrUniqueViolation {
		return &app.Error{
			Code: app.ECONFLICT, Key: "error.invoice.exists",
			Message: "the registration already has an invoice", Err: err,
		}
	}
	if err != nil {
		return app.Internal(err, "record an invoice")
	}
	row, err := findInvoice(ctx, tx, `WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if err := commit(ctx, tx, "record an invoice"); err != nil {
		return err
	}
	*inv = row
	return nil
}

// InvoiceFor returns a registration's invoice.
func (db *DB) InvoiceFor(ctx context.Context, registrationID int64) (app.Invoice, error) {
	return findInvoice(ctx, db.pool, `WHERE registration_id = $1`, registrationID)
}

// InvoiceStates reads the states of registrations' invoices in one query.
func (db *DB) InvoiceStates(ctx context.Context, registrationIDs []int64) (map[int64]app.InvoiceState, error) {
	out := map[int64]app.InvoiceState{}
	if len(registrationIDs) == 0 {
		return out, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT registration_id, status FROM invoice WHERE registration_id = ANY($1)`, registrationIDs)
	if err != nil {
		return nil, db.unreachable(err)
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
	tag, err := db.pool.Exec(ctx, `
		UPDATE invoice SET
			paypal_id  = coalesce(nullif($1, ''), paypal_id),
			status     = $2,
			raw_status = $3,
			payer_link = CASE WHEN $4 = '' THEN payer_link ELSE $4 END,
			capture_id = CASE WHEN $5 = '' THEN capture_id ELSE $5 END,
			updated_at = $6
		WHERE id = $7`, u.PayPalID, string(u.State), u.RawStatus, u.PayerLink, u.CaptureID, orNow(u.At), id)
	if err != nil {
		return app.Internal(err, "record an invoice's status")
	}
	if tag.RowsAffected() == 0 {
		return invoiceNotFound()
	}
	return nil
}

// LeaseInvoices takes open invoices whose lease is free or ran out in one
// UPDATE … RETURNING: the rows are locked as they are chosen (FOR UPDATE
// SKIP LOCKED), and a row another desktop leased in the meantime fails the
// re-checked lease condition, so no two desktops get the same invoice.
func (db *DB) LeaseInvoices(ctx context.Context, owner string, now, until time.Time, limit int) ([]app.Invoice, error) {
	rows, err := db.pool.Query(ctx, `
		UPDATE invoice SET lease_owner = $1, lease_until = $2
		WHERE id IN (SELECT id FROM invoice
			WHERE status IN `+openInvoiceSQL+` AND (lease_until IS NULL OR lease_until < $3)
			ORDER BY lease_until NULLS FIRST, id LIMIT $4 FOR UPDATE SKIP LOCKED)
		  AND (lease_until IS NULL OR lease_until < $3)
		RETURNING `+invoiceColumns, owner, stamp(until), stamp(now), limit)
	if err != nil {
		return nil, db.unreachable(err)
	}
	out, err := pgx.CollectRows(rows, scanInvoice)
	if err != nil {
		return nil, app.Internal(err, "lease invoices")
	}
	return out, nil
}

// RenewInvoiceLease moves owner's lease to until.
func (db *DB) RenewInvoiceLease(ctx context.Context, id int64, owner string, until time.Time) error {
	tag, err := db.pool.Exec(ctx, `UPDATE invoice SET lease_until = $1 WHERE id = $2 AND lease_owner = $3`,
		stamp(until), id, owner)
	if err != nil {
		return app.Internal(err, "renew an invoice's lease")
	}
	if tag.RowsAffected() == 0 {
		return leaseLost()
	}
	return nil
}

// SettleInvoicePaid records a paid invoice in one transaction: the
// invoice's row lock keeps a second desktop out until this one commits,
// and the session's row lock (as Register takes it) decides the seat.
func (db *DB) SettleInvoicePaid(ctx context.Context, id int64, sale app.Payment, capture string, now time.Time) (app.InvoicePayment, error) {
	now = orNow(now)
	tx, err := db.begin(ctx)
	if err != nil {
		return app.InvoicePayment{}, err
	}
	defer tx.Rollback(ctx)
	inv, err := findInvoice(ctx, tx, `WHERE id = $1 FOR UPDATE`, id)
	if err != nil {
		return app.InvoicePayment{}, err
	}
	if inv.CaptureID != "" || inv.State == app.InvoicePaid || inv.State == app.InvoiceRefunded ||
		inv.State == app.InvoicePartiallyRefunded {
		var saleID int64
		err := tx.QueryRow(ctx, `SELECT id FROM payment WHERE key = $1`, sale.Key).Scan(&saleID)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
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
		if _, err := tx.Exec(ctx, `UPDATE invoice SET status = 'needs-review', raw_status = $1,
			lease_owner = '', lease_until = NULL, updated_at = $2 WHERE id = $3`,
			"PAID: "+app.ErrorText(err)+"; the capture "+capture+" is not in the journal", now, id); err != nil {
			return app.InvoicePayment{}, app.Internal(err, "record an invoice for review")
		}
		return app.InvoicePayment{}, commit(ctx, tx, "record an invoice for review")
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
	if _, err := tx.Exec(ctx, `UPDATE invoice SET status = 'paid', raw_status = 'PAID', capture_id = $1,
		lease_owner = '', lease_until = NULL, updated_at = $2 WHERE id = $3`, capture, now, id); err != nil {
		return app.InvoicePayment{}, app.Internal(err, "record an invoice paid")
	}
	if err := commit(ctx, tx, "record an invoice paid"); err != nil {
		return app.InvoicePayment{}, err
	}
	return app.InvoicePayment{SaleID: row.ID, Seated: seated}, nil
}

// invoiceSeat decides app.LatePaymentRule under the session's row lock.
func invoiceSeat(ctx context.Context, tx pgx.Tx, regID int64, now time.Time) (bool, error) {
	r, err := findRegistration(ctx, tx, regID)
	if err != nil {
		return false, err
	}
	s, err := findSession(ctx, tx, r.SessionID, true)
	if err != nil {
		return false, err
	}
	if r.Status == app.RegPendingPayment && r.HoldUntil.After(now) {
		return true, nil
	}
	if (r.Status != app.RegPendingPayment && r.Status != app.RegExpired) || s.Status == app.SessionCancelled {
		return false, nil
	}
	if err := expireRegistrationHolds(ctx, tx, s.ID, now); err != nil {
		return false, err
	}
	if s.MaxRegistrations == 0 {
		return true, nil
	}
	taken, err := sessionSeatsTaken(ctx, tx, s.ID, now)
	if err != nil {
		return false, err
	}
	return taken < s.MaxRegistrations, nil
}

// releaseRegistrationSeat gives back a pending registration's seat and
// frees its promotional code's reservation.
func releaseRegistrationSeat(ctx context.Context, tx pgx.Tx, regID int64, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE registration SET status = 'expired', hold_until = NULL, updated_at = $1
		WHERE id = $2 AND status = 'pending-payment'`, now, regID); err != nil {
		return app.Internal(err, "release a seat")
	}
	if _, err := tx.Exec(ctx, `UPDATE promo_redemption SET state = 'released', updated_at = $1
		WHERE registration_id = $2 AND state = 'reserved'`, now, regID); err != nil {
		return app.Internal(err, "free a reservation")
	}
	return nil
}

// ReleaseInvoiceSeat gives back the seat and the code of a cancelled or
// past-due invoice, and records its state, in one transaction.
func (db *DB) ReleaseInvoiceSeat(ctx context.Context, id int64, state app.InvoiceState, raw string, now time.Time) error {
	now = orNow(now)
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	inv, err := findInvoice(ctx, tx, `WHERE id = $1 FOR UPDATE`, id)
	if err != nil {
		return err
	}
	if err := releaseRegistrationSeat(ctx, tx, inv.RegistrationID, now); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE invoice SET status = $1, raw_status = $2, lease_owner = '', lease_until = NULL,
		updated_at = $3 WHERE id = $4`, string(state), raw, now, id); err != nil {
		return app.Internal(err, "record an invoice's status")
	}
	return commit(ctx, tx, "record an invoice's status")
}
