-- The payment journal. goose runs this file in one transaction: the table,
-- its indexes and its triggers arrive together or not at all.
--
-- One row is one attempt to charge, refund or void, committed before the
-- gateway is called and settled with the gateway's answer afterwards. The
-- journal is append-and-settle only: a row is never deleted, and an UPDATE
-- may touch only the answer (state and the result columns), attempts and
-- updated_at. Triggers below enforce both, whatever code runs the SQL.
--
-- Card data: brand, last four digits and funding only. There is no column
-- that could hold a card number or a CVV, and there must never be one (a
-- storage test compares the columns with an allow-list).
--
-- Times are TEXT in RFC 3339 UTC with exactly nine fractional digits, as in
-- the foundation. Amounts are integers in the currency's minor units.

-- +goose Up

-- id is the commit order and the rowid: "newest first" (ORDER BY id DESC)
-- and "oldest first" (ORDER BY id) walk the table's own b-tree, without an
-- index on created_at and without trusting the clock.
--
-- method, processor, purpose and brand are not CHECKed against a list: a
-- new processor or purpose must not need a table rebuild (SQLite cannot
-- alter a CHECK). The closed sets (kind, mode, state, funding) are CHECKed.
CREATE TABLE payment (
    id           INTEGER PRIMARY KEY,
    key          TEXT    NOT NULL UNIQUE CHECK (length(key) BETWEEN 1 AND 32),
    invoice_id   TEXT    NOT NULL UNIQUE CHECK (invoice_id <> ''),
    kind         TEXT    NOT NULL CHECK (kind IN ('sale', 'refund', 'void')),
    purpose      TEXT    NOT NULL CHECK (purpose <> ''),
    reference    TEXT    NOT NULL,
    -- The sale a refund or void applies to; NULL for a sale.
    parent_id    INTEGER REFERENCES payment (id),
    method       TEXT    NOT NULL,
    processor    TEXT    NOT NULL,
    mode         TEXT    NOT NULL CHECK (mode IN ('test', 'production')),
    amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
    currency     TEXT    NOT NULL CHECK (length(currency) = 3),
    description  TEXT    NOT NULL DEFAULT '',
    payer_name   TEXT    NOT NULL DEFAULT '',
    payer_email  TEXT    NOT NULL DEFAULT '',

    state        TEXT    NOT NULL DEFAULT 'pending'
                         CHECK (state IN ('pending', 'approved', 'held', 'declined', 'failed', 'unknown', 'needs-review')),
    gateway_ref  TEXT    NOT NULL DEFAULT '',
    auth_code    TEXT    NOT NULL DEFAULT '',
    brand        TEXT    NOT NULL DEFAULT '',
    last4        TEXT    NOT NULL DEFAULT ''
                         CHECK (last4 = '' OR (length(last4) = 4 AND last4 NOT GLOB '*[^0-9]*')),
    funding      TEXT    NOT NULL DEFAULT '' CHECK (funding IN ('', 'credit', 'debit')),
    result_code  TEXT    NOT NULL DEFAULT '',
    message      TEXT    NOT NULL DEFAULT '',
    field        TEXT    NOT NULL DEFAULT '',
    attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),

    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,

    CHECK ((kind = 'sale') = (parent_id IS NULL))
) STRICT;

-- Reconciliation reads the open rows on every start: a partial index keeps
-- them at hand however long the journal grows. Queries must repeat this
-- WHERE term word for word for SQLite to use the index.
CREATE INDEX payment_unsettled ON payment (state)
    WHERE state IN ('pending', 'unknown', 'needs-review');

-- A sale's refunds and voids (the refund limit, RefundedMinor).
CREATE INDEX payment_parent ON payment (parent_id);

-- What a feature paid for ("registration:42").
CREATE INDEX payment_purpose ON payment (purpose, reference);

-- Append-and-settle: the request columns never change after the insert,
-- attempts only grow, and money that moved (approved, held) is never
-- recorded as not having moved.
-- +goose StatementBegin
CREATE TRIGGER payment_settle_only BEFORE UPDATE ON payment
WHEN NEW.id IS NOT OLD.id
  OR NEW.key IS NOT OLD.key
  OR NEW.invoice_id IS NOT OLD.invoice_id
  OR NEW.kind IS NOT OLD.kind
  OR NEW.purpose IS NOT OLD.purpose
  OR NEW.reference IS NOT OLD.reference
  OR NEW.parent_id IS NOT OLD.parent_id
  OR NEW.method IS NOT OLD.method
  OR NEW.processor IS NOT OLD.processor
  OR NEW.mode IS NOT OLD.mode
  OR NEW.amount_minor IS NOT OLD.amount_minor
  OR NEW.currency IS NOT OLD.currency
  OR NEW.description IS NOT OLD.description
  OR NEW.payer_name IS NOT OLD.payer_name
  OR NEW.payer_email IS NOT OLD.payer_email
  OR NEW.created_at IS NOT OLD.created_at
BEGIN
    SELECT RAISE(ABORT, 'payment: only the answer, attempts and updated_at may change');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER payment_attempts_grow BEFORE UPDATE OF attempts ON payment
WHEN NEW.attempts < OLD.attempts
BEGIN
    SELECT RAISE(ABORT, 'payment: attempts never decrease');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER payment_charged_stays_charged BEFORE UPDATE OF state ON payment
WHEN OLD.state IN ('approved', 'held') AND NEW.state NOT IN ('approved', 'held')
BEGIN
    SELECT RAISE(ABORT, 'payment: a charged payment stays charged');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER payment_no_delete BEFORE DELETE ON payment
BEGIN
    SELECT RAISE(ABORT, 'payment is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER payment_no_delete;
DROP TRIGGER payment_charged_stays_charged;
DROP TRIGGER payment_attempts_grow;
DROP TRIGGER payment_settle_only;
DROP INDEX payment_purpose;
DROP INDEX payment_parent;
DROP INDEX payment_unsettled;
DROP TABLE payment;
