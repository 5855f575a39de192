package postgres

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trainpay/trainpay/app"
)

var _ app.RegistrationStore = (*DB)(nil)

// Constraints of the registration table (migration 00004) whose violation
// means something to a person.
const (
	// ConstraintOnePerEmail: one live registration per email and session.
	ConstraintOnePerEmail = "registration_one_per_email"
	// ConstraintConfirmation: a confirmation number drawn twice.
	ConstraintConfirmation = "registration_confirmation_key"
)

const registrationColumns = `r.id, r.session_id, r.first_name, r.last_name, r.email, r.company, r.country,
	r.language, r.status, r.confirmation, r.fee_minor, r.discount_minor, r.total_minor, r.currency,
	r.promo_code, r.hold_until, coalesce(r.payment_id, 0), r.paid_minor, r.refunded_minor, r.paid_at,
	r.cancelled_at, r.created_at, r.updated_at,
	coalesce(p.method, ''), coalesce(p.brand, ''), coalesce(p.last4, ''), coalesce(p.gateway_ref, ''),
	coalesce(p.mode, '')`

const registrationFrom = ` FROM registration r LEFT JOIN payment p ON p.id = r.payment_id`

// registrationSearchSQL is true when registration r's name, email or
// confirmation number, folded (trainpay_fold, migration 00014), contains
// the pattern in parameter p; each is an expression the GIN trigram
// indexes of 00014 hold. Like SQLite's FTS5 phrase, the term must be
// inside one of the three, not across them. The email and the number come
// first: they are ASCII (folded by lower-casing alone), and a row they
// match is not folded further.
func registrationSearchSQL(p string) string {
	return `(trainpay_fold(r.email) LIKE ` + p + ` OR trainpay_fold(r.confirmation) LIKE ` + p +
		` OR trainpay_fold(r.first_name || ' ' || r.last_name) LIKE ` + p + `)`
}

func registrationNotFound(id int64) error {
	return app.Errorf(app.ENOTFOUND, "error.registration.not_found", "registration %d not found", id).
		With(map[string]any{"ID": id})
}

func registrationNotPending(pgx.Tx) error {
	return app.Errorf(app.ECONFLICT, "error.registration.not_pending", "the registration is not waiting for payment").
		With(map[string]any{"Status": ""})
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

func sessionFull(taken, capacity int) error {
	return app.Errorf(app.ECONFLICT, "error.registration.full",
		"the session is full (%d of %d seats taken)", taken, capacity).
		With(map[string]any{"Max": capacity})
}

// Register takes a seat for r. The session's row is locked first
// (SELECT … FOR UPDATE), so the registrations of one session are decided
// one at a time whichever desktop sends them: the count of seats and the
// insert that follows are one step no other registration comes between,
// and the capacity holds. The unique index registration_one_per_email
// refuses a second live registration of one email even without the lock.
func (db *DB) Register(ctx context.Context, r *app.Registration, now time.Time) error {
	now = orNow(now)
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)

	s, err := findSession(ctx, tx, r.SessionID, true)
	if err != nil {
		return err
	}
	switch {
	case s.Status == app.SessionCancelled:
		return app.Errorf(app.ECONFLICT, "error.registration.session_cancelled", "the session is cancelled")
	case !now.Before(s.RegistrationDeadline()):
		return app.Errorf(app.ECONFLICT, "error.registration.closed", "registration for this session is closed")
	}
	if err := expireRegistrationHolds(ctx, tx, s.ID, now); err != nil {
		return err
	}
	var existing string
	err = tx.QueryRow(ctx, `SELECT status FROM registration
		WHERE session_id = $1 AND email = $2 AND status IN ('pending-payment', 'registered', 'paid')`,
		s.ID, r.Email).Scan(&existing)
	switch {
	case err == nil:
		return duplicateRegistration(r.Email, existing, nil)
	case !errors.Is(err, pgx.ErrNoRows):
		return internalError(err, "read a session's registrations")
	}
	if s.MaxRegistrations > 0 {
		taken, err := sessionSeatsTaken(ctx, tx, s.ID, now)
		if err != nil {
			return err
		}
		if taken >= s.MaxRegistrations {
			return sessionFull(taken, s.MaxRegistrations)
		}
	}
	row := *r
	row.FeeMinor, row.DiscountMinor, row.TotalMinor, row.Currency = s.FeeMinor, 0, s.FeeMinor, s.Currency
	row.PromoCode, row.PaymentID, row.PaidMinor, row.RefundedMinor = "", 0, 0, 0
	row.PaidAt, row.CancelledAt = time.Time{}, time.Time{}
	row.CreatedAt, row.UpdatedAt = now, now
	if s.Type == app.SessionPaid {
		row.Status, row.HoldUntil = app.RegPendingPayment, stamp(now.Add(app.SeatHold))
	} else {
		row.Status, row.HoldUntil = app.RegRegistered, time.Time{}
	}
	if row.Language == "" {
		row.Language = "en"
	}
	for attempt := 0; ; attempt++ {
		row.Confirmation = app.NewConfirmation()
		// In a savepoint: a confirmation number drawn twice is drawn
		// again, in a transaction PostgreSQL would otherwise have aborted.
		sp, err := tx.Begin(ctx)
		if err != nil {
			return internalError(err, "save a registration")
		}
		err = sp.QueryRow(ctx, `
			INSERT INTO registration (session_id, first_name, last_name, email, company, country, language,
				status, confirmation, fee_minor, discount_minor, total_minor, currency, hold_until,
				created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)
			RETURNING id`,
			row.SessionID, row.FirstName, row.LastName, row.Email, row.Company, row.Country, row.Language,
			string(row.Status), row.Confirmation, row.FeeMinor, row.DiscountMinor, row.TotalMinor, row.Currency,
			optStamp(row.HoldUntil), now).Scan(&row.ID)
		if err == nil {
			if err := sp.Commit(ctx); err != nil {
				return internalError(err, "save a registration")
			}
			break
		}
		if rbErr := sp.Rollback(ctx); rbErr != nil {
			return internalError(errors.Join(err, rbErr), "save a registration")
		}
		if pe := pgError(err); pe != nil && pe.Code == pgerrUniqueViolation {
			if pe.ConstraintName == ConstraintConfirmation && attempt < 5 {
				continue
			}
			return duplicateRegistration(r.Email, "", err)
		}
		return internalError(err, "save a registration")
	}
	if err := commit(ctx, tx, "save a registration"); err != nil {
		return err
	}
	*r = row
	return nil
}

// expireRegistrationHolds gives back the seats of a session's pending
// registrations whose hold ran out and that have no open payment.
func expireRegistrationHolds(ctx context.Context, tx pgx.Tx, sessionID int64, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE registration AS r SET status = 'expired', updated_at = $1
		WHERE r.session_id = $2 AND r.status = 'pending-payment' AND r.hold_until <= $1
		  AND NOT `+openRegistrationPaymentSQL, now, sessionID); err != nil {
		return internalError(err, "release unpaid seats")
	}
	return nil
}

// RenewHold re-checks and renews a pending registration's seat before a
// payment attempt, under the session's row lock (as Register).
func (db *DB) RenewHold(ctx context.Context, id int64, now, until time.Time) error {
	now = orNow(now)
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	r, err := findRegistration(ctx, tx, id)
	if err != nil {
		return err
	}
	s, err := findSession(ctx, tx, r.SessionID, true)
	if err != nil {
		return err
	}
	if s.Status == app.SessionCancelled {
		return app.Errorf(app.ECONFLICT, "error.registration.session_cancelled", "the session is cancelled")
	}
	if err := expireRegistrationHolds(ctx, tx, s.ID, now); err != nil {
		return err
	}
	var status string
	if err := tx.QueryRow(ctx, `SELECT status FROM registration WHERE id = $1`, id).Scan(&status); err != nil {
		return internalError(err, "read a registration")
	}
	switch app.RegistrationStatus(status) {
	case app.RegPendingPayment:
	case app.RegExpired:
		// The hold ran out: take a seat again if one is free (and nobody has
		// registered the same email since).
		if s.MaxRegistrations > 0 {
			taken, err := sessionSeatsTaken(ctx, tx, s.ID, now)
			if err != nil {
				return err
			}
			if taken >= s.MaxRegistrations {
				return sessionFull(taken, s.MaxRegistrations)
			}
		}
	default:
		return app.Errorf(app.ECONFLICT, "error.registration.not_pending",
			"the registration is %s, not waiting for payment", status).With(map[string]any{"Status": status})
	}
	_, err = tx.Exec(ctx, `UPDATE registration SET status = 'pending-payment', hold_until = $1, updated_at = $2
		WHERE id = $3`, stamp(until), now, id)
	if pe := pgError(err); pe != nil && pe.Code == pgerrUniqueViolation && pe.ConstraintName == ConstraintOnePerEmail {
		return duplicateRegistration(r.Email, "", err)
	}
	if err != nil {
		return internalError(err, "hold a seat")
	}
	return commit(ctx, tx, "hold a seat")
}

// updateRegistration runs one UPDATE in a transaction; when it changes no
// row, none (run in that transaction) says why.
func (db *DB) updateRegistration(ctx context.Context, none func(pgx.Tx) error, what, query string, args ...any) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	tag, err := tx.Exec(ctx, query, args...)
	if err != nil {
		return internalError(err, what)
	}
	if tag.RowsAffected() == 0 {
		return none(tx)
	}
	return commit(ctx, tx, what)
}

// SetPrice records a promotional code's discount on a pending registration.
func (db *DB) SetPrice(ctx context.Context, id int64, code string, discountMinor, totalMinor int64) error {
	return db.updateRegistration(ctx, registrationNotPending, "save a registration's discount", `
		UPDATE registration SET promo_code = $1, discount_minor = $2, total_minor = $3, updated_at = $4
		WHERE id = $5 AND status = 'pending-payment' AND fee_minor - $2 = $3`,
		code, discountMinor, totalMinor, orNow(time.Time{}), id)
}

// ConfirmFree marks a pending registration whose total is zero as paid.
func (db *DB) ConfirmFree(ctx context.Context, id int64, at time.Time) error {
	return db.updateRegistration(ctx, registrationNotPending, "confirm a registration", `
		UPDATE registration SET status = 'paid', paid_at = $1, hold_until = NULL, updated_at = $1
		WHERE id = $2 AND status = 'pending-payment' AND total_minor = 0`, orNow(at), id)
}

// CancelRegistration marks a registration that holds a seat as cancelled.
func (db *DB) CancelRegistration(ctx context.Context, id int64, at time.Time) error {
	return db.updateRegistration(ctx, func(tx pgx.Tx) error {
		if _, err := findRegistration(ctx, tx, id); err != nil {
			return err
		}
		return app.Errorf(app.ECONFLICT, "error.registration.already_cancelled", "the registration is already cancelled")
	}, "cancel a registration", `
		UPDATE registration SET status = 'cancelled', cancelled_at = $1, hold_until = NULL, updated_at = $1
		WHERE id = $2 AND status IN ('pending-payment', 'registered', 'paid')`, orNow(at), id)
}

// Registration returns one registration with its sale's details.
func (db *DB) Registration(ctx context.Context, id int64) (app.Registration, error) {
	return findRegistration(ctx, db.pool, id)
}

// Registrations returns a session's registrations, oldest first, and how
// many match (unless f.NoTotal), from one snapshot. A page after f.AfterID
// starts there in registration_session_id (keyset) instead of reading the
// rows before it. A search is LIKE over the folded name, email and
// confirmation number, which the trigram indexes of 00014 answer.
func (db *DB) Registrations(ctx context.Context, f app.RegistrationFilter) ([]app.Registration, int, error) {
	cond, args := ` WHERE r.session_id = $1`, []any{f.SessionID}
	if t := strings.TrimSpace(f.Search); t != "" {
		pattern, err := searchLikePattern(t)
		if err != nil {
			return nil, 0, err
		}
		args = append(args, pattern)
		cond += ` AND ` + registrationSearchSQL(`$2`)
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, sessionsReadError(ctx, err, "read registrations")
	}
	defer tx.Rollback(ctx)
	total := -1
	if !f.NoTotal {
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM registration r`+cond, args...).Scan(&total); err != nil {
			return nil, 0, sessionsReadError(ctx, err, "count a session's registrations")
		}
	}
	page := cond
	if f.AfterID > 0 {
		args = append(args, f.AfterID)
		page += ` AND r.id > $` + strconv.Itoa(len(args))
	}
	limit := ``
	if f.Limit > 0 {
		args = append(args, f.Limit)
		limit = ` LIMIT $` + strconv.Itoa(len(args))
	}
	args = append(args, max(f.Offset, 0))
	out, err := queryRegistrations(ctx, tx, `SELECT `+registrationColumns+registrationFrom+page+
		` ORDER BY r.id`+limit+` OFFSET $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, 0, sessionsReadError(ctx, err, "read registrations")
	}
	return out, total, nil
}

// PaidRegistrations returns a session's registrations with money left to
// refund.
func (db *DB) PaidRegistrations(ctx context.Context, sessionID int64) ([]app.Registration, error) {
	return queryRegistrations(ctx, db.pool, `SELECT `+registrationColumns+registrationFrom+
		` WHERE r.session_id = $1 AND r.paid_minor > r.refunded_minor ORDER BY r.id`, sessionID)
}

func queryRegistrations(ctx context.Context, q querier, query string, args ...any) ([]app.Registration, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, sessionsReadError(ctx, err, "read registrations")
	}
	out, err := pgx.CollectRows(rows, scanRegistration)
	if err != nil {
		return nil, sessionsReadError(ctx, err, "read registrations")
	}
	if out == nil {
		out = []app.Registration{}
	}
	return out, nil
}

func findRegistration(ctx context.Context, q querier, id int64) (app.Registration, error) {
	rows, err := q.Query(ctx, `SELECT `+registrationColumns+registrationFrom+` WHERE r.id = $1`, id)
	if err != nil {
		return app.Registration{}, internalError(err, "read a registration")
	}
	r, err := pgx.CollectExactlyOneRow(rows, scanRegistration)
	if errors.Is(err, pgx.ErrNoRows) {
		return app.Registration{}, registrationNotFound(id)
	}
	if err != nil {
		return app.Registration{}, internalError(err, "read a registration")
	}
	return r, nil
}

func scanRegistration(row pgx.CollectableRow) (app.Registration, error) {
	var r app.Registration
	var status, method, brand, mode string
	var hold, paidAt, cancelled *time.Time
	err := row.Scan(&r.ID, &r.SessionID, &r.FirstName, &r.LastName, &r.Email, &r.Company, &r.Country,
		&r.Language, &status, &r.Confirmation, &r.FeeMinor, &r.DiscountMinor, &r.TotalMinor, &r.Currency,
		&r.PromoCode, &hold, &r.PaymentID, &r.PaidMinor, &r.RefundedMinor, &paidAt,
		&cancelled, &r.CreatedAt, &r.UpdatedAt,
		&method, &brand, &r.Last4, &r.GatewayRef, &mode)
	if err != nil {
		return app.Registration{}, err
	}
	r.Status = app.RegistrationStatus(status)
	r.Method, r.Brand, r.Mode = app.Method(method), app.Brand(brand), app.Mode(mode)
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	for _, t := range []struct {
		dst *time.Time
		src *time.Time
	}{{&r.HoldUntil, hold}, {&r.PaidAt, paidAt}, {&r.CancelledAt, cancelled}} {
		if t.src != nil {
			*t.dst = t.src.UTC()
		}
	}
	return r, nil
}
