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

var _ app.BudgetStore = (*DB)(nil)

// BudgetSettings returns the site's budget rules.
func (db *DB) BudgetSettings(ctx context.Context) (app.BudgetSettings, error) {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return app.BudgetSettings{}, err
	}
	defer tx.Rollback()
	return findBudgetSettings(ctx, tx)
}

func findBudgetSettings(ctx context.Context, tx *sql.Tx) (app.BudgetSettings, error) {
	var s app.BudgetSettings
	var period, policy string
	var start int
	err := tx.QueryRowContext(ctx, `SELECT period, fiscal_year_start, policy FROM budget_settings WHERE id = 1`).
		Scan(&period, &start, &policy)
	if errors.Is(err, sql.ErrNoRows) {
		return app.DefaultBudgetSettings, nil
	}
	if err != nil {
		return app.BudgetSettings{}, app.Internal(err, "read the budget settings")
	}
	s.Period, s.FiscalYearStart, s.Policy = app.PeriodKind(period), time.Month(start), app.BudgetPolicy(policy)
	return s, nil
}

// SaveBudgetSettings stores the settings; the period kind and the fiscal
// year's start are locked once the ledger has entries, since every entry's
// period was named under them.
func (db *DB) SaveBudgetSettings(ctx context.Context, s app.BudgetSettings, audit []app.AuditEntry) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	old, err := findBudgetSettings(ctx, tx)
	if err != nil {
		return err
	}
	if old.Period != s.Period || old.FiscalYearStart != s.FiscalYearStart {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM department_ledger`).Scan(&n); err != nil {
			return app.Internal(err, "read the ledger")
		}
		if n > 0 {
			return app.Errorf(app.ECONFLICT, "error.budget.period_locked",
				"budget periods cannot change once the ledger has entries")
		}
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO budget_settings (id, period, fiscal_year_start, policy) VALUES (1, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET period = excluded.period, fiscal_year_start = excluded.fiscal_year_start,
		                               policy = excluded.policy`,
		string(s.Period), int(s.FiscalYearStart), string(s.Policy))
	if err != nil {
		return app.Internal(err, "save the budget settings")
	}
	if err := insertAudit(ctx, tx, audit); err != nil {
		return err
	}
	return commit(tx)
}

const departmentColumns = `id, name, cost_centre, owner_name, owner_email, created_at, updated_at`

func scanDepartment(s rowScanner) (app.Department, error) {
	var d app.Department
	var created, updated string
	if err := s.Scan(&d.ID, &d.Name, &d.CostCentre, &d.OwnerName, &d.OwnerEmail, &created, &updated); err != nil {
		return app.Department{}, err
	}
	var err error
	if d.CreatedAt, err = parseTime(created); err != nil {
		return app.Department{}, err
	}
	if d.UpdatedAt, err = parseTime(updated); err != nil {
		return app.Department{}, err
	}
	return d, nil
}

// Departments returns every department by name.
func (db *DB) Departments(ctx context.Context) ([]app.Department, error) {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findDepartments(ctx, tx)
}

func findDepartments(ctx context.Context, tx *sql.Tx) ([]app.Department, error) {
	return queryAll(ctx, tx, scanDepartment, "read the departments",
		`SELECT `+departmentColumns+` FROM department ORDER BY name_fold, id`)
}

// Department returns one department (ENOTFOUND "error.department.not_found").
func (db *DB) Department(ctx context.Context, id int64) (app.Department, error) {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return app.Department{}, err
	}
	defer tx.Rollback()
	return findDepartment(ctx, tx, id)
}

func findDepartment(ctx context.Context, tx *sql.Tx, id int64) (app.Department, error) {
	return queryOne(ctx, tx, scanDepartment, func() error {
		return app.Errorf(app.ENOTFOUND, "error.department.not_found", "department %d not found", id).
			With(map[string]any{"ID": id})
	}, "read a department", `SELECT `+departmentColumns+` FROM department WHERE id = ?`, id)
}

func departmentConflict(err error, d *app.Department) error {
	var se sqlite3.Error
	if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique {
		return app.Errorf(app.ECONFLICT, "error.department.exists",
			"a department named %q or with cost centre %q already exists", d.Name, d.CostCentre).
			With(map[string]any{"Name": d.Name, "CostCentre": d.CostCentre})
	}
	return app.Internal(err, "save a department")
}

// CreateDepartment inserts d and sets its ID and times.
func (db *DB) CreateDepartment(ctx context.Context, d *app.Department, audit []app.AuditEntry) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := time.Now().UTC()
	res, err := tx.ExecContext(ctx, `
		INSERT INTO department (name, name_fold, cost_centre, owner_name, owner_email, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		d.Name, strings.ToLower(d.Name), d.CostCentre, d.OwnerName, d.OwnerEmail, formatTime(now), formatTime(now))
	if err != nil {
		return departmentConflict(err, d)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return app.Internal(err, "save a department")
	}
	if err := insertAudit(ctx, tx, audit); err != nil {
		return err
	}
	if err := commit(tx); err != nil {
		return err
	}
	d.ID, d.CreatedAt, d.UpdatedAt = id, now, now
	return nil
}

// UpdateDepartment replaces a department's fields.
func (db *DB) UpdateDepartment(ctx context.Context, d *app.Department, audit []app.AuditEntry) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	old, err := findDepartment(ctx, tx, d.ID)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	_, err = tx.ExecContext(ctx, `
		UPDATE department SET name = ?, name_fold = ?, cost_centre = ?, owner_name = ?, owner_email = ?, updated_at = ?
		WHERE id = ?`,
		d.Name, strings.ToLower(d.Name), d.CostCentre, d.OwnerName, d.OwnerEmail, formatTime(now), d.ID)
	if err != nil {
		return departmentConflict(err, d)
	}
	if err := insertAudit(ctx, tx, audit); err != nil {
		return err
	}
	if err := commit(tx); err != nil {
		return err
	}
	d.CreatedAt, d.UpdatedAt = old.CreatedAt, now
	return nil
}

// AddLedgerEntry records an allocation or a reimbursement; the journal's
// settlement writes the other kinds.
func (db *DB) AddLedgerEntry(ctx context.Context, e *app.LedgerEntry, audit []app.AuditEntry) error {
	if e.Kind != app.LedgerAllocation && e.Kind != app.LedgerReimbursement {
		return app.Errorf(app.EINVALID, "error.budget.kind", "only allocations and reimbursements are entered by hand")
	}
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := findDepartment(ctx, tx, e.DepartmentID); err != nil {
		return err
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = e.At.UTC()
	if e.ID, err = insertLedger(ctx, tx, *e); err != nil {
		return err
	}
	if err := insertAudit(ctx, tx, audit); err != nil {
		return err
	}
	return commit(tx)
}

func insertLedger(ctx context.Context, tx *sql.Tx, e app.LedgerEntry) (int64, error) {
	res, err := tx.ExecContext(ctx, `
		INSERT INTO department_ledger (department_id, period, kind, amount_minor, currency, session_id, payment_id,
		                               reference, note, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.DepartmentID, e.Period, string(e.Kind), e.AmountMinor, e.Currency, ledgerID(e.SessionID), ledgerID(e.PaymentID),
		e.Reference, e.Note, formatTime(e.At))
	if err != nil {
		return 0, app.Internal(err, "write the ledger")
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, app.Internal(err, "write the ledger")
	}
	return id, nil
}

// Ledger returns a department's entries of a period ("" for all), oldest
// first.
func (db *DB) Ledger(ctx context.Context, departmentID int64, period string) ([]app.LedgerEntry, error) {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `
		SELECT id, department_id, period, kind, amount_minor, currency, coalesce(session_id, 0), coalesce(payment_id, 0),
		       reference, note, at
		FROM department_ledger
		WHERE department_id = ? AND (? = '' OR period = ?)
		ORDER BY id`, departmentID, period, period)
	if err != nil {
		return nil, app.Internal(err, "read the ledger")
	}
	defer rows.Close()
	out := []app.LedgerEntry{}
	for rows.Next() {
		var e app.LedgerEntry
		var kind, at string
		if err := rows.Scan(&e.ID, &e.DepartmentID, &e.Period, &kind, &e.AmountMinor, &e.Currency, &e.SessionID,
			&e.PaymentID, &e.Reference, &e.Note, &at); err != nil {
			return nil, app.Internal(err, "read the ledger")
		}
		e.Kind = app.LedgerKind(kind)
		if e.At, err = parseTime(at); err != nil {
			return nil, app.Internal(err, "read the ledger")
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, app.Internal(err, "read the ledger")
	}
	return out, nil
}

// Budgets returns every department's budget in a period, from one
// snapshot. A session counts as held once it was started or once it ended
// before now; a cancelled session's money stays where its ledger put it.
func (db *DB) Budgets(ctx context.Context, period string, now time.Time) ([]app.DepartmentBudget, error) {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	site, err := findSite(ctx, tx)
	if err != nil {
		return nil, err
	}
	deps, err := findDepartments(ctx, tx)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT l.department_id,
		       coalesce(sum(CASE WHEN l.kind = 'allocation' THEN l.amount_minor END), 0),
		       coalesce(sum(CASE WHEN l.kind IN ('charge', 'true-up', 'refund') AND `+heldSQL+` THEN
		                    CASE l.kind WHEN 'refund' THEN -l.amount_minor ELSE l.amount_minor END END), 0),
		       coalesce(sum(CASE WHEN l.kind IN ('charge', 'true-up', 'refund') AND NOT `+heldSQL+` THEN
		                    CASE l.kind WHEN 'refund' THEN -l.amount_minor ELSE l.amount_minor END END), 0),
		       coalesce(sum(CASE WHEN l.kind = 'reimbursement' THEN l.amount_minor END), 0)
		FROM department_ledger l
		LEFT JOIN session s ON s.id = l.session_id
		LEFT JOIN payperuse_session pu ON pu.session_id = l.session_id
		WHERE l.period = ? AND l.currency = ?
		GROUP BY l.department_id`, formatTime(now), formatTime(now), period, site.Currency)
	if err != nil {
		return nil, app.Internal(err, "read the budgets")
	}
	defer rows.Close()
	sums := map[int64]app.DepartmentBudget{}
	for rows.Next() {
		var id int64
		var b app.DepartmentBudget
		if err := rows.Scan(&id, &b.AllocatedMinor, &b.SpentMinor, &b.CommittedMinor, &b.ReimbursedMinor); err != nil {
			return nil, app.Internal(err, "read the budgets")
		}
		sums[id] = b
	}
	if err := rows.Err(); err != nil {
		return nil, app.Internal(err, "read the budgets")
	}
	out := make([]app.DepartmentBudget, 0, len(deps))
	for _, d := range deps {
		b := sums[d.ID]
		b.Department, b.Period, b.Currency = d, period, site.Currency
		out = append(out, b)
	}
	return out, nil
}

// heldSQL is true for a ledger row (l) whose session (s, pu) has been held:
// started, or ended before the time bound as its parameter.
const heldSQL = `(coalesce(pu.started_at, '') <> '' OR s.ends_at < ?)`
