package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trainpay/trainpay/app"
)

var _ app.PayPerUseStore = (*DB)(nil)

// StateUnpaidStart is the SQLSTATE of payperuse_paid_before_start
// (migration 00006): a start with a cost and no payment.
const StateUnpaidStart = "TP003"

// pgerrForeignKey is SQLSTATE foreign_key_violation.
const pgerrForeignKey = "23503"

func payPerUseUnpaid(cause error) error {
	return &app.Error{
		Code: app.ECONFLICT, Key: "error.payperuse.unpaid",
		Message: "the session can start once its estimated cost is paid", Err: cause,
	}
}

// payPerUseError maps a refused write of payperuse_session: a session that
// does not exist, or a start the database refuses.
func payPerUseError(err error, sessionID int64) error {
	if pe := pgError(err); pe != nil {
		switch pe.Code {
		case pgerrForeignKey:
			return sessionNotFound(sessionID)
		case StateUnpaidStart:
			return payPerUseUnpaid(err)
		}
	}
	return internalError(err, "save a pay-per-use session")
}

// PayPerUseAccount returns what the journal and the ledger know of a
// session's pay-per-use money, from one snapshot.
func (db *DB) PayPerUseAccount(ctx context.Context, sessionID int64) (app.PayPerUseAccount, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return app.PayPerUseAccount{}, err
	}
	defer tx.Rollback(ctx)
	acc := app.PayPerUseAccount{SessionID: sessionID}
	var person, tele *int64
	var source string
	var actualAt, started *time.Time
	err = tx.QueryRow(ctx, `
		SELECT currency, person_rate_e4, teleconference_rate_e4, actual_person_minutes, actual_tele_minutes,
		       actual_source, actual_at, started_at
		FROM payperuse_session WHERE session_id = $1`, sessionID).Scan(
		&acc.Rates.Currency, &acc.Rates.PersonMinuteE4, &acc.Rates.TeleconferenceMinuteE4, &person, &tele,
		&source, &actualAt, &started)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return app.PayPerUseAccount{}, internalError(err, "read a pay-per-use session")
	default:
		acc.Frozen = true
		if person != nil && tele != nil {
			acc.Actual = &app.ActualUsage{PersonMinutes: *person, TeleconferenceMinutes: *tele, Source: source}
			if actualAt != nil {
				acc.Actual.RecordedAt = actualAt.UTC()
			}
		}
		if started != nil {
			acc.StartedAt = started.UTC()
		}
	}
	payments, err := queryPayments(ctx, tx, `SELECT `+paymentColumns+` FROM payment p
		WHERE p.purpose IN ('pay-per-use', 'true-up') AND p.reference = $1 ORDER BY p.id`, app.SessionReference(sessionID))
	if err != nil {
		return app.PayPerUseAccount{}, err
	}
	for _, p := range payments {
		switch {
		case p.State.Unsettled():
			acc.OpenMinor += p.AmountMinor
		case !p.State.Charged():
		case p.Kind == app.KindSale:
			acc.PaidMinor += p.AmountMinor
			acc.Sales = append(acc.Sales, p)
		case p.Kind == app.KindRefund:
			acc.PaidMinor -= p.AmountMinor
		}
	}
	return acc, nil
}

// FreezeRates records the session's rates unless some are recorded.
func (db *DB) FreezeRates(ctx context.Context, sessionID int64, r app.Rates) error {
	_, err := db.pool.Exec(ctx, `
		INSERT INTO payperuse_session (session_id, currency, person_rate_e4, teleconference_rate_e4)
		VALUES ($1, $2, $3, $4) ON CONFLICT (session_id) DO NOTHING`,
		sessionID, r.Currency, r.PersonMinuteE4, r.TeleconferenceMinuteE4)
	if err != nil {
		return payPerUseError(err, sessionID)
	}
	return nil
}

// RecordActual stores the actual usage of a session whose rates are
// frozen, with its audit entries, in one transaction.
func (db *DB) RecordActual(ctx context.Context, sessionID int64, u app.ActualUsage, audit []app.AuditEntry) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	tag, err := tx.Exec(ctx, `
		UPDATE payperuse_session SET actual_person_minutes = $1, actual_tele_minutes = $2, actual_source = $3, actual_at = $4
		WHERE session_id = $5`,
		u.PersonMinutes, u.TeleconferenceMinutes, u.Source, orNow(u.RecordedAt), sessionID)
	if err != nil {
		return payPerUseError(err, sessionID)
	}
	if tag.RowsAffected() == 0 {
		return payPerUseUnpaid(nil)
	}
	if err := insertPayPerUseAudit(ctx, tx, audit); err != nil {
		return err
	}
	return commit(ctx, tx, "save a pay-per-use session")
}

// insertPayPerUseAudit appends entries to the audit log with CopyFrom.
func insertPayPerUseAudit(ctx context.Context, tx pgx.Tx, entries []app.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"audit_log"},
		[]string{"at", "actor", "action", "target", "old_value", "new_value"},
		pgx.CopyFromSlice(len(entries), func(i int) ([]any, error) {
			e := entries[i]
			return []any{stamp(e.At), e.Actor, e.Action, e.Target, e.Old, e.New}, nil
		}))
	if err != nil {
		return internalError(err, "write the audit log")
	}
	return nil
}

// MarkStarted records a session's start. The trigger of migration 00006
// refuses a start with a cost and no payment, whoever runs the SQL.
func (db *DB) MarkStarted(ctx context.Context, sessionID int64, at time.Time, costMinor int64) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	site, err := payPerUseSite(ctx, tx)
	if err != nil {
		return err
	}
	// A session whose estimate is zero was never frozen: its row is made
	// here, at the site's rates.
	_, err = tx.Exec(ctx, `
		INSERT INTO payperuse_session (session_id, currency, person_rate_e4, teleconference_rate_e4, started_at, start_cost_minor)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (session_id) DO UPDATE SET started_at = excluded.started_at, start_cost_minor = excluded.start_cost_minor
		WHERE payperuse_session.started_at IS NULL`,
		sessionID, site.Currency, site.RatePersonMinuteE4, site.RateTeleconferenceMinuteE4, orNow(at), costMinor)
	if err != nil {
		return payPerUseError(err, sessionID)
	}
	return commit(ctx, tx, "save a pay-per-use session")
}

// payPerUseSite reads what pay-per-use needs of the site: its currency,
// rates and time zone (ENOTFOUND "error.site.not_set_up" before the
// first-run wizard, as storage).
func payPerUseSite(ctx context.Context, q querier) (app.Site, error) {
	var s app.Site
	err := q.QueryRow(ctx, `SELECT currency, time_zone, rate_person_minute_e4, rate_teleconference_minute_e4
		FROM site WHERE id = 1`).Scan(&s.Currency, &s.TimeZone, &s.RatePersonMinuteE4, &s.RateTeleconferenceMinuteE4)
	if errors.Is(err, pgx.ErrNoRows) {
		return app.Site{}, app.Errorf(app.ENOTFOUND, "error.site.not_set_up", "the site is not set up yet")
	}
	if err != nil {
		return app.Site{}, internalError(err, "read the site")
	}
	return s, nil
}

// applyPayPerUsePayment is the pay-per-use and true-up effect of a
// settlement (see applyPurposeEffects), storage's word for word: once a
// sale or a refund is charged, the session is marked paid (by its first
// sale) and the paying department's ledger records the charge, refund or
// true-up, in the settlement's transaction. It is idempotent: the
// ledger's payment_id is unique and the session keeps its first payment.
// A payment whose session or department is gone still settles: the money
// moved, and the journal must say so.
//
// The session's row is locked (FOR UPDATE) before it is read, so a
// settlement and an edit of the session's start or department from
// another desktop come one after the other: the ledger's period and
// department are those of the session as committed.
func applyPayPerUsePayment(ctx context.Context, tx pgx.Tx, p app.Payment, u app.PaymentUpdate) error {
	if !u.State.Charged() || (p.Kind != app.KindSale && p.Kind != app.KindRefund) {
		return nil
	}
	sessionID, ok := app.ParseSessionReference(p.Reference)
	if !ok {
		return nil
	}
	var typ string
	var startsAt time.Time
	var department *int64
	err := tx.QueryRow(ctx, `SELECT type, starts_at, department_id FROM session WHERE id = $1 FOR UPDATE`, sessionID).
		Scan(&typ, &startsAt, &department)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && typ != string(app.SessionPayPerUse)) {
		return nil
	}
	if err != nil {
		return internalError(err, "read the paid session")
	}
	if p.Kind == app.KindSale && p.Purpose == app.PurposePayPerUse {
		if _, err := tx.Exec(ctx, `UPDATE session SET paid_payment_id = $1 WHERE id = $2 AND paid_payment_id IS NULL`,
			p.ID, sessionID); err != nil {
			return internalError(err, "mark the session paid")
		}
	}
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM department_ledger WHERE payment_id = $1)`, p.ID).Scan(&exists); err != nil {
		return internalError(err, "read the ledger")
	}
	if exists {
		return nil // settled before (held, then approved)
	}
	e := app.LedgerEntry{
		SessionID: sessionID, PaymentID: p.ID, AmountMinor: p.AmountMinor, Currency: p.Currency,
		Reference: p.InvoiceID, Note: firstNonEmpty(u.GatewayRef, p.GatewayRef), At: orNow(u.At),
	}
	switch p.Kind {
	case app.KindSale:
		e.Kind = app.LedgerCharge
		if p.Purpose == app.PurposeTrueUp {
			e.Kind = app.LedgerTrueUp
		}
		if department == nil {
			return nil
		}
		e.DepartmentID = *department
		if e.Period, err = payPerUsePeriod(ctx, tx, startsAt); err != nil {
			return err
		}
	case app.KindRefund:
		// A refund goes back to the department and period its sale was
		// charged to, even if the session moved since.
		var parentKind string
		err := tx.QueryRow(ctx, `SELECT department_id, period, kind FROM department_ledger WHERE payment_id = $1`, p.ParentID).
			Scan(&e.DepartmentID, &e.Period, &parentKind)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // the sale was not charged to a department
		}
		if err != nil {
			return internalError(err, "read the ledger")
		}
		// After the actual usage is in, a refund is the true-up's.
		var actualAt *time.Time
		err = tx.QueryRow(ctx, `SELECT actual_at FROM payperuse_session WHERE session_id = $1`, sessionID).Scan(&actualAt)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return internalError(err, "read a pay-per-use session")
		}
		e.Kind = app.LedgerRefund
		if actualAt != nil || parentKind == string(app.LedgerTrueUp) {
			e.Kind, e.AmountMinor = app.LedgerTrueUp, -p.AmountMinor
		}
	}
	if e.AmountMinor == 0 {
		return nil
	}
	var departmentExists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM department WHERE id = $1)`, e.DepartmentID).
		Scan(&departmentExists); err != nil {
		return internalError(err, "read a department")
	}
	if !departmentExists {
		return nil
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO department_ledger (department_id, period, kind, amount_minor, currency, session_id, payment_id,
		                               reference, note, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		e.DepartmentID, e.Period, string(e.Kind), e.AmountMinor, e.Currency, e.SessionID, e.PaymentID,
		e.Reference, e.Note, e.At); err != nil {
		return internalError(err, "write the ledger")
	}
	return nil
}

// payPerUsePeriod names the budget period a session starting at startsAt
// belongs to, in the site's time zone (the budget settings' default when
// none are stored, as storage).
func payPerUsePeriod(ctx context.Context, tx pgx.Tx, startsAt time.Time) (string, error) {
	site, err := payPerUseSite(ctx, tx)
	if err != nil {
		return "", err
	}
	settings := app.DefaultBudgetSettings
	var period, policy string
	var start int
	err = tx.QueryRow(ctx, `SELECT period, fiscal_year_start, policy FROM budget_settings WHERE id = 1`).
		Scan(&period, &start, &policy)
	switch {
	case err == nil:
		settings = app.BudgetSettings{
			Period: app.PeriodKind(period), FiscalYearStart: time.Month(start),
			Policy: app.BudgetPolicy(policy),
		}
	case !errors.Is(err, pgx.ErrNoRows):
		return "", internalError(err, "read the budget settings")
	}
	loc, err := time.LoadLocation(site.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	return settings.PeriodOf(startsAt, loc).Key(), nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
