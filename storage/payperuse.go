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

var _ app.PayPerUseStore = (*DB)(nil)

func ledgerID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// PayPerUseAccount returns what the journal and the ledger know of a
// session's pay-per-use money, from one snapshot.
func (db *DB) PayPerUseAccount(ctx context.Context, sessionID int64) (app.PayPerUseAccount, error) {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return app.PayPerUseAccount{}, err
	}
	defer tx.Rollback()
	acc := app.PayPerUseAccount{SessionID: sessionID}
	var person, tele sql.NullInt64
	var source, actualAt, started string
	err = tx.QueryRowContext(ctx, `
		SELECT currency, person_rate_e4, teleconference_rate_e4, actual_person_minutes, actual_tele_minutes,
		       actual_source, actual_at, started_at
		FROM payperuse_session WHERE session_id = ?`, sessionID).Scan(
		&acc.Rates.Currency, &acc.Rates.PersonMinuteE4, &acc.Rates.TeleconferenceMinuteE4, &person, &tele,
		&source, &actualAt, &started)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return app.PayPerUseAccount{}, app.Internal(err, "read a pay-per-use session")
	default:
		acc.Frozen = true
		if person.Valid && tele.Valid {
			at, _ := parseTime(actualAt)
			acc.Actual = &app.ActualUsage{
				PersonMinutes: person.Int64, TeleconferenceMinutes: tele.Int64,
				RecordedAt: at, Source: source,
			}
		}
		if started != "" {
			acc.StartedAt, _ = parseTime(started)
		}
	}
	payments, err := queryAll(ctx, tx, scanPayment, "read a session's payments", `SELECT `+paymentColumns+` FROM payment p
		WHERE p.purpose IN ('pay-per-use', 'true-up') AND p.reference = ? ORDER BY p.id`, app.SessionReference(sessionID))
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
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `
		INSERT INTO payperuse_session (session_id, currency, person_rate_e4, teleconference_rate_e4)
		VALUES (?, ?, ?, ?) ON CONFLICT (session_id) DO NOTHING`,
		sessionID, r.Currency, r.PersonMinuteE4, r.TeleconferenceMinuteE4)
	if err != nil {
		return payPerUseError(err, sessionID)
	}
	return commit(tx)
}

func payPerUseError(err error, sessionID int64) error {
	var se sqlite3.Error
	if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintForeignKey {
		return app.Errorf(app.ENOTFOUND, "error.session.not_found", "session %d not found", sessionID).
			With(map[string]any{"ID": sessionID})
	}
	if err != nil && strings.Contains(err.Error(), "unpaid session cannot start") {
		return app.Errorf(app.ECONFLICT, "error.payperuse.unpaid", "the session can start once its estimated cost is paid")
	}
	return app.Internal(err, "save a pay-per-use session")
}

// RecordActual stores the actual usage of a session whose rates are frozen.
func (db *DB) RecordActual(ctx context.Context, sessionID int64, u app.ActualUsage, audit []app.AuditEntry) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `
		UPDATE payperuse_session SET actual_person_minutes = ?, actual_tele_minutes = ?, actual_source = ?, actual_at = ?
		WHERE session_id = ?`,
		u.PersonMinutes, u.TeleconferenceMinutes, u.Source, formatTime(orNow(u.RecordedAt)), sessionID)
	if err != nil {
		return payPerUseError(err, sessionID)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return app.Errorf(app.ECONFLICT, "error.payperuse.unpaid", "the session can start once its estimated cost is paid")
	}
	if err := insertAudit(ctx, tx, audit); err != nil {
		return err
	}
	return commit(tx)
}

// MarkStarted records a session's start. The triggers of migration 00006
// refuse a start with a cost and no payment, whoever runs the SQL.
func (db *DB) MarkStarted(ctx context.Context, sessionID int64, at time.Time, costMinor int64) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	site, err := findSite(ctx, tx)
	if err != nil {
		return err
	}
	// A session whose estimate is zero was never frozen: its row is made
	// here, at the site's rates.
	_, err = tx.ExecContext(ctx, `
		INSERT INTO payperuse_session (session_id, currency, person_rate_e4, teleconference_rate_e4, started_at, start_cost_minor)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (session_id) DO UPDATE SET started_at = excluded.started_at, start_cost_minor = excluded.start_cost_minor
		WHERE payperuse_session.started_at = ''`,
		sessionID, site.Currency, site.RatePersonMinuteE4, site.RateTeleconferenceMinuteE4, formatTime(orNow(at)), costMinor)
	if err != nil {
		return payPerUseError(err, sessionID)
	}
	return commit(tx)
}

// applyPayPerUsePayment is the pay-per-use and true-up effect of a
// settlement (see applyPurposeEffects): once a sale or a refund is charged,
// the session is marked paid (by its first sale) and the paying
// department's ledger records the charge, refund or true-up, in the
// settlement's transaction. It is idempotent: the ledger's payment_id is
// unique and the session keeps its first payment. A payment whose session
// or department is gone still settles: the money moved, and the journal
// must say so.
func applyPayPerUsePayment(ctx context.Context, tx *sql.Tx, p app.Payment, u app.PaymentUpdate) error {
	if !u.State.Charged() || (p.Kind != app.KindSale && p.Kind != app.KindRefund) {
		return nil
	}
	sessionID, ok := app.ParseSessionReference(p.Reference)
	if !ok {
		return nil
	}
	var typ, startsAt string
	var department sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT type, starts_at, department_id FROM session WHERE id = ?`, sessionID).
		Scan(&typ, &startsAt, &department)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && typ != string(app.SessionPayPerUse)) {
		return nil
	}
	if err != nil {
		return app.Internal(err, "read the paid session")
	}
	if p.Kind == app.KindSale && p.Purpose == app.PurposePayPerUse {
		if _, err := tx.ExecContext(ctx, `UPDATE session SET paid_payment_id = ? WHERE id = ? AND paid_payment_id IS NULL`,
			p.ID, sessionID); err != nil {
			return app.Internal(err, "mark the session paid")
		}
	}
	var exists int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM department_ledger WHERE payment_id = ?`, p.ID).Scan(&exists); err != nil {
		return app.Internal(err, "read the ledger")
	}
	if exists > 0 {
		return nil // settled before (held, then approved)
	}
	e := app.LedgerEntry{
		SessionID: sessionID, PaymentID: p.ID, AmountMinor: p.AmountMinor, Currency: p.Currency,
		Reference: p.InvoiceID, Note: firstNonEmpty(u.GatewayRef, p.GatewayRef), At: orNow(u.At).UTC(),
	}
	switch p.Kind {
	case app.KindSale:
		e.Kind = app.LedgerCharge
		if p.Purpose == app.PurposeTrueUp {
			e.Kind = app.LedgerTrueUp
		}
		if !department.Valid {
			return nil
		}
		e.DepartmentID = department.Int64
		if e.Period, err = sessionPeriod(ctx, tx, startsAt); err != nil {
			return err
		}
	case app.KindRefund:
		// A refund goes back to the department and period its sale was
		// charged to, even if the session moved since.
		var parentKind string
		err := tx.QueryRowContext(ctx, `SELECT department_id, period, kind FROM department_ledger WHERE payment_id = ?`, p.ParentID).
			Scan(&e.DepartmentID, &e.Period, &parentKind)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // the sale was not charged to a department
		}
		if err != nil {
			return app.Internal(err, "read the ledger")
		}
		// After the actual usage is in, a refund is the true-up's.
		var actualAt string
		err = tx.QueryRowContext(ctx, `SELECT actual_at FROM payperuse_session WHERE session_id = ?`, sessionID).Scan(&actualAt)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return app.Internal(err, "read a pay-per-use session")
		}
		e.Kind = app.LedgerRefund
		if actualAt != "" || parentKind == string(app.LedgerTrueUp) {
			e.Kind, e.AmountMinor = app.LedgerTrueUp, -p.AmountMinor
		}
	}
	if e.AmountMinor == 0 {
		return nil
	}
	if _, err := findDepartment(ctx, tx, e.DepartmentID); err != nil {
		if app.ErrorCode(err) == app.ENOTFOUND {
			return nil
		}
		return err
	}
	_, err = insertLedger(ctx, tx, e)
	return err
}

// sessionPeriod names the budget period a session starting at startsAt
// belongs to, in the site's time zone.
func sessionPeriod(ctx context.Context, tx *sql.Tx, startsAt string) (string, error) {
	site, err := findSite(ctx, tx)
	if err != nil {
		return "", err
	}
	settings, err := findBudgetSettings(ctx, tx)
	if err != nil {
		return "", err
	}
	t, err := parseTime(startsAt)
	if err != nil {
		return "", app.Internal(err, "read the session's start")
	}
	loc, err := time.LoadLocation(site.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	return settings.PeriodOf(t, loc).Key(), nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
