package postgres

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/trainpay/trainpay/app"
)

var _ app.PaymentStore = (*DB)(nil)

// Paging limits of Payments (as storage's).
const (
	defaultPaymentLimit = 100
	maxPaymentLimit     = 1000
)

// The SQLSTATEs the journal's triggers raise (migrations 00002, 00011,
// 00013, 00015), in TrainPay's own class TP; the messages are SQLite's word for
// word (storage.RaiseLiveSale and the others).
const (
	// StateAppendAndSettle: a change to a row that only the answer,
	// attempts and updated_at may undergo, or a charged row uncharged.
	StateAppendAndSettle = "TP001"
	// StateLiveSale: a new sale (or a declined one reopened) for a purpose
	// and reference that has a live sale.
	StateLiveSale = "TP011"
	// StateRefundExceeds: a refund above what is left of its sale.
	StateRefundExceeds = "TP012"
	// StatePaidChanged: a pay-per-use or true-up sale whose basis no
	// longer holds.
	StatePaidChanged = "TP013"
	// StateBudgetExceeded: under the block policy, a pay-per-use sale that
	// its department's budget does not cover (migration 00015).
	StateBudgetExceeded = "TP014"
)

// Constraints whose violation (23505, unique_violation) means something to
// a person.
const (
	// ConstraintOneOpenSale: two writers recorded an open sale for one
	// purpose and reference at the same moment (migration 00011).
	ConstraintOneOpenSale = "payment_one_open_sale"
	// ConstraintKey and ConstraintInvoice: a key or invoice id reused.
	ConstraintKey     = "payment_key_key"
	ConstraintInvoice = "payment_invoice_id_key"
)

// chargedOrOpenSQL is the states in which a refund or a void counts
// against its sale.
const chargedOrOpenSQL = `('approved', 'held', 'pending', 'unknown', 'needs-review')`

// paymentColumns selects a payment row (aliased p) with RefundedMinor for
// sales, in the order scanPayment reads them.
const paymentColumns = `
	p.id, p.key, p.invoice_id, p.kind, p.purpose, p.reference, coalesce(p.parent_id, 0),
	p.method, p.processor, p.mode, p.amount_minor, p.currency,
	p.description, p.payer_name, p.payer_email,
	p.state, p.gateway_ref, p.auth_code, p.brand, p.last4, p.funding,
	p.result_code, p.message, p.field, p.attempts, p.created_at, p.updated_at,
	p.capture_started_at,
	CASE WHEN p.kind = 'sale' THEN
		(SELECT coalesce(sum(r.amount_minor), 0) FROM payment r
		 WHERE r.parent_id = p.id AND r.kind = 'refund' AND r.state IN ` + chargedOrOpenSQL + `)::bigint
	ELSE 0 END`

// stamp is t as PostgreSQL keeps it: UTC, whole microseconds (pgx
// truncates the nanoseconds; doing it here too makes what CreatePayment
// returns equal what a read returns).
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// orNow is stamp(t), or the current time when t is zero.
func orNow(t time.Time) time.Time {
	if t.IsZero() {
		return stamp(time.Now())
	}
	return stamp(t)
}

func paymentNotFound(id int64) error {
	return app.Errorf(app.ENOTFOUND, "error.payment.not_found", "payment %d not found", id).
		With(map[string]any{"ID": id})
}

// pgError is err's PostgreSQL error, if it has one.
func pgError(err error) *pgconn.PgError {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}

// begin starts a READ COMMITTED transaction: every statement sees what was
// committed when it began, and the journal's rules hold by the triggers'
// locks and the unique index (migration 00011).
func (db *DB) begin(ctx context.Context) (pgx.Tx, error) {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return nil, db.unreachable(err)
	}
	return tx, nil
}

// beginRead starts a read-only transaction on one snapshot.
func (db *DB) beginRead(ctx context.Context) (pgx.Tx, error) {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, db.unreachable(err)
	}
	return tx, nil
}

func commit(ctx context.Context, tx pgx.Tx, what string) error {
	if err := tx.Commit(ctx); err != nil {
		return internalError(err, what)
	}
	return nil
}

// CreatePayment inserts p in StatePending and sets p.ID, p.State,
// p.CreatedAt (kept when set, else now; UTC, whole microseconds) and
// p.UpdatedAt, with storage.DB.CreatePayment's rules and errors: a
// refund's parent must be a charged, unvoided sale in its currency and the
// refund within what is left of it; a void's parent a sale; key and
// invoice id unique; one live sale per purpose and reference.
//
// The refund limit, the live sale rule and the pay-per-use basis are the
// database's (migrations 00011 and 00013), so they hold for every desktop
// writing the organisation database.
func (db *DB) CreatePayment(ctx context.Context, p *app.Payment) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)

	switch p.Kind {
	case app.KindRefund:
		if err := checkRefund(ctx, tx, p); err != nil {
			return err
		}
	case app.KindVoid:
		if err := checkVoid(ctx, tx, p); err != nil {
			return err
		}
	}
	row := *p
	row.State = app.StatePending
	row.CreatedAt = orNow(row.CreatedAt)
	row.UpdatedAt = row.CreatedAt
	row.RefundedMinor = 0
	if row.ID, err = insertPayment(ctx, tx, row); err != nil {
		return err
	}
	if err := commit(ctx, tx, "record a payment"); err != nil {
		return err
	}
	*p = row
	return nil
}

// MarkAttempt counts one more gateway call under the row's key.
func (db *DB) MarkAttempt(ctx context.Context, id int64, at time.Time) error {
	tag, err := db.pool.Exec(ctx, `UPDATE payment SET attempts = attempts + 1, updated_at = $1 WHERE id = $2`, orNow(at), id)
	if err != nil {
		return internalError(err, "count a payment attempt")
	}
	if tag.RowsAffected() == 0 {
		return paymentNotFound(id)
	}
	return nil
}

// MarkCaptureStarted records that the sale's capture is about to be sent
// (at, or now when zero); the stored time only moves forward.
func (db *DB) MarkCaptureStarted(ctx context.Context, id int64, at time.Time) error {
	tag, err := db.pool.Exec(ctx, `
		UPDATE payment SET capture_started_at = greatest(capture_started_at, $1) WHERE id = $2`, orNow(at), id)
	if err != nil {
		return internalError(err, "record a capture's start")
	}
	if tag.RowsAffected() == 0 {
		return paymentNotFound(id)
	}
	return nil
}

// SettlePayment records a gateway answer and applies the purpose's effect
// in the same transaction, with storage.DB.SettlePayment's moves between
// states and errors. The row is locked (SELECT ... FOR UPDATE) while its
// old state is judged, so two desktops settling one row take turns.
func (db *DB) SettlePayment(ctx context.Context, id int64, u app.PaymentUpdate) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)

	p, err := findPayment(ctx, tx, id, true)
	if err != nil {
		return err
	}
	if err := app.SettleRefusal(p, u.State); err != nil {
		return err
	}
	if err := updatePaymentResult(ctx, tx, p, u); err != nil {
		return err
	}
	if err := applyPurposeEffects(ctx, tx, p, u); err != nil {
		return err
	}
	return commit(ctx, tx, "settle a payment")
}

// Payment returns one row, with RefundedMinor for sales.
func (db *DB) Payment(ctx context.Context, id int64) (app.Payment, error) {
	return findPayment(ctx, db.pool, id, false)
}

// UnsettledPayments returns the pending and unknown rows, oldest first.
func (db *DB) UnsettledPayments(ctx context.Context) ([]app.Payment, error) {
	return queryPayments(ctx, db.pool, `SELECT `+paymentColumns+` FROM payment p
		WHERE p.state IN ('pending', 'unknown', 'needs-review') AND p.state <> 'needs-review'
		ORDER BY p.id`)
}

// Payments returns rows newest first, and how many rows match, from one
// snapshot. Empty f.States selects every state; f.Limit defaults to 100
// and is at most 1000; a negative offset counts as 0.
func (db *DB) Payments(ctx context.Context, f app.PaymentFilter) ([]app.Payment, int, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback(ctx)
	limit := f.Limit
	if limit <= 0 {
		limit = defaultPaymentLimit
	}
	limit, offset := min(limit, maxPaymentLimit), max(f.Offset, 0)

	where, args := "", []any{}
	if len(f.States) > 0 {
		states := make([]string, len(f.States))
		for i, s := range f.States {
			states[i] = string(s)
		}
		where, args = ` WHERE p.state = ANY ($1)`, []any{states}
	}
	var total int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM payment p`+where, args...).Scan(&total); err != nil {
		return nil, 0, internalError(err, "count the payments")
	}
	if offset >= total {
		return []app.Payment{}, total, nil
	}
	n := len(args)
	payments, err := queryPayments(ctx, tx, `SELECT `+paymentColumns+` FROM payment p`+where+
		` ORDER BY p.id DESC LIMIT $`+strconv.Itoa(n+1)+` OFFSET $`+strconv.Itoa(n+2), append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	return payments, total, nil
}

// ---- helpers ----

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// checkRefund applies the journal's refund rules (app.RefundRefusal) to
// r; the amount left is the database's rule.
func checkRefund(ctx context.Context, tx pgx.Tx, r *app.Payment) error {
	parent, err := findPayment(ctx, tx, r.ParentID, false)
	if err != nil {
		return err
	}
	var voids int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM payment
		WHERE parent_id = $1 AND kind = 'void' AND state IN `+chargedOrOpenSQL, parent.ID).Scan(&voids); err != nil {
		return internalError(err, "read a payment's voids")
	}
	return app.RefundRefusal(parent, *r, voids > 0)
}

// checkVoid applies the journal's void rules (app.VoidRefusal) to v.
func checkVoid(ctx context.Context, tx pgx.Tx, v *app.Payment) error {
	parent, err := findPayment(ctx, tx, v.ParentID, false)
	if err != nil {
		return err
	}
	return app.VoidRefusal(parent)
}

// moneyRule is the typed error for p refused by one of the journal's
// rules (a trigger's SQLSTATE, or the unique index on open sales), read in
// tx after the refused statement's savepoint was rolled back; nil for any
// other error.
func moneyRule(ctx context.Context, tx pgx.Tx, p app.Payment, err error) error {
	pe := pgError(err)
	if pe == nil {
		return nil
	}
	switch {
	case pe.Code == StateLiveSale,
		pe.Code == pgerrUniqueViolation && pe.ConstraintName == ConstraintOneOpenSale:
		return liveSaleTaken(ctx, tx, p, err)
	case pe.Code == StateRefundExceeds:
		return refundExceeds(ctx, tx, p, err)
	case pe.Code == StateBudgetExceeded:
		return budgetExceeded(ctx, tx, p, err)
	case pe.Code == StatePaidChanged:
		return app.PaidChangedError(err)
	case pe.Code == pgerrUniqueViolation && (pe.ConstraintName == ConstraintKey || pe.ConstraintName == ConstraintInvoice):
		return &app.Error{
			Code: app.ECONFLICT, Key: "error.payment.duplicate_key",
			Message: "a payment with this key or invoice id is already recorded", Err: err,
		}
	}
	return nil
}

// pgerrUniqueViolation is SQLSTATE unique_violation.
const pgerrUniqueViolation = "23505"

// liveSaleTaken is the error for sale p refused by the one live sale rule:
// it reads the live sale in the way, with the trigger's own condition.
func liveSaleTaken(ctx context.Context, tx pgx.Tx, p app.Payment, cause error) error {
	rows, err := tx.Query(ctx, `SELECT `+paymentColumns+` FROM payment p
		WHERE p.purpose = $1 AND p.reference = $2 AND p.kind = 'sale' AND p.id <> $3
		  AND (p.state IN ('pending', 'unknown', 'needs-review')
		       OR (p.purpose = 'registration' AND p.state IN ('approved', 'held')))
		ORDER BY p.id LIMIT 1`, string(p.Purpose), p.Reference, p.ID)
	if err != nil {
		return internalError(errors.Join(cause, err), "read the live sale")
	}
	live, err := pgx.CollectRows(rows, scanPayment)
	if err != nil {
		return internalError(errors.Join(cause, err), "read the live sale")
	}
	if len(live) == 0 {
		return internalError(cause, "record a payment")
	}
	e := app.LiveSaleError(live[0])
	e.Err = cause
	return e
}

// refundExceeds is the error for refund r refused by the refund limit.
func refundExceeds(ctx context.Context, tx pgx.Tx, r app.Payment, cause error) error {
	parent, err := findPayment(ctx, tx, r.ParentID, false)
	if err != nil {
		return err
	}
	return app.RefundExceedsError(parent, r, cause)
}

// guarded runs write in a savepoint of tx; when the database refuses it
// by a money rule, the savepoint is rolled back (PostgreSQL aborts a
// transaction at its first error) and the typed error read in tx.
func guarded(ctx context.Context, tx pgx.Tx, p app.Payment, what string, write func(pgx.Tx) error) error {
	sp, err := tx.Begin(ctx)
	if err != nil {
		return internalError(err, what)
	}
	err = write(sp)
	if err == nil {
		return sp.Commit(ctx)
	}
	if rbErr := sp.Rollback(ctx); rbErr != nil {
		return internalError(errors.Join(err, rbErr), what)
	}
	if rule := moneyRule(ctx, tx, p, err); rule != nil {
		return rule
	}
	var ae *app.Error
	if errors.As(err, &ae) {
		return err
	}
	return internalError(err, what)
}

func insertPayment(ctx context.Context, tx pgx.Tx, p app.Payment) (int64, error) {
	var id int64
	err := guarded(ctx, tx, p, "record a payment", func(sp pgx.Tx) error {
		var parent *int64
		if p.ParentID != 0 {
			parent = &p.ParentID
		}
		return sp.QueryRow(ctx, `
			INSERT INTO payment (key, invoice_id, kind, purpose, reference, parent_id,
			                     method, processor, mode, amount_minor, currency,
			                     description, payer_name, payer_email,
			                     state, gateway_ref, auth_code, brand, last4, funding,
			                     result_code, message, field, attempts, created_at, updated_at,
			                     paid_before_minor)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
			        $21, $22, $23, $24, $25, $26, $27)
			RETURNING id`,
			p.Key, p.InvoiceID, string(p.Kind), string(p.Purpose), p.Reference, parent,
			string(p.Method), string(p.Processor), string(p.Mode), p.AmountMinor, p.Currency,
			p.Description, p.PayerName, p.PayerEmail,
			string(p.State), p.GatewayRef, p.AuthCode, string(p.Brand), p.Last4, string(p.Funding),
			p.ResultCode, p.Message, p.Field, p.Attempts, p.CreatedAt, p.UpdatedAt,
			p.PaidBeforeMinor).Scan(&id)
	})
	return id, err
}

func updatePaymentResult(ctx context.Context, tx pgx.Tx, p app.Payment, u app.PaymentUpdate) error {
	return guarded(ctx, tx, p, "settle a payment", func(sp pgx.Tx) error {
		_, err := sp.Exec(ctx, `
			UPDATE payment SET
				state       = $1,
				gateway_ref = CASE WHEN $2 = '' THEN gateway_ref ELSE $2 END,
				auth_code   = CASE WHEN $3 = '' THEN auth_code ELSE $3 END,
				brand       = CASE WHEN $4 = '' THEN brand ELSE $4 END,
				last4       = CASE WHEN $5 = '' THEN last4 ELSE $5 END,
				funding     = CASE WHEN $6 = '' THEN funding ELSE $6 END,
				result_code = $7,
				message     = $8,
				field       = $9,
				updated_at  = $10
			WHERE id = $11`,
			string(u.State), u.GatewayRef, u.AuthCode, string(u.Brand), u.Last4, string(u.Funding),
			u.ResultCode, u.Message, u.Field, orNow(u.At), p.ID)
		return err
	})
}

// applyPurposeEffects is storage's seam of the same name: a payment's
// purpose takes effect in SettlePayment's transaction. Pay-per-use and
// true-up payments in payperuse.go; registrations and promotional codes
// here.
func applyPurposeEffects(ctx context.Context, tx pgx.Tx, p app.Payment, u app.PaymentUpdate) error {
	if p.Purpose == app.PurposePayPerUse || p.Purpose == app.PurposeTrueUp {
		return applyPayPerUsePayment(ctx, tx, p, u)
	}
	if p.Purpose != app.PurposeRegistration || !u.State.Charged() {
		return nil
	}
	at := orNow(u.At)
	switch p.Kind {
	case app.KindSale:
		id, ok := registrationID(p.Reference)
		if !ok {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE registration SET
				status     = CASE WHEN status IN ('pending-payment', 'expired') THEN 'paid' ELSE status END,
				payment_id = $1, paid_minor = $2, hold_until = NULL,
				paid_at    = coalesce(paid_at, $3),
				updated_at = $3
			WHERE id = $4 AND (payment_id IS NULL OR payment_id = $1)`,
			p.ID, p.AmountMinor, at, id); err != nil {
			return internalError(err, "mark a registration paid")
		}
		// The reserved use of a promotional code becomes final.
		if _, err := tx.Exec(ctx, `
			UPDATE promo_redemption SET state = 'used', payment_id = $1, updated_at = $2
			WHERE registration_id = $3 AND state = 'reserved'`, p.ID, at, id); err != nil {
			return internalError(err, "settle a promotional code's use")
		}
	case app.KindRefund:
		if _, err := tx.Exec(ctx, `UPDATE registration SET
				refunded_minor = least(paid_minor, (SELECT coalesce(sum(amount_minor), 0) FROM payment
					WHERE parent_id = $1 AND kind = 'refund' AND state IN ('approved', 'held'))),
				updated_at = $2
			WHERE payment_id = $1`, p.ParentID, at); err != nil {
			return internalError(err, "mark a registration refunded")
		}
		if _, err := tx.Exec(ctx, `UPDATE registration SET
				status       = CASE WHEN refunded_minor >= paid_minor THEN 'refunded' ELSE 'partially-refunded' END,
				cancelled_at = coalesce(cancelled_at, $2),
				hold_until   = NULL
			WHERE payment_id = $1 AND refunded_minor > 0`, p.ParentID, at); err != nil {
			return internalError(err, "mark a registration refunded")
		}
	}
	return nil
}

// registrationID reads "registration:<id>".
func registrationID(ref string) (int64, bool) {
	s, ok := strings.CutPrefix(ref, "registration:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

func scanPayment(row pgx.CollectableRow) (app.Payment, error) {
	var p app.Payment
	var kind, purpose, method, processor, mode, state, brand, funding string
	var captureStarted *time.Time
	err := row.Scan(&p.ID, &p.Key, &p.InvoiceID, &kind, &purpose, &p.Reference, &p.ParentID,
		&method, &processor, &mode, &p.AmountMinor, &p.Currency,
		&p.Description, &p.PayerName, &p.PayerEmail,
		&state, &p.GatewayRef, &p.AuthCode, &brand, &p.Last4, &funding,
		&p.ResultCode, &p.Message, &p.Field, &p.Attempts, &p.CreatedAt, &p.UpdatedAt,
		&captureStarted, &p.RefundedMinor)
	if err != nil {
		return app.Payment{}, err
	}
	p.Kind, p.Purpose = app.PaymentKind(kind), app.Purpose(purpose)
	p.Method, p.Processor, p.Mode = app.Method(method), app.Processor(processor), app.Mode(mode)
	p.State, p.Brand, p.Funding = app.PaymentState(state), app.Brand(brand), app.Funding(funding)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	if captureStarted != nil {
		p.CaptureStartedAt = captureStarted.UTC()
	}
	return p, nil
}

// findPayment reads one row; forUpdate locks it until tx ends.
func findPayment(ctx context.Context, q querier, id int64, forUpdate bool) (app.Payment, error) {
	query := `SELECT ` + paymentColumns + ` FROM payment p WHERE p.id = $1`
	if forUpdate {
		query += ` FOR UPDATE OF p`
	}
	rows, err := q.Query(ctx, query, id)
	if err != nil {
		return app.Payment{}, internalError(err, "read a payment")
	}
	p, err := pgx.CollectExactlyOneRow(rows, scanPayment)
	if errors.Is(err, pgx.ErrNoRows) {
		return app.Payment{}, paymentNotFound(id)
	}
	if err != nil {
		return app.Payment{}, internalError(err, "read a payment")
	}
	return p, nil
}

func queryPayments(ctx context.Context, q querier, query string, args ...any) ([]app.Payment, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, internalError(err, "read the payments")
	}
	out, err := pgx.CollectRows(rows, scanPayment)
	if err != nil {
		return nil, internalError(err, "read the payments")
	}
	if out == nil {
		out = []app.Payment{}
	}
	return out, nil
}
