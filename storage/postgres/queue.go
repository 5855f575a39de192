package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trainpay/trainpay/app"
)

var _ app.PaymentRequestStore = (*DB)(nil)

const paymentRequestColumns = `id, session_id, department_id, amount_minor, currency, state, reason,
	payment_id, decided_by, created_at, updated_at, decided_at`

// scanPaymentRequest reads a payment_request row (paymentRequestColumns).
func scanPaymentRequest(row pgx.CollectableRow) (app.PaymentRequest, error) {
	var r app.PaymentRequest
	var state string
	var payment *int64
	var decided *time.Time
	if err := row.Scan(&r.ID, &r.SessionID, &r.DepartmentID, &r.AmountMinor, &r.Currency, &state, &r.Reason,
		&payment, &r.DecidedBy, &r.CreatedAt, &r.UpdatedAt, &decided); err != nil {
		return app.PaymentRequest{}, err
	}
	r.State = app.RequestState(state)
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	if payment != nil {
		r.PaymentID = *payment
	}
	if decided != nil {
		r.DecidedAt = decided.UTC()
	}
	return r, nil
}

func paymentRequestNotFound(id int64) error {
	return app.Errorf(app.ENOTFOUND, "error.queue.not_found", "payment request %d not found", id).
		With(map[string]any{"ID": id})
}

// OpenPaymentRequest opens the session's request, or updates the one open,
// in one statement on the index that allows one open request per session:
// two desktops doing it at once leave one open request.
func (db *DB) OpenPaymentRequest(ctx context.Context, r *app.PaymentRequest) error {
	rows, err := db.pool.Query(ctx, `
		INSERT INTO payment_request (session_id, department_id, amount_minor, currency, state, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 'open', $5, $5)
		ON CONFLICT (session_id) WHERE state = 'open' DO UPDATE SET
			department_id = excluded.department_id, amount_minor = excluded.amount_minor,
			currency = excluded.currency, updated_at = excluded.updated_at
		RETURNING `+paymentRequestColumns,
		r.SessionID, r.DepartmentID, r.AmountMinor, strings.ToUpper(r.Currency), stamp(orNow(r.UpdatedAt)))
	if err != nil {
		return db.unreachable(err)
	}
	got, err := pgx.CollectExactlyOneRow(rows, scanPaymentRequest)
	if err != nil {
		if pe := pgError(err); pe != nil && pe.Code == pgerrForeignKey {
			return sessionNotFound(r.SessionID)
		}
		return app.Internal(err, "save a payment request")
	}
	*r = got
	return nil
}

// AnswerPaymentRequest closes an open request; the UPDATE takes only an
// open row (PostgreSQL re-checks the state after waiting for another
// answer's row lock), so two answers never both close it.
func (db *DB) AnswerPaymentRequest(ctx context.Context, id int64, a app.RequestAnswer) error {
	var payment *int64
	if a.PaymentID != 0 {
		payment = &a.PaymentID
	}
	at := stamp(orNow(a.At))
	tag, err := db.pool.Exec(ctx, `
		UPDATE payment_request SET state = $1, reason = $2, payment_id = $3, decided_by = $4, decided_at = $5, updated_at = $5
		WHERE id = $6 AND state = 'open'`, string(a.State), a.Reason, payment, a.DecidedBy, at, id)
	if err != nil {
		return app.Internal(err, "answer a payment request")
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	if _, err := db.PaymentRequest(ctx, id); err != nil {
		return err
	}
	return app.Errorf(app.ECONFLICT, "error.queue.not_open", "this request was answered already or is no longer needed").
		With(map[string]any{"ID": id})
}

// PaymentRequest returns one request.
func (db *DB) PaymentRequest(ctx context.Context, id int64) (app.PaymentRequest, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+paymentRequestColumns+` FROM payment_request WHERE id = $1`, id)
	if err != nil {
		return app.PaymentRequest{}, db.unreachable(err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, scanPaymentRequest)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return app.PaymentRequest{}, paymentRequestNotFound(id)
	case err != nil:
		return app.PaymentRequest{}, app.Internal(err, "read a payment request")
	}
	return r, nil
}

// LatestPaymentRequest returns the session's newest request.
func (db *DB) LatestPaymentRequest(ctx context.Context, sessionID int64) (app.PaymentRequest, bool, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+paymentRequestColumns+` FROM payment_request
		WHERE session_id = $1 ORDER BY id DESC LIMIT 1`, sessionID)
	if err != nil {
		return app.PaymentRequest{}, false, db.unreachable(err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, scanPaymentRequest)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return app.PaymentRequest{}, false, nil
	case err != nil:
		return app.PaymentRequest{}, false, app.Internal(err, "read a payment request")
	}
	return r, true, nil
}

// OpenPaymentRequests returns the departments' open requests, oldest first.
func (db *DB) OpenPaymentRequests(ctx context.Context, departmentIDs []int64) ([]app.PaymentRequest, error) {
	if len(departmentIDs) == 0 {
		return []app.PaymentRequest{}, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT `+paymentRequestColumns+` FROM payment_request
		WHERE state = 'open' AND department_id = ANY($1) ORDER BY id`, departmentIDs)
	if err != nil {
		return nil, db.unreachable(err)
	}
	out, err := pgx.CollectRows(rows, scanPaymentRequest)
	if err != nil {
		return nil, app.Internal(err, "read the payment requests")
	}
	return out, nil
}
