package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/trainpay/trainpay/app"
)

// budgetPeriod is the SQL function budget_period(starts_at, time_zone,
// period, fiscal_year_start): the key of the budget period a session
// starting at starts_at belongs to, under the site's time zone and budget
// settings. It is app.BudgetSettings.PeriodOf, the rule the ledger's
// settlement names periods by (sessionPeriod), so that the budget limit of
// migration 00015 and the ledger never disagree; SQLite has no time zones
// of its own to write it in SQL.
func budgetPeriod(startsAt, timeZone, period string, fiscalYearStart int64) (string, error) {
	t, err := parseTime(startsAt)
	if err != nil {
		return "", fmt.Errorf("budget_period: %w", err)
	}
	loc, err := time.LoadLocation(timeZone)
	if err != nil {
		loc = time.UTC // as sessionPeriod
	}
	s := app.BudgetSettings{Period: app.PeriodKind(period), FiscalYearStart: time.Month(fiscalYearStart)}
	return s.PeriodOf(t, loc).Key(), nil
}

// budgetExceeded is the error for pay-per-use sale p refused by the budget
// limit (payment_within_department_budget): the block policy's own
// ECONFLICT "error.budget.exceeded", with what is left read in tx from the
// view the trigger reads.
func budgetExceeded(ctx context.Context, tx *sql.Tx, p app.Payment, cause error) error {
	sessionID, _ := app.ParseSessionReference(p.Reference)
	var department, period string
	var left int64
	err := tx.QueryRowContext(ctx, `
		SELECT d.name, budget_period(s.starts_at, st.time_zone, bs.period, bs.fiscal_year_start),
		       (SELECT coalesce(sum(v.amount_minor), 0) FROM department_budget_movement v
		        WHERE v.department_id = d.id AND v.currency = ?
		          AND v.period = budget_period(s.starts_at, st.time_zone, bs.period, bs.fiscal_year_start))
		FROM session s JOIN department d ON d.id = s.department_id, site st, budget_settings bs
		WHERE s.id = ? AND st.id = 1 AND bs.id = 1`, p.Currency, sessionID).Scan(&department, &period, &left)
	if errors.Is(err, sql.ErrNoRows) {
		return app.Internal(cause, "record a payment")
	}
	if err != nil {
		return app.Internal(errors.Join(cause, err), "read the department's budget")
	}
	e := app.BudgetExceededError(p.AmountMinor, left, p.Currency, department, period)
	e.Err = cause
	return e
}
