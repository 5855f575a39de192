-- The block policy's limit, kept by the database: the PostgreSQL twin of
-- storage/migrations/00015, whose comment says what counts against a
-- budget and when it is checked; the rule is the same word for word.
-- Under the block policy a department's pay-per-use sales never exceed its
-- budget, however many desktops pay its sessions at once.
--
-- The difference is the lock. SQLite has one writer; here the trigger
-- first locks the department's row (FOR NO KEY UPDATE: it serialises the
-- department's sales with one another, yet lets the ledger's and the
-- sessions' foreign keys check the row meanwhile) and only then sums what
-- is left. Under READ COMMITTED each statement of the trigger sees what
-- was committed when it began, so the sum, taken after the lock, sees
-- every sale of the department committed by a desktop that held the lock
-- before. The lock is held until the sale's transaction ends.
--
-- budget_period is app.BudgetSettings.PeriodOf in SQL (PostgreSQL has the
-- time zones SQLite lacks): the period of a session starting at starts_at
-- in the site's time zone.
--
-- A refusal is SQLSTATE TP014 (postgres.StateBudgetExceeded), with
-- SQLite's message.

-- +goose Up

CREATE INDEX session_department ON session (department_id) WHERE department_id IS NOT NULL;

-- +goose StatementBegin
CREATE FUNCTION budget_period(starts_at timestamptz, time_zone text, period text, fiscal_year_start integer)
RETURNS text LANGUAGE sql STABLE STRICT AS $$
    SELECT 'FY' || to_char(y, 'FM0000') || CASE WHEN $3 = 'quarter' THEN '-Q' || (m / 3 + 1) ELSE '' END
    FROM (SELECT CASE WHEN mm < 0 THEN yy - 1 ELSE yy END AS y, CASE WHEN mm < 0 THEN mm + 12 ELSE mm END AS m
          FROM (SELECT extract(year FROM local)::integer AS yy, extract(month FROM local)::integer - $4 AS mm
                FROM (SELECT $1 AT TIME ZONE $2 AS local) AS t) AS u) AS v
$$;
-- +goose StatementEnd

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
FROM session s, site st, budget_settings bs, payment p
WHERE s.department_id IS NOT NULL AND st.id = 1 AND bs.id = 1
  AND p.purpose IN ('pay-per-use', 'true-up') AND p.reference = 'session:' || s.id
  AND p.kind = 'sale' AND p.state IN ('pending', 'unknown', 'needs-review', 'approved', 'held')
  AND NOT EXISTS (SELECT 1 FROM department_ledger x WHERE x.payment_id = p.id);

-- +goose StatementBegin
CREATE FUNCTION payment_within_department_budget() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sid  bigint;
    dep  bigint;
    per  text;
    left_minor bigint;
BEGIN
    IF NEW.kind <> 'sale' OR NEW.purpose <> 'pay-per-use' THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' AND NEW.state NOT IN ('pending', 'unknown', 'needs-review', 'approved', 'held') THEN
        RETURN NEW;
    END IF;
    -- A declined or failed sale reopened for a retry is a new attempt;
    -- recording that money moved is never refused.
    IF TG_OP = 'UPDATE' AND NOT (OLD.state IN ('declined', 'failed')
                                 AND NEW.state IN ('pending', 'unknown', 'needs-review')) THEN
        RETURN NEW;
    END IF;
    IF (SELECT policy FROM budget_settings WHERE id = 1) IS DISTINCT FROM 'block'
       OR NEW.reference !~ '^session:[1-9][0-9]{0,17}$' THEN
        RETURN NEW;
    END IF;
    sid := substr(NEW.reference, 9)::bigint;
    SELECT s.department_id, budget_period(s.starts_at, st.time_zone, bs.period, bs.fiscal_year_start)
      INTO dep, per
      FROM session s, site st, budget_settings bs
     WHERE s.id = sid AND s.type = 'pay-per-use' AND st.id = 1 AND bs.id = 1;
    IF dep IS NULL THEN
        RETURN NEW;
    END IF;
    PERFORM 1 FROM department WHERE id = dep FOR NO KEY UPDATE;
    SELECT coalesce(sum(v.amount_minor), 0) INTO left_minor
      FROM department_budget_movement v
     WHERE v.department_id = dep AND v.period = per AND v.currency = NEW.currency;
    IF NEW.amount_minor > left_minor THEN
        RAISE EXCEPTION USING ERRCODE = 'TP014',
            MESSAGE = 'payment: the department''s budget does not cover this sale';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER payment_within_department_budget BEFORE INSERT OR UPDATE OF state ON payment
    FOR EACH ROW EXECUTE FUNCTION payment_within_department_budget();

-- +goose Down
DROP TRIGGER payment_within_department_budget ON payment;
DROP FUNCTION payment_within_department_budget();
DROP VIEW department_budget_movement;
DROP FUNCTION budget_period(timestamptz, text, text, integer);
DROP INDEX session_department;
