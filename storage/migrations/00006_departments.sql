-- Pay-per-use (issue 7): departments, their budgets and ledger, and what
-- pay-per-use adds to a session (frozen rates, actual usage, the start).
-- goose runs this file in one transaction.
--
-- Times are TEXT in RFC 3339 UTC with exactly nine fractional digits, as in
-- the foundation ('' where a time is absent). Amounts are integers in the
-- currency's minor units.

-- +goose Up

-- The site's budget rules: one row, created with defaults.
CREATE TABLE budget_settings (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    period            TEXT    NOT NULL DEFAULT 'fiscal-year' CHECK (period IN ('fiscal-year', 'quarter')),
    fiscal_year_start INTEGER NOT NULL DEFAULT 1 CHECK (fiscal_year_start BETWEEN 1 AND 12),
    policy            TEXT    NOT NULL DEFAULT 'warn' CHECK (policy IN ('warn', 'block'))
) STRICT;
INSERT INTO budget_settings (id) VALUES (1);

-- name_fold and cost_centre are unique: two departments never share
-- either (the store turns the constraint into a clear message).
CREATE TABLE department (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL CHECK (name <> ''),
    name_fold   TEXT NOT NULL UNIQUE,
    cost_centre TEXT NOT NULL UNIQUE CHECK (cost_centre <> ''),
    owner_name  TEXT NOT NULL CHECK (owner_name <> ''),
    owner_email TEXT NOT NULL CHECK (owner_email <> ''),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

-- The ledger is append-only. Charges, refunds and true-ups are written by
-- the journal's settlement in the payment's own transaction; payment_id is
-- unique among them, so settling a payment twice (held, then approved)
-- records it once.
CREATE TABLE department_ledger (
    id            INTEGER PRIMARY KEY,
    department_id INTEGER NOT NULL REFERENCES department (id),
    period        TEXT    NOT NULL CHECK (period GLOB 'FY[0-9][0-9][0-9][0-9]*'),
    kind          TEXT    NOT NULL CHECK (kind IN ('allocation', 'charge', 'refund', 'true-up', 'reimbursement')),
    amount_minor  INTEGER NOT NULL CHECK (amount_minor <> 0),
    currency      TEXT    NOT NULL CHECK (length(currency) = 3),
    session_id    INTEGER REFERENCES session (id),
    payment_id    INTEGER REFERENCES payment (id),
    reference     TEXT    NOT NULL DEFAULT '',
    note          TEXT    NOT NULL DEFAULT '',
    at            TEXT    NOT NULL,
    CHECK (kind = 'true-up' OR amount_minor > 0),
    CHECK ((kind IN ('charge', 'refund', 'true-up')) = (payment_id IS NOT NULL AND session_id IS NOT NULL))
) STRICT;

CREATE UNIQUE INDEX department_ledger_payment ON department_ledger (payment_id) WHERE payment_id IS NOT NULL;
CREATE INDEX department_ledger_period ON department_ledger (period, department_id);

-- +goose StatementBegin
CREATE TRIGGER department_ledger_no_update BEFORE UPDATE ON department_ledger
BEGIN
    SELECT RAISE(ABORT, 'department_ledger is append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER department_ledger_no_delete BEFORE DELETE ON department_ledger
BEGIN
    SELECT RAISE(ABORT, 'department_ledger is append-only');
END;
-- +goose StatementEnd

-- What pay-per-use adds to a session. Rates are frozen when the host first
-- goes to pay (both NULL before); actual usage arrives after the session.
CREATE TABLE payperuse_session (
    session_id             INTEGER PRIMARY KEY REFERENCES session (id),
    currency               TEXT    NOT NULL CHECK (length(currency) = 3),
    person_rate_e4         INTEGER NOT NULL CHECK (person_rate_e4 >= 0),
    teleconference_rate_e4 INTEGER NOT NULL CHECK (teleconference_rate_e4 >= 0),
    actual_person_minutes  INTEGER CHECK (actual_person_minutes >= 0),
    actual_tele_minutes    INTEGER CHECK (actual_tele_minutes >= 0 AND actual_tele_minutes <= actual_person_minutes),
    actual_source          TEXT    NOT NULL DEFAULT '',
    actual_at              TEXT    NOT NULL DEFAULT '',
    started_at             TEXT    NOT NULL DEFAULT '',
    -- The estimate when the session started: a start with a cost and no
    -- payment is refused below, whatever code runs the SQL.
    start_cost_minor       INTEGER NOT NULL DEFAULT 0 CHECK (start_cost_minor >= 0)
) STRICT;

-- +goose StatementBegin
CREATE TRIGGER payperuse_paid_before_start BEFORE UPDATE OF started_at ON payperuse_session
WHEN NEW.started_at <> '' AND NEW.start_cost_minor > 0
 AND (SELECT paid_payment_id FROM session WHERE id = NEW.session_id) IS NULL
BEGIN
    SELECT RAISE(ABORT, 'payperuse: an unpaid session cannot start');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER payperuse_paid_before_first_start BEFORE INSERT ON payperuse_session
WHEN NEW.started_at <> '' AND NEW.start_cost_minor > 0
 AND (SELECT paid_payment_id FROM session WHERE id = NEW.session_id) IS NULL
BEGIN
    SELECT RAISE(ABORT, 'payperuse: an unpaid session cannot start');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER payperuse_paid_before_first_start;
DROP TRIGGER payperuse_paid_before_start;
DROP TABLE payperuse_session;
DROP TRIGGER department_ledger_no_delete;
DROP TRIGGER department_ledger_no_update;
DROP INDEX department_ledger_period;
DROP INDEX department_ledger_payment;
DROP TABLE department_ledger;
DROP TABLE department;
DROP TABLE budget_settings;
