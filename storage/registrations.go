package storage

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/trainpay/trainpay/app"
)

var _ app.RegistrationStore = (*DB)(nil)

const registrationColumns = `r.id, r.session_id, r.first_name, r.last_name, r.email, r.company, r.country,
	r.language, r.status, r.confirmation, r.fee_minor, r.discount_minor, r.total_minor, r.currency,
	r.promo_code, r.hold_until, r.payment_id, r.paid_minor, r.refunded_minor, r.paid_at,
	r.cancelled_at, r.created_at, r.updated_at,
	coalesce(p.method, ''), coalesce(p.brand, ''), coalesce(p.last4, ''), coalesce(p.gateway_ref, ''),
	coalesce(p.mode, '')`

const registrationFrom = ` FROM registration r LEFT JOIN payment p ON p.id = r.payment_id`

func registrationNotFound(id int64) error {
	return app.Errorf(app.ENOTFOUND, "error.registration.not_found", "registration %d not found", id).
		With(map[string]any{"ID": id})
}

// Register takes a seat for r in one write transaction: the write pool's
// single connection and BEGIN IMMEDIATE make the count and the insert one
// step that no other registration can come between, so the capacity holds
// whatever the number of attendees registering at the same moment.
func (db *DB) Register(ctx context.Context, r *app.Registration, now time.Time) error {
	now = orNow(now)
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	s, err := findSession(ctx, tx, r.SessionID)
	if err != nil {
		return err
	}
	switch {
	case s.Status == app.SessionCancelled:
		return app.Errorf(app.ECONFLICT, "error.registration.session_cancelled", "the session is cancelled")
	case !now.Before(s.RegistrationDeadline()):
		return app.Errorf(app.ECONFLICT, "error.registration.closed", "registration for this session is closed")
	}
	if err := expireHolds(ctx, tx, s.ID, now); err != nil {
		return err
	}
	var existing string
	err = tx.QueryRowContext(ctx, `SELECT status FROM registration
		WHERE session_id = ? AND email = ? AND status IN ('pending-payment', 'registered', 'paid')`,
		s.ID, r.Email).Scan(&existing)
	switch {
	case err == nil:
		return duplicateRegistration(r.Email, existing, nil)
	case !errors.Is(err, sql.ErrNoRows):
		return app.Internal(err, "read a session's registrations")
	}
	if s.MaxRegistrations > 0 {
		taken, err := seatsTaken(ctx, tx, s.ID, now)
		if err != nil {
			return err
		}
		if taken >= s.MaxRegistrations {
			return app.Errorf(app.ECONFLICT, "error.registration.full",
				"the session is full (%d of %d seats taken)", taken, s.MaxRegistrations).
				With(map[string]any{"Max": s.MaxRegistrations})
		}
	}
	row := *r
	row.FeeMinor, row.DiscountMinor, row.TotalMinor, row.Currency = s.FeeMinor, 0, s.FeeMinor, s.Currency
	row.PromoCode, row.PaymentID, row.PaidMinor, row.RefundedMinor = "", 0, 0, 0
	row.CreatedAt, row.UpdatedAt = now, now
	if s.Type == app.SessionPaid {
		row.Status, row.HoldUntil = app.RegPendingPayment, now.Add(app.SeatHold)
	} else {
		row.Status, row.HoldUntil = app.RegRegistered, time.Time{}
	}
	if row.Language == "" {
		row.Language = "en"
	}
	for attempt := 0; ; attempt++ {
		row.Confirmation = app.NewConfirmation()
		res, err := tx.ExecContext(ctx, `
			INSERT INTO registration (session_id, first_name, last_name, email, company, country, language,
				status, confirmation, fee_minor, discount_minor, total_minor, currency, hold_until,
				created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			row.SessionID, row.FirstName, row.LastName, row.Email, row.Company, row.Country, row.Language,
			string(row.Status), row.Confirmation, row.FeeMinor, row.DiscountMinor, row.TotalMinor, row.Currency,
			optTime(row.HoldUntil), formatTime(now), formatTime(now))
		var se sqlite3.Error
		if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique {
			if strings.Contains(se.Error(), "confirmation") && attempt < 5 {
				continue // a confirmation number drawn twice: draw again
			}
			return duplicateRegistration(r.Email, "", err)
		}
		if err != nil {
			return app.Internal(err, "save a registration")
		}
		if row.ID, err = res.LastInsertId(); err != nil {
			return app.Internal(err, "save a registration")
		}
		break
	}
	if err := commit(tx); err != nil {
		return err
	}
	*r = row
	return nil
}

func duplicateRegistration(email, status string, cause error) error {
	key := "error.registration.duplicate"
	if status == string(app.RegPendingPayment) {
		key = "error.registration.duplicate_pending"
	}
	return &app.Error{
		Code: app.ECONFLICT, Key: key, Err: cause,
		Message: email + " is already registered for this session", Data: map[string]any{"Email": email},
	}
}

// expireHolds gives back the seats of a session's pending registrations
// whose hold ran out and that have no open payment.
func expireHolds(ctx context.Context, tx *sql.Tx, sessionID int64, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE registration AS r SET status = 'expired', updated_at = ?1
		WHERE r.session_id = ?2 AND r.status = 'pending-payment' AND r.hold_until <= ?1 AND NOT `+openPaymentSQL,
		formatTime(now), sessionID); err != nil {
		return app.Internal(err, "release unpaid seats")
	}
	return nil
}

// RenewHold re-checks and renews a pending registration's seat before a
// payment attempt, in one write transaction.
func (db *DB) RenewHold(ctx context.Context, id int64, now, until time.Time) error {
	now = orNow(now)
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	r, err := findRegistration(ctx, tx, id)
	if err != nil {
		return err
	}
	s, err := findSession(ctx, tx, r.SessionID)
	if err != nil {
		return err
	}
	if s.Status == app.SessionCancelled {
		return app.Errorf(app.ECONFLICT, "error.registration.session_cancelled", "the session is cancelled")
	}
	if err := expireHolds(ctx, tx, s.ID, now); err != nil {
		return err
	}
	var status string
	if err := tx.QueryRowContext(ctx, `SELECT status FROM registration WHERE id = ?`, id).Scan(&status); err != nil {
		return app.Internal(err, "read a registration")
	}
	switch app.RegistrationStatus(status) {
	case app.RegPendingPayment:
	case app.RegExpired:
		// The hold ran out: take a seat again if one is free (and nobody has
		// registered the same email since).
		if s.MaxRegistrations > 0 {
			taken, err := seatsTaken(ctx, tx, s.ID, now)
			if err != nil {
				return err
			}
			if taken >= s.MaxRegistrations {
				return app.Errorf(app.ECONFLICT, "error.registration.full",
					"the session is full (%d of %d seats taken)", taken, s.MaxRegistrations).
					With(map[string]any{"Max": s.MaxRegistrations})
			}
		}
	default:
		return app.Errorf(app.ECONFLICT, "error.registration.not_pending",
			"the registration is %s, not waiting for payment", status).With(map[string]any{"Status": status})
	}
	_, err = tx.ExecContext(ctx, `UPDATE registration SET status = 'pending-payment', hold_until = ?, updated_at = ?
		WHERE id = ?`, formatTime(until), formatTime(now), id)
	var se sqlite3.Error
	if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique {
		return duplicateRegistration(r.Email, "", err)
	}
	if err != nil {
		return app.Internal(err, "hold a seat")
	}
	return commit(tx)
}

// SetPrice records a promotional code's discount on a pending registration.
func (db *DB) SetPrice(ctx context.Context, id int64, code string, discountMinor, totalMinor int64) error {
	return db.updateOne(ctx, notPending, "save a registration's discount", `
		UPDATE registration SET promo_code = ?, discount_minor = ?, total_minor = ?,
		updated_at = ? WHERE id = ? AND status = 'pending-payment' AND fee_minor - ? = ?`,
		code, discountMinor, totalMinor, formatTime(time.Now()), id, discountMinor, totalMinor)
}

func notPending(*sql.Tx) error {
	return app.Errorf(app.ECONFLICT, "error.registration.not_pending", "the registration is not waiting for payment").
		With(map[string]any{"Status": ""})
}

// ConfirmFree marks a pending registration whose total is zero as paid.
func (db *DB) ConfirmFree(ctx context.Context, id int64, at time.Time) error {
	return db.updateOne(ctx, notPending, "confirm a registration", `
		UPDATE registration SET status = 'paid', paid_at = ?1, hold_until = '',
		updated_at = ?1 WHERE id = ?2 AND status = 'pending-payment' AND total_minor = 0`, formatTime(orNow(at)), id)
}

// CancelRegistration marks a registration that holds a seat as cancelled.
func (db *DB) CancelRegistration(ctx context.Context, id int64, at time.Time) error {
	return db.updateOne(ctx, func(tx *sql.Tx) error {
		if _, err := findRegistration(ctx, tx, id); err != nil {
			return err
		}
		return app.Errorf(app.ECONFLICT, "error.registration.already_cancelled", "the registration is already cancelled")
	}, "cancel a registration", `
		UPDATE registration SET status = 'cancelled', cancelled_at = ?1, hold_until = '',
		updated_at = ?1 WHERE id = ?2 AND status IN ('pending-payment', 'registered', 'paid')`, formatTime(orNow(at)), id)
}

// Registration returns one registration with its sale's details.
func (db *DB) Registration(ctx context.Context, id int64) (app.Registration, error) {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return app.Registration{}, err
	}
	defer tx.Rollback()
	return findRegistration(ctx, tx, id)
}

// Registrations returns a session's registrations, oldest first, and how
// many match (unless f.NoTotal), from one snapshot. A page after f.AfterID
// seeks there in registration_session (keyset) instead of reading the rows
// before it. A search reads registration_search (00014), the trigram index
// of the folded names, emails and confirmation numbers.
func (db *DB) Registrations(ctx context.Context, f app.RegistrationFilter) ([]app.Registration, int, error) {
	cond, args := ` WHERE r.session_id = ?1`, []any{f.SessionID}
	if t := strings.TrimSpace(f.Search); t != "" {
		m, err := matchTerm(t)
		if err != nil {
			return nil, 0, err
		}
		args = append(args, m)
		cond += ` AND r.id IN (SELECT rowid FROM registration_search WHERE registration_search MATCH ?2)`
	}
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	total := -1
	if !f.NoTotal {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM registration r`+cond, args...).Scan(&total); err != nil {
			return nil, 0, readError(ctx, err, "count a session's registrations")
		}
	}
	page := cond
	if f.AfterID > 0 {
		args = append(args, f.AfterID)
		page += ` AND r.id > ?` + paramN(len(args))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	args = append(args, limit, max(f.Offset, 0))
	out, err := queryAll(ctx, tx, scanRegistration, "read registrations", `SELECT `+registrationColumns+registrationFrom+page+
		` ORDER BY r.id LIMIT ?`+paramN(len(args)-1)+` OFFSET ?`+paramN(len(args)), args...)
	if err != nil {
		return nil, 0, readError(ctx, err, "read registrations")
	}
	return out, total, nil
}

// PaidRegistrations returns a session's registrations with money left to
// refund.
func (db *DB) PaidRegistrations(ctx context.Context, sessionID int64) ([]app.Registration, error) {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return queryRegistrations(ctx, tx, `SELECT `+registrationColumns+registrationFrom+
		` WHERE r.session_id = ? AND r.paid_minor > r.refunded_minor ORDER BY r.id`, sessionID)
}

func queryRegistrations(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]app.Registration, error) {
	return queryAll(ctx, tx, scanRegistration, "read registrations", q, args...)
}

func findRegistration(ctx context.Context, tx *sql.Tx, id int64) (app.Registration, error) {
	return queryOne(ctx, tx, scanRegistration, func() error { return registrationNotFound(id) },
		"read a registration", `SELECT `+registrationColumns+registrationFrom+` WHERE r.id = ?`, id)
}

func scanRegistration(s rowScanner) (app.Registration, error) {
	var r app.Registration
	var status, hold, paidAt, cancelled, created, updated, method, brand, mode string
	var payment sql.NullInt64
	err := s.Scan(&r.ID, &r.SessionID, &r.FirstName, &r.LastName, &r.Email, &r.Company, &r.Country,
		&r.Language, &status, &r.Confirmation, &r.FeeMinor, &r.DiscountMinor, &r.TotalMinor, &r.Currency,
		&r.PromoCode, &hold, &payment, &r.PaidMinor, &r.RefundedMinor, &paidAt,
		&cancelled, &created, &updated,
		&method, &brand, &r.Last4, &r.GatewayRef, &mode)
	if err != nil {
		return app.Registration{}, err
	}
	r.Status, r.PaymentID = app.RegistrationStatus(status), payment.Int64
	r.Method, r.Brand, r.Mode = app.Method(method), app.Brand(brand), app.Mode(mode)
	for _, t := range []struct {
		dst *time.Time
		src string
	}{{&r.HoldUntil, hold}, {&r.PaidAt, paidAt}, {&r.CancelledAt, cancelled}, {&r.CreatedAt, created}, {&r.UpdatedAt, updated}} {
		if *t.dst, err = parseOptTime(t.src); err != nil {
			return app.Registration{}, err
		}
	}
	return r, nil
}

// registrationID reads "registration:<id>".
func registrationID(reference string) (int64, bool) {
	rest, ok := strings.CutPrefix(reference, "registration:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil && id > 0
}

// applyRegistrationPayment is the PurposeRegistration effect of a settled
// journal row, in SettlePayment's transaction. It is idempotent: amounts are
// set from the journal, never added to.
//
//   - A sale that becomes charged makes the registration paid (from pending
//     payment, or expired: a payment open in the journal kept its seat),
//     and records the sale. A registration cancelled meanwhile keeps its
//     status but records the money, so the host sees it to refund.
//   - A refund that becomes charged sets refunded_minor to the sum of the
//     sale's charged refunds, and the status to refunded or partially
//     refunded.
func applyRegistrationPayment(ctx context.Context, tx *sql.Tx, p app.Payment, u app.PaymentUpdate) error {
	if !u.State.Charged() {
		return nil
	}
	at := formatTime(orNow(u.At))
	switch p.Kind {
	case app.KindSale:
		id, ok := registrationID(p.Reference)
		if !ok {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE registration SET
				status     = CASE WHEN status IN ('pending-payment', 'expired') THEN 'paid' ELSE status END,
				payment_id = ?1, paid_minor = ?2, hold_until = '',
				paid_at    = CASE WHEN paid_at = '' THEN ?3 ELSE paid_at END,
				updated_at = ?3
			WHERE id = ?4 AND (payment_id IS NULL OR payment_id = ?1)`,
			p.ID, p.AmountMinor, at, id); err != nil {
			return app.Internal(err, "mark a registration paid")
		}
	case app.KindRefund:
		if _, err := tx.ExecContext(ctx, `UPDATE registration SET
				refunded_minor = min(paid_minor, (SELECT coalesce(sum(amount_minor), 0) FROM payment
					WHERE parent_id = ?1 AND kind = 'refund' AND state IN ('approved', 'held'))),
				updated_at = ?2
			WHERE payment_id = ?1`, p.ParentID, at); err != nil {
			return app.Internal(err, "mark a registration refunded")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE registration SET
				status       = CASE WHEN refunded_minor >= paid_minor THEN 'refunded' ELSE 'partially-refunded' END,
				cancelled_at = CASE WHEN cancelled_at = '' THEN ?2 ELSE cancelled_at END,
				hold_until   = ''
			WHERE payment_id = ?1 AND refunded_minor > 0`, p.ParentID, at); err != nil {
			return app.Internal(err, "mark a registration refunded")
		}
	}
	return nil
}
