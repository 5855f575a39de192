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

var _ app.PaymentStore = (*DB)(nil)

// Paging limits of Payments.
const (
	defaultPaymentLimit = 100
	maxPaymentLimit     = 1000
)

// chargedOrOpenSQL is the states in which a refund or a void counts against
// its sale: charged, or still open (one that may have happened counts).
const chargedOrOpenSQL = `('approved', 'held', 'pending', 'unknown', 'needs-review')`

// The messages of the payment triggers of migration 00011, word for word:
// a trigger's refusal is recognised by SQLite's extended code
// (SQLITE_CONSTRAINT_TRIGGER) and this text, which RAISE sets as the
// error's message.
const (
	// RaiseLiveSale: a new sale (or a declined one reopened) for a purpose
	// and reference that has a live sale.
	RaiseLiveSale = "payment: a live sale for this purpose and reference exists"
	// RaiseRefundExceeds: a refund above what is left of its sale.
	RaiseRefundExceeds = "payment: refunds would exceed the sale's amount"
	// RaisePaidChanged: a pay-per-use or true-up sale whose basis (what the
	// session had paid when its amount due was worked out) no longer holds.
	RaisePaidChanged = "payment: the amount paid changed since the amount due was worked out"
	// RaiseBudgetExceeded: under the block policy, a pay-per-use sale that
	// its department's budget for the session's period does not cover
	// (migration 00015).
	RaiseBudgetExceeded = "payment: the department's budget does not cover this sale"
)

// paymentColumns selects a payment row (aliased p) with RefundedMinor for
// sales, in the order scanPayment reads them.
const paymentColumns = `
	p.id, p.key, p.invoice_id, p.kind, p.purpose, p.reference, p.parent_id,
	p.method, p.processor, p.mode, p.amount_minor, p.currency,
	p.description, p.payer_name, p.payer_email,
	p.state, p.gateway_ref, p.auth_code, p.brand, p.last4, p.funding,
	p.result_code, p.message, p.field, p.attempts, p.created_at, p.updated_at,
	p.capture_started_at,
	CASE WHEN p.kind = 'sale' THEN
		(SELECT coalesce(sum(r.amount_minor), 0) FROM payment r
		 WHERE r.parent_id = p.id AND r.kind = 'refund' AND r.state IN ` + chargedOrOpenSQL + `)
	ELSE 0 END`

func paymentNotFound(id int64) error {
	return app.Errorf(app.ENOTFOUND, "error.payment.not_found", "payment %d not found", id).
		With(map[string]any{"ID": id})
}

// CreatePayment inserts p in StatePending and sets p.ID, p.State,
// p.CreatedAt (kept when set, else now) and p.UpdatedAt. It validates
// nothing the domain validates (the table's CHECKs catch a bug as an
// internal error), but it decides what needs the journal itself, in the
// same write transaction as the insert:
//
//   - a refund's parent must be a sale (ENOTFOUND "error.payment.not_found"
//     when missing), charged and not voided (ECONFLICT
//     "error.payment.not_refundable"), in the refund's currency (EINVALID
//     "error.payment.currency_mismatch"), and the refund may not exceed
//     what is left of it, counting refunds that are charged or still open
//     (ECONFLICT "error.payment.refund_exceeds", Data "Left": what is left
//     in minor units);
//   - a void's parent must be a sale (ECONFLICT "error.payment.not_voidable");
//   - the key and the invoice id are unique (ECONFLICT
//     "error.payment.duplicate_key");
//   - a sale may not join a live sale of the same purpose and reference
//     (open, or for a registration charged): ECONFLICT
//     "error.payment.in_progress" or "error.payment.already_paid" (from
//     app.LiveSaleError), Data "ID": the live sale.
//
// The refund limit and the live sale rule are the database's own
// (triggers of migration 00011), so they hold for every process writing
// the file; transactions BEGIN IMMEDIATE, so nothing can commit between a
// trigger's look and the insert.
func (db *DB) CreatePayment(ctx context.Context, p *app.Payment) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

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
	if row.CreatedAt.IsZero() {
		row.CreatedAt = time.Now()
	}
	row.CreatedAt = row.CreatedAt.UTC()
	row.UpdatedAt = row.CreatedAt
	row.RefundedMinor = 0
	if row.ID, err = insertPayment(ctx, tx, row); err != nil {
		return err
	}
	if err := commit(tx); err != nil {
		return err
	}
	*p = row
	return nil
}

// MarkAttempt counts one more gateway call under the row's key.
func (db *DB) MarkAttempt(ctx context.Context, id int64, at time.Time) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	if err := incrementAttempts(ctx, tx, id, at); err != nil {
		return err
	}
	return commit(tx)
}

// MarkCaptureStarted records that the sale's capture is about to be sent
// (at, or now when zero). A later capture run moves the time forward; an
// earlier time than the stored one is ignored, never written.
func (db *DB) MarkCaptureStarted(ctx context.Context, id int64, at time.Time) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stamp := formatTime(orNow(at))
	res, err := tx.ExecContext(ctx, `
		UPDATE payment SET capture_started_at = max(coalesce(capture_started_at, ''), ?)
		WHERE id = ?`, stamp, id)
	if err != nil {
		return app.Internal(err, "record a capture's start")
	}
	if n, err := res.RowsAffected(); err != nil {
		return app.Internal(err, "record a capture's start")
	} else if n == 0 {
		return paymentNotFound(id)
	}
	return commit(tx)
}

// SettlePayment records a gateway answer (u.At, or now when zero, becomes
// updated_at) and applies the purpose's effect in the same transaction.
//
// Moves between states:
//
//   - pending and unknown may become anything: the answer is in;
//   - held may become approved (the merchant accepted it) or stay held;
//     approved stays approved. Money that moved is never recorded as not
//     having moved: ECONFLICT "error.payment.settled" otherwise (a trigger
//     refuses it too);
//   - needs-review is settled by hand, as approved, held, declined or
//     failed: ECONFLICT "error.payment.needs_review" otherwise;
//   - declined and failed may move anywhere: nothing moved, and a request
//     that certainly was not processed may be retried under the same key.
//
// The gateway reference, authorisation code, brand, last four digits and
// funding keep their stored values when the answer leaves them empty (a
// lookup's reply may not repeat them); result code, message and field are
// always the latest answer's.
func (db *DB) SettlePayment(ctx context.Context, id int64, u app.PaymentUpdate) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	p, err := findPayment(ctx, tx, id)
	if err != nil {
		return err
	}
	if err := app.SettleRefusal(p, u.State); err != nil {
		return err
	}
	if err := updatePaymentResult(ctx, tx, id, u); err != nil {
		return err
	}
	if err := applyPurposeEffects(ctx, tx, p, u); err != nil {
		return err
	}
	return commit(tx)
}

// Payment returns one row, with RefundedMinor for sales.
func (db *DB) Payment(ctx context.Context, id int64) (app.Payment, error) {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return app.Payment{}, err
	}
	defer tx.Rollback()
	return findPayment(ctx, tx, id)
}

// UnsettledPayments returns the pending and unknown rows, oldest first
// (needs-review rows wait for the administrator, not for reconciliation).
func (db *DB) UnsettledPayments(ctx context.Context) ([]app.Payment, error) {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findUnsettledPayments(ctx, tx)
}

// Payments returns rows newest first, and how many rows match, from one
// snapshot. Empty f.States selects every state; f.Limit defaults to 100
// and is at most 1000; a negative offset counts as 0.
func (db *DB) Payments(ctx context.Context, f app.PaymentFilter) ([]app.Payment, int, error) {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	limit := f.Limit
	if limit <= 0 {
		limit = defaultPaymentLimit
	}
	return findPayments(ctx, tx, f.States, max(f.Offset, 0), min(limit, maxPaymentLimit))
}

// ---- helpers on a transaction ----

// applyPurposeEffects is the seam where a payment's purpose takes effect:
// it runs in SettlePayment's transaction, after the row has been updated,
// so the effect commits together with the journal row or not at all. p is
// the row as it was before the answer (p.State is the old state); u is the
// answer just recorded.
//
// Later features hook in here: a registration marked paid when its sale
// becomes charged (and unpaid when a refund of all of it is charged), a
// session marked paid for pay-per-use and true-up. An effect must be
// idempotent, since the same row can be settled more than once (held, then
// approved). Returning an error rolls the settlement back. The existing
// purposes have no effect yet.
func applyPurposeEffects(ctx context.Context, tx *sql.Tx, p app.Payment, u app.PaymentUpdate) error {
	switch p.Purpose {
	case app.PurposeRegistration:
		if err := applyRegistrationPayment(ctx, tx, p, u); err != nil {
			return err
		}
		// Promotional codes (storage/promo.go): the reserved use becomes
		// final when the sale is charged, and is freed when it fails.
		if err := confirmPromoUse(ctx, tx, p, u); err != nil {
			return err
		}
	case app.PurposePayPerUse, app.PurposeTrueUp:
		// Pay-per-use (storage/payperuse.go): the session marked paid and
		// the department's ledger charged, refunded or trued up.
		if err := applyPayPerUsePayment(ctx, tx, p, u); err != nil {
			return err
		}
	case app.PurposeTestPayment:
		// No effect.
	}
	return nil
}

// checkRefund applies the journal's refund rules (app.RefundRefusal) to r.
func checkRefund(ctx context.Context, tx *sql.Tx, r *app.Payment) error {
	parent, err := findPayment(ctx, tx, r.ParentID)
	if err != nil {
		return err
	}
	var voids int
	if err := tx.QueryRowContext(ctx, `
		SELECT count(*) FROM payment
		WHERE parent_id = ? AND kind = 'void' AND state IN `+chargedOrOpenSQL,
		parent.ID).Scan(&voids); err != nil {
		return app.Internal(err, "read a payment's voids")
	}
	// The amount left is the database's rule (payment_refunds_within_sale):
	// the insert refuses a refund above it, and refundExceeds says why.
	return app.RefundRefusal(parent, *r, voids > 0)
}

// refundExceeds is the error for refund r refused by the database's
// refund limit, read in tx (still open after the refused statement).
func refundExceeds(ctx context.Context, tx *sql.Tx, r app.Payment, cause error) error {
	parent, err := findPayment(ctx, tx, r.ParentID)
	if err != nil {
		return err
	}
	return app.RefundExceedsError(parent, r, cause)
}

// liveSaleTaken is the error for sale p refused by the database's one live
// sale rule (payment_one_live_sale): it reads, in tx, the live sale in the
// way, with the trigger's own condition.
func liveSaleTaken(ctx context.Context, tx *sql.Tx, p app.Payment, cause error) error {
	live, err := queryOne(ctx, tx, scanPayment, func() error { return app.Internal(cause, "record a payment") },
		"read the live sale", `SELECT `+paymentColumns+` FROM payment p
		WHERE p.purpose = ? AND p.reference = ? AND p.kind = 'sale' AND p.id <> ?
		  AND (p.state IN ('pending', 'unknown', 'needs-review')
		       OR (p.purpose = 'registration' AND p.state IN ('approved', 'held')))
		ORDER BY p.id LIMIT 1`, string(p.Purpose), p.Reference, p.ID)
	if err != nil {
		return err
	}
	e := app.LiveSaleError(live)
	e.Err = cause
	return e
}

// moneyRule is the typed error for a refusal of p by one of the payment
// triggers, and nil for any other error.
func moneyRule(ctx context.Context, tx *sql.Tx, p app.Payment, err error) error {
	switch {
	case raised(err, RaiseLiveSale):
		return liveSaleTaken(ctx, tx, p, err)
	case raised(err, RaiseRefundExceeds):
		return refundExceeds(ctx, tx, p, err)
	case raised(err, RaiseBudgetExceeded):
		return budgetExceeded(ctx, tx, p, err)
	case raised(err, RaisePaidChanged):
		return app.PaidChangedError(err)
	}
	return nil
}

// raised reports whether err is a trigger's RAISE with message msg.
func raised(err error, msg string) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintTrigger && se.Error() == msg
}

// checkVoid applies the journal's void rules (app.VoidRefusal) to v.
func checkVoid(ctx context.Context, tx *sql.Tx, v *app.Payment) error {
	parent, err := findPayment(ctx, tx, v.ParentID)
	if err != nil {
		return err
	}
	return app.VoidRefusal(parent)
}

// parentID stores "no parent" (0) as NULL.
func parentID(id int64) sql.NullInt64 {
	return sql.NullInt64{Int64: id, Valid: id != 0}
}

func insertPayment(ctx context.Context, tx *sql.Tx, p app.Payment) (int64, error) {
	res, err := tx.ExecContext(ctx, `
		INSERT INTO payment (key, invoice_id, kind, purpose, reference, parent_id,
		                     method, processor, mode, amount_minor, currency,
		                     description, payer_name, payer_email,
		                     state, gateway_ref, auth_code, brand, last4, funding,
		                     result_code, message, field, attempts, created_at, updated_at,
		                     paid_before_minor)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.Key, p.InvoiceID, string(p.Kind), string(p.Purpose), p.Reference, parentID(p.ParentID),
		string(p.Method), string(p.Processor), string(p.Mode), p.AmountMinor, p.Currency,
		p.Description, p.PayerName, p.PayerEmail,
		string(p.State), p.GatewayRef, p.AuthCode, string(p.Brand), p.Last4, string(p.Funding),
		p.ResultCode, p.Message, p.Field, p.Attempts, formatTime(p.CreatedAt), formatTime(p.UpdatedAt),
		p.PaidBeforeMinor)
	var se sqlite3.Error
	if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique {
		return 0, &app.Error{
			Code: app.ECONFLICT, Key: "error.payment.duplicate_key",
			Message: "a payment with this key or invoice id is already recorded", Err: err,
		}
	}
	if rule := moneyRule(ctx, tx, p, err); rule != nil {
		return 0, rule
	}
	if err != nil {
		return 0, writeError(err, "record a payment")
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, app.Internal(err, "record a payment")
	}
	return id, nil
}

// orNow is t in UTC, or the current time when t is zero.
func orNow(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now().UTC()
	}
	return t.UTC()
}

func incrementAttempts(ctx context.Context, tx *sql.Tx, id int64, at time.Time) error {
	res, err := tx.ExecContext(ctx,
		`UPDATE payment SET attempts = attempts + 1, updated_at = ? WHERE id = ?`, formatTime(orNow(at)), id)
	if err != nil {
		return writeError(err, "count a payment attempt")
	}
	if n, err := res.RowsAffected(); err != nil {
		return app.Internal(err, "count a payment attempt")
	} else if n == 0 {
		return paymentNotFound(id)
	}
	return nil
}

func updatePaymentResult(ctx context.Context, tx *sql.Tx, id int64, u app.PaymentUpdate) error {
	res, err := tx.ExecContext(ctx, `
		UPDATE payment SET
			state       = ?,
			gateway_ref = CASE WHEN ? = '' THEN gateway_ref ELSE ? END,
			auth_code   = CASE WHEN ? = '' THEN auth_code ELSE ? END,
			brand       = CASE WHEN ? = '' THEN brand ELSE ? END,
			last4       = CASE WHEN ? = '' THEN last4 ELSE ? END,
			funding     = CASE WHEN ? = '' THEN funding ELSE ? END,
			result_code = ?,
			message     = ?,
			field       = ?,
			updated_at  = ?
		WHERE id = ?`,
		string(u.State),
		u.GatewayRef, u.GatewayRef,
		u.AuthCode, u.AuthCode,
		string(u.Brand), string(u.Brand),
		u.Last4, u.Last4,
		string(u.Funding), string(u.Funding),
		u.ResultCode, u.Message, u.Field, formatTime(orNow(u.At)), id)
	if err != nil {
		if raised(err, RaiseLiveSale) || raised(err, RaiseRefundExceeds) {
			p, ferr := findPayment(ctx, tx, id)
			if ferr != nil {
				return ferr
			}
			return moneyRule(ctx, tx, p, err)
		}
		return writeError(err, "settle a payment")
	}
	if n, err := res.RowsAffected(); err != nil {
		return app.Internal(err, "settle a payment")
	} else if n == 0 {
		return paymentNotFound(id)
	}
	return nil
}

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

func scanPayment(s rowScanner) (app.Payment, error) {
	var p app.Payment
	var kind, purpose, method, processor, mode, state, brand, funding, created, updated string
	var parent sql.NullInt64
	var captureStarted sql.NullString
	err := s.Scan(&p.ID, &p.Key, &p.InvoiceID, &kind, &purpose, &p.Reference, &parent,
		&method, &processor, &mode, &p.AmountMinor, &p.Currency,
		&p.Description, &p.PayerName, &p.PayerEmail,
		&state, &p.GatewayRef, &p.AuthCode, &brand, &p.Last4, &funding,
		&p.ResultCode, &p.Message, &p.Field, &p.Attempts, &created, &updated,
		&captureStarted, &p.RefundedMinor)
	if err != nil {
		return app.Payment{}, err
	}
	p.Kind, p.Purpose, p.ParentID = app.PaymentKind(kind), app.Purpose(purpose), parent.Int64
	p.Method, p.Processor, p.Mode = app.Method(method), app.Processor(processor), app.Mode(mode)
	p.State, p.Brand, p.Funding = app.PaymentState(state), app.Brand(brand), app.Funding(funding)
	if p.CreatedAt, err = parseTime(created); err != nil {
		return app.Payment{}, err
	}
	if p.UpdatedAt, err = parseTime(updated); err != nil {
		return app.Payment{}, err
	}
	if captureStarted.Valid {
		if p.CaptureStartedAt, err = parseTime(captureStarted.String); err != nil {
			return app.Payment{}, err
		}
	}
	return p, nil
}

func findPayment(ctx context.Context, tx *sql.Tx, id int64) (app.Payment, error) {
	return queryOne(ctx, tx, scanPayment, func() error { return paymentNotFound(id) },
		"read a payment", `SELECT `+paymentColumns+` FROM payment p WHERE p.id = ?`, id)
}

func queryPayments(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]app.Payment, error) {
	return queryAll(ctx, tx, scanPayment, "read the payments", query, args...)
}

// findUnsettledPayments repeats the payment_unsettled index's WHERE term
// word for word, so that SQLite uses the partial index, and narrows it down
// to what reconciliation settles.
func findUnsettledPayments(ctx context.Context, tx *sql.Tx) ([]app.Payment, error) {
	return queryPayments(ctx, tx, `SELECT `+paymentColumns+` FROM payment p
		WHERE p.state IN ('pending', 'unknown', 'needs-review') AND p.state <> 'needs-review'
		ORDER BY p.id`)
}

func findPayments(ctx context.Context, tx *sql.Tx, states []app.PaymentState, offset, limit int) ([]app.Payment, int, error) {
	where, args := "", []any{}
	if len(states) > 0 {
		marks := make([]string, len(states))
		for i, s := range states {
			marks[i] = "?"
			args = append(args, string(s))
		}
		where = ` WHERE p.state IN (` + strings.Join(marks, ", ") + `)`
	}
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM payment p`+where, args...).Scan(&total); err != nil {
		return nil, 0, app.Internal(err, "count the payments")
	}
	if offset >= total {
		return []app.Payment{}, total, nil
	}
	payments, err := queryPayments(ctx, tx, `SELECT `+paymentColumns+` FROM payment p`+where+
		` ORDER BY p.id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	return payments, total, nil
}
