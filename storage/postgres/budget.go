package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trainpay/trainpay/app"
)

// budget.go: departments, the budget settings and the ledger
// (app.BudgetStore), with storage/department.go's rules and errors. The
// ledger's charges, refunds and true-ups are written by the journal's
// settlement; the block policy's limit on pay-per-use sales is the
// database's (migration 00015).

var _ app.BudgetStore = (*DB)(nil)

// BudgetSettings returns the site's budget rules.
func (db *DB) BudgetSettings(ctx context.Context) (app.BudgetSettings, error) {
	return budgetSettingsOf(ctx, db.pool, false)
}

// budgetSettingsOf reads the settings (the defaults when the row is
// missing); forUpdate locks the row until tx ends.
func budgetSettingsOf(ctx context.Context, q querier, forUpdate bool) (app.BudgetSettings, error) {
	query := `SELECT period, fiscal_year_start, policy FROM budget_settings WHERE id = 1`
	if forUpdate {
		query += ` FOR UPDATE`
	}
	var period, policy string
	var start int
	err := q.QueryRow(ctx, query).Scan(&period, &start, &policy)
	if errors.Is(err, pgx.ErrNoRows) {
		return app.DefaultBudgetSettings, nil
	}
	if err != nil {
		return app.BudgetSettings{}, internalError(err, "read the budget settings")
	}
	return app.BudgetSettings{
		Period: app.PeriodKind(period), FiscalYearStart: time.Month(start),
		Policy: app.BudgetPolicy(policy),
	}, nil
}

// SaveBudgetSettings stores the settings; the period kind and the fiscal
// year's start are locked once the ledger has entries, since every entry's
// period was named under them. The ledger is locked against inserts (SHARE
// mode) from the count to the commit, so no desktop's first entry can slip
// in between.
func (db *DB) SaveBudgetSettings(ctx context.Context, s app.BudgetSettings, audit []app.AuditEntry) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	old, err := budgetSettingsOf(ctx, tx, true)
	if err != nil {
		return err
	}
	if old.Period != s.Period || old.FiscalYearStart != s.FiscalYearStart {
		if _, err := tx.Exec(ctx, `LOCK TABLE department_ledger IN SHARE MODE`); err != nil {
			return internalError(err, "lock the ledger")
		}
		var hasEntries bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM department_ledger)`).Scan(&hasEntries); err != nil {
			return internalError(err, "read the ledger")
		}
		if hasEntries {
			return app.Errorf(app.ECONFLICT, "error.budget.period_locked",
				"budget periods cannot change once the ledger has entries")
		}
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO budget_settings (id, period, fiscal_year_start, policy) VALUES (1, $1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET period = excluded.period, fiscal_year_start = excluded.fiscal_year_start,
		                               policy = excluded.policy`,
		string(s.Period), int(s.FiscalYearStart), string(s.Policy)); err != nil {
		return internalError(err, "save the budget settings")
	}
	if err := writeAudit(ctx, tx, audit); err != nil {
		return err
	}
	return commit(ctx, tx, "save the budget settings")
}

const departmentColumns = `id, name, cost_centre, owner_name, owner_email, created_at, updated_at`

func scanDepartmentRow(row pgx.CollectableRow) (app.Department, error) {
	var d app.Department
	err := row.Scan(&d.ID, &d.Name, &d.CostCentre, &d.OwnerName, &d.OwnerEmail, &d.CreatedAt, &d.UpdatedAt)
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return d, err
}

// Departments returns every department by name.
func (db *DB) Departments(ctx context.Context) ([]app.Department, error) {
	return departmentsOf(ctx, db.pool)
}

func departmentsOf(ctx context.Context, q querier) ([]app.Department, error) {
	rows, err := q.Query(ctx, `SELECT `+departmentColumns+` FROM department ORDER BY name_fold, id`)
	if err != nil {
		return nil, internalError(err, "read the departments")
	}
	out, err := pgx.CollectRows(rows, scanDepartmentRow)
	if err != nil {
		return nil, internalError(err, "read the departments")
	}
	if out == nil {
		out = []app.Department{}
	}
	return out, nil
}

// Department returns one department (ENOTFOUND "error.department.not_found").
func (db *DB) Department(ctx context.Context, id int64) (app.Department, error) {
	return departmentOf(ctx, db.pool, id)
}

func departmentOf(ctx context.Context, q querier, id int64) (app.Department, error) {
	rows, err := q.Query(ctx, `SELECT `+departmentColumns+` FROM department WHERE id = $1`, id)
	if err != nil {
		return app.Department{}, internalError(err, "read a department")
	}
	d, err := pgx.CollectExactlyOneRow(rows, scanDepartmentRow)
	if errors.Is(err, pgx.ErrNoRows) {
		return app.Department{}, app.Errorf(app.ENOTFOUND, "error.department.not_found", "department %d not found", id).
			With(map[string]any{"ID": id})
	}
	if err != nil {
		return app.Department{}, internalError(err, "read a department")
	}
	return d, nil
}

// departmentConflict turns a unique name or cost centre into ECONFLICT
// "error.department.exists".
func departmentConflict(err error, d *app.Department) error {
	if pe := pgError(err); pe != nil && pe.Code == pgerrUniqueViolation {
		return app.Errorf(app.ECONFLICT, "error.department.exists",
			"a department named %q or with cost centre %q already exists", d.Name, d.CostCentre).
			With(map[string]any{"Name": d.Name, "CostCentre": d.CostCentre})
	}
	return internalError(err, "save a department")
}

// CreateDepartment inserts d and sets its ID and times.
func (db *DB) CreateDepartment(ctx context.Context, d *app.Department, audit []app.AuditEntry) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	now := stamp(time.Now())
	var id int64
	err = tx.QueryRow(ctx, `
		INSERT INTO department (name, name_fold, cost_centre, owner_name, owner_email, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
		d.Name, strings.ToLower(d.Name), d.CostCentre, d.OwnerName, d.OwnerEmail, now).Scan(&id)
	if err != nil {
		return departmentConflict(err, d)
	}
	if err := writeAudit(ctx, tx, audit); err != nil {
		return err
	}
	if err := commit(ctx, tx, "save a department"); err != nil {
		return err
	}
	d.ID, d.CreatedAt, d.UpdatedAt = id, now, now
	return nil
}

// UpdateDepartment replaces a department's fields.
func (db *DB) UpdateDepartment(ctx context.Context, d *app.Department, audit []app.AuditEntry) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	now := stamp(time.Now())
	var created time.Time
	err = tx.QueryRow(ctx, `
		UPDATE department SET name = $1, name_fold = $2, cost_centre = $3, owner_name = $4, owner_email = $5, updated_at = $6
		WHERE id = $7 RETURNING created_at`,
		d.Name, strings.ToLower(d.Name), d.CostCentre, d.OwnerName, d.OwnerEmail, now, d.ID).Scan(&created)
	if errors.Is(err, pgx.ErrNoRows) {
		return app.Errorf(app.ENOTFOUND, "error.department.not_found", "department %d not found", d.ID).
			With(map[string]any{"ID": d.ID})
	}
	if err != nil {
		return departmentConflict(err, d)
	}
	if err := writeAudit(ctx, tx, audit); err != nil {
		return err
	}
	if err := commit(ctx, tx, "save a department"); err != nil {
		return err
	}
	d.CreatedAt, d.UpdatedAt = created.UTC(), now
	return nil
}

// AddLedgerEntry records an allocation or a reimbursement; the journal's
// settlement writes the other kinds.
func (db *DB) AddLedgerEntry(ctx context.Context, e *app.LedgerEntry, audit []app.AuditEntry) error {
	if e.Kind != app.LedgerAllocation && e.Kind != app.LedgerReimbursement {
		return app.Errorf(app.EINVALID, "error.budget.kind", "only allocations and reimbursements are entered by hand")
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := departmentOf(ctx, tx, e.DepartmentID); err != nil {
		return err
	}
	row := *e
	row.At = orNow(row.At)
	if row.ID, err = insertLedgerEntry(ctx, tx, row); err != nil {
		return err
	}
	if err := writeAudit(ctx, tx, audit); err != nil {
		return err
	}
	if err := commit(ctx, tx, "write the ledger"); err != nil {
		return err
	}
	*e = row
	return nil
}

// insertLedgerEntry appends e to the ledger in tx (0 ids stored as NULL).
func insertLedgerEntry(ctx context.Context, tx pgx.Tx, e app.LedgerEntry) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `
		INSERT INTO department_ledger (department_id, period, kind, amount_minor, currency, session_id, payment_id,
		                               reference, note, at)
		VALUES ($1, $2, $3, $4, $5, nullif($6, 0), nullif($7, 0), $8, $9, $10) RETURNING id`,
		e.DepartmentID, e.Period, string(e.Kind), e.AmountMinor, e.Currency, e.SessionID, e.PaymentID,
		e.Reference, e.Note, stamp(e.At)).Scan(&id)
	if err != nil {
		return 0, internalError(err, "write the ledger")
	}
	return id, nil
}

// Ledger returns a department's entries of a period ("" for all), oldest
// first.
func (db *DB) Ledger(ctx context.Context, departmentID int64, period string) ([]app.LedgerEntry, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT id, department_id, period, kind, amount_minor, currency, coalesce(session_id, 0), coalesce(payment_id, 0),
		       reference, note, at
		FROM department_ledger
		WHERE department_id = $1 AND ($2 = '' OR period = $2)
		ORDER BY id`, departmentID, period)
	if err != nil {
		return nil, internalError(err, "read the ledger")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (app.LedgerEntry, error) {
		var e app.LedgerEntry
		var kind string
		err := row.Scan(&e.ID, &e.DepartmentID, &e.Period, &kind, &e.AmountMinor, &e.Currency, &e.SessionID,
			&e.PaymentID, &e.Reference, &e.Note, &e.At)
		e.Kind, e.At = app.LedgerKind(kind), e.At.UTC()
		return e, err
	})
	if err != nil {
		return nil, internalError(err, "read the ledger")
	}
	if out == nil {
		out = []app.LedgerEntry{}
	}
	return out, nil
}

// Budgets returns every department's budget in a period, from one
// snapshot. A session counts as held once it was started or once it ended
// before now; a cancelled session's money stays where its ledger put it.
func (db *DB) Budgets(ctx context.Context, period string, now time.Time) ([]app.DepartmentBudget, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	site, err := siteOf(ctx, tx)
	if err != nil {
		return nil, err
	}
	deps, err := departmentsOf(ctx, tx)
	if err != nil {
		return nil, err
	}
	// held: the ledger row's session was started, or ended before now.
	const held = `(pu.started_at IS NOT NULL OR s.ends_at < $1)`
	const spent = `CASE l.kind WHEN 'refund' THEN -l.amount_minor ELSE l.amount_minor END`
	rows, err := tx.Query(ctx, `
		SELECT l.department_id,
		       coalesce(sum(l.amount_minor) FILTER (WHERE l.kind = 'allocation'), 0)::bigint,
		       coalesce(sum(`+spent+`) FILTER (WHERE l.kind IN ('charge', 'true-up', 'refund') AND `+held+`), 0)::bigint,
		       coalesce(sum(`+spent+`) FILTER (WHERE l.kind IN ('charge', 'true-up', 'refund') AND NOT `+held+`), 0)::bigint,
		       coalesce(sum(l.amount_minor) FILTER (WHERE l.kind = 'reimbursement'), 0)::bigint
		FROM department_ledger l
		LEFT JOIN session s ON s.id = l.session_id
		LEFT JOIN payperuse_session pu ON pu.session_id = l.session_id
		WHERE l.period = $2 AND l.currency = $3
		GROUP BY l.department_id`, stamp(now), period, site.Currency)
	if err != nil {
		return nil, internalError(err, "read the budgets")
	}
	sums := map[int64]app.DepartmentBudget{}
	var id int64
	var b app.DepartmentBudget
	if _, err := pgx.ForEachRow(rows, []any{&id, &b.AllocatedMinor, &b.SpentMinor, &b.CommittedMinor, &b.ReimbursedMinor},
		func() error { sums[id] = b; return nil }); err != nil {
		return nil, internalError(err, "read the budgets")
	}
	out := make([]app.DepartmentBudget, 0, len(deps))
	for _, d := range deps {
		b := sums[d.ID]
		b.Department, b.Period, b.Currency = d, period, site.Currency
		out = append(out, b)
	}
	return out, nil
}

// budgetExceeded is the error for pay-per-use sale p refused by the budget
// limit (migration 00015): the block policy's own ECONFLICT
// "error.budget.exceeded", with what is left read in tx (after the refused
// statement's savepoint was rolled back) from the view the trigger sums.
func budgetExceeded(ctx context.Context, tx pgx.Tx, p app.Payment, cause error) error {
	sessionID, _ := app.ParseSessionReference(p.Reference)
	var department, period string
	var left int64
	err := tx.QueryRow(ctx, `
		SELECT d.name, b.period,
		       (SELECT coalesce(sum(v.amount_minor), 0) FROM department_budget_movement v
		        WHERE v.department_id = d.id AND v.period = b.period AND v.currency = $2)::bigint
		FROM session s JOIN department d ON d.id = s.department_id,
		     site st, budget_settings bs,
		     LATERAL (SELECT budget_period(s.starts_at, st.time_zone, bs.period, bs.fiscal_year_start) AS period) b
		WHERE s.id = $1 AND st.id = 1 AND bs.id = 1`, sessionID, p.Currency).Scan(&department, &period, &left)
	if errors.Is(err, pgx.ErrNoRows) {
		return internalError(cause, "record a payment")
	}
	if err != nil {
		return internalError(errors.Join(cause, err), "read the department's budget")
	}
	e := app.BudgetExceededError(p.AmountMinor, left, p.Currency, department, period)
	e.Err = cause
	return e
}
