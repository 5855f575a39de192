-- The block policy's limit, kept by the database: under the block policy a
-- department's pay-per-use sales never exceed its budget, whatever process
-- writes the journal, however many desktops pay its sessions at once.
--
-- What counts against a budget (department_budget_movement, summed per
-- department, period and currency): the period's allocations, minus the ledger's
-- charges and true-ups, plus its refunds (reimbursements do not change what
-- is left), minus every pay-per-use or true-up sale of the department's
-- sessions of that period that is open (pending, unknown, needs-review) or
-- charged (approved, held) and not yet in the ledger. A sale is counted
-- once: open, by the journal; once its settlement writes the ledger's
-- charge in the same transaction, by the ledger. A declined or failed sale
-- counts for nothing. A session's money belongs to the period its session
-- starts in, in the site's time zone (budget_period, the Go function
-- app.BudgetSettings.PeriodOf that storage registers on every connection,
-- as the ledger's settlement names it).
--
-- When it is checked: as the journal row of a pay-per-use sale is written
-- (inserted, or a declined or failed one reopened for a retry), which the
-- payment service does before it calls the processor. The sale must fit in
-- what is left of its session's department's budget for the session's
-- period; otherwise the insert is refused, nothing is charged, and storage
-- reports ECONFLICT "error.budget.exceeded". Only under the block policy,
-- only for sessions paid by a department, and only pay-per-use sales: a
-- true-up is the cost of a session already held, owed whatever the budget.
-- Write transactions are BEGIN IMMEDIATE and SQLite has one writer, so the
-- look and the insert cannot be split by another process.
--
-- The refusal is RAISE(ABORT) with a fixed message that storage knows by
-- name (storage.RaiseBudgetExceeded): keep the text word for word.

-- +goose Up

-- A department's sessions, for the sum of their sales.
CREATE INDEX session_department ON session (department_id) WHERE department_id IS NOT NULL;

-- Every movement of what is left: one row per ledger entry and per sale not
-- yet in the ledger. A view without GROUP BY, so that a query's WHERE on
-- department, period and currency reaches both arms: the ledger's period
-- index, and a department's sessions (session_department) and then their
-- payments by purpose and reference (CROSS JOIN keeps SQLite to that order,
-- rather than every pay-per-use payment of the site first).
CREATE VIEW department_budget_movement (department_id, period, currency, amount_minor) AS
SELECT l.department_id, l.period, l.currency,
       CASE l.kind WHEN 'allocation' THEN l.amount_minor
                   WHEN 'refund' THEN l.amount_minor
                   WHEN 'reimbursement' THEN 0
                   ELSE -l.amount_minor END
FROM department_ledger l
UNION ALL
SELECT s.department_id, budget_period(s.starts_at, st.time_zone, bs.period, bs.fiscal_year_start),
       p.currency, -p.amount_minor
FROM session s CROSS JOIN payment p, site st, budget_settings bs
WHERE s.department_id IS NOT NULL AND st.id = 1 AND bs.id = 1
  AND p.purpose IN ('pay-per-use', 'true-up') AND p.reference = 'session:' || s.id
  AND p.kind = 'sale' AND p.state IN ('pending', 'unknown', 'needs-review', 'approved', 'held')
  AND NOT EXISTS (SELECT 1 FROM department_ledger x WHERE x.payment_id = p.id);

-- +goose StatementBegin
CREATE TRIGGER payment_within_department_budget BEFORE INSERT ON payment
WHEN NEW.kind = 'sale' AND NEW.purpose = 'pay-per-use'
 AND NEW.state IN ('pending', 'unknown', 'needs-review', 'approved', 'held')
 AND (SELECT policy FROM budget_settings WHERE id = 1) = 'block'
BEGIN
    SELECT RAISE(ABORT, 'payment: the department''s budget does not cover this sale')
    FROM session s, site st, budget_settings bs
    WHERE s.id = CAST(substr(NEW.reference, 9) AS INTEGER) AND NEW.reference = 'session:' || s.id
      AND s.type = 'pay-per-use' AND s.department_id IS NOT NULL AND st.id = 1 AND bs.id = 1
      AND NEW.amount_minor > (SELECT coalesce(sum(v.amount_minor), 0) FROM department_budget_movement v
                             WHERE v.department_id = s.department_id AND v.currency = NEW.currency
                               AND v.period = budget_period(s.starts_at, st.time_zone, bs.period, bs.fiscal_year_start));
END;
-- +goose StatementEnd

-- A declined or failed sale reopened for a retry is a new attempt too (the
-- row itself is not counted: it is still declined or failed while this
-- runs). Recording that money moved is never refused: an answer is the
-- truth, and a person must see it.
-- +goose StatementBegin
CREATE TRIGGER payment_within_department_budget_reopened BEFORE UPDATE OF state ON payment
WHEN NEW.kind = 'sale' AND NEW.purpose = 'pay-per-use'
 AND OLD.state IN ('declined', 'failed') AND NEW.state IN ('pending', 'unknown', 'needs-review')
 AND (SELECT policy FROM budget_settings WHERE id = 1) = 'block'
BEGIN
    SELECT RAISE(ABORT, 'payment: the department''s budget does not cover this sale')
    FROM session s, site st, budget_settings bs
    WHERE s.id = CAST(substr(NEW.reference, 9) AS INTEGER) AND NEW.reference = 'session:' || s.id
      AND s.type = 'pay-per-use' AND s.department_id IS NOT NULL AND st.id = 1 AND bs.id = 1
      AND NEW.amount_minor > (SELECT coalesce(sum(v.amount_minor), 0) FROM department_budget_movement v
                             WHERE v.department_id = s.department_id AND v.currency = NEW.currency
                               AND v.period = budget_period(s.starts_at, st.time_zone, bs.period, bs.fiscal_year_start));
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER payment_within_department_budget_reopened;
DROP TRIGGER payment_within_department_budget;
DROP VIEW department_budget_movement;
DROP INDEX session_department;
