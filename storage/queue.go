package storage

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/trainpay/trainpay/app"
)

var _ app.PaymentRequestStore = (*DB)(nil)

const paymentRequestColumns = `id, session_id, department_id, amount_minor, currency, state, reason,
	payment_id, decided_by, created_at, updated_at, decided_at`

func scanPaymentRequest(s rowScanner) (app.PaymentRequest, error) {
	var r app.PaymentRequest
	var state, created, updated string
	var payment sql.NullInt64
	var decided sql.NullString
	if err := s.Scan(&r.ID, &r.SessionID, &r.DepartmentID, &r.AmountMinor, &r.Currency, &state, &r.Reason,
		&payment, &r.DecidedBy, &created, &updated, &decided); err != nil {
		return app.PaymentRequest{}, err
	}
	r.State, r.PaymentID = app.RequestState(state), payment.Int64
	r.CreatedAt, _ = parseTime(created)
	r.UpdatedAt, _ = parseTime(updated)
	if decided.Valid {
		r.DecidedAt, _ = parseTime(decided.String)
	}
	return r, nil
}

func paymentRequestNotFound(id int64) error {
	return app.Errorf(app.ENOTFOUND, "error.queue.not_found", "payment request %d not found", id).
		With(map[string]any{"ID": id})
}

// paymentRequestWriteError maps a refused write: a session or department
// that does not exist.
func paymentRequestWriteError(err error, r *app.PaymentRequest) error {
	var se sqlite3.Error
	if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintForeignKey {
		return sessionNotFound(r.SessionID)
	}
	return writeError(err, "save a payment request")
}

// OpenPaymentRequest opens the session's request, or updates the one open,
// in one statement on the index that allows one open request per session.
func (db *DB) OpenPaymentRequest(ctx context.Context, r *app.PaymentRequest) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	at := formatTime(r.UpdatedAt)
	if r.UpdatedAt.IsZero() {
		at = formatTime(time.Now())
	}
	got, err := scanPaymentRequest(tx.QueryRowContext(ctx, `
		INSERT INTO payment_request (session_id, department_id, amount_minor, currency, state, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'open', ?, ?)
		ON CONFLICT (session_id) WHERE state = 'open' DO UPDATE SET
			department_id = excluded.department_id, amount_minor = excluded.amount_minor,
			currency = excluded.currency, updated_at = excluded.updated_at
		RETURNING `+paymentRequestColumns,
		r.SessionID, r.DepartmentID, r.AmountMinor, strings.ToUpper(r.Currency), at, at))
	if err != nil {
		return paymentRequestWriteError(err, r)
	}
	if err := commit(tx); err != nil {
		return err
	}
	*r = got
	return nil
}

// AnswerPaymentRequest closes an open request; the UPDATE takes only an
// open row, so two answers never both close it.
func (db *DB) AnswerPaymentRequest(ctx context.Context, id int64, a app.RequestAnswer) error {
	if a.At.IsZero() {
		a.At = time.Now().UTC()
	}
	return db.updateOne(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM payment_request WHERE id = ?`, id).Scan(&n); err != nil {
			return app.Internal(err, "read a payment request")
		}
		if n == 0 {
			return paymentRequestNotFound(id)
		}
		return app.Errorf(app.ECONFLICT, "error.queue.not_open", "this request was answered already or is no longer needed").
			With(map[string]any{"ID": id})
	}, "answer a payment request", `
		UPDATE payment_request SET state = ?, reason = ?, payment_id = ?, decided_by = ?, decided_at = ?, updated_at = ?
		WHERE id = ? AND state = 'open'`,
		string(a.State), a.Reason, ledgerID(a.PaymentID), a.DecidedBy, formatTime(a.At), formatTime(a.At), id)
}

// PaymentRequest returns one request.
func (db *DB) PaymentRequest(ctx context.Context, id int64) (app.PaymentRequest, error) {
	return queryOne(ctx, db.read, scanPaymentRequest, func() error { return paymentRequestNotFound(id) },
		"read a payment request", `SELECT `+paymentRequestColumns+` FROM payment_request WHERE id = ?`, id)
}

// LatestPaymentRequest returns the session's newest request.
func (db *DB) LatestPaymentRequest(ctx context.Context, sessionID int64) (app.PaymentRequest, bool, error) {
	r, err := queryOne(ctx, db.read, scanPaymentRequest, func() error { return nil },
		"read a payment request", `SELECT `+paymentRequestColumns+` FROM payment_request
		WHERE session_id = ? ORDER BY id DESC LIMIT 1`, sessionID)
	if err != nil {
		return app.PaymentRequest{}, false, err
	}
	return r, r.ID != 0, nil
}

// OpenPaymentRequests returns the departments' open requests, oldest first.
func (db *DB) OpenPaymentRequests(ctx context.Context, departmentIDs []int64) ([]app.PaymentRequest, error) {
	if len(departmentIDs) == 0 {
		return []app.PaymentRequest{}, nil
	}
	args := make([]any, len(departmentIDs))
	for i, id := range departmentIDs {
		args[i] = id
	}
	return queryAll(ctx, db.read, scanPaymentRequest, "read the payment requests", `SELECT `+paymentRequestColumns+`
		FROM payment_request WHERE state = 'open' AND department_id IN (?`+strings.Repeat(", ?", len(args)-1)+`)
		ORDER BY id`, args...)
}
