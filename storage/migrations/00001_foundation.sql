-- The foundation: the site, its features, the administrator's credential and
-- the audit log. goose runs this file in one transaction, so the database is
-- either stamped as TrainPay's and has all four tables, or neither.
--
-- Times are TEXT in RFC 3339 UTC with exactly nine fractional digits
-- ("2006-01-02T15:04:05.000000000Z"): fixed width, so text order is time
-- order.

-- +goose Up

-- application_id 0x54504159 ('TPAY') marks the file as TrainPay's, so that
-- storage.Open can tell its own database from any other SQLite file. The
-- pragma writes offset 68 of the header on page 1 like any other page change,
-- so it is transactional: it commits, or rolls back, with the tables below
-- (storage tests check both the header bytes and the pragma after a reopen).
PRAGMA application_id = 1414545753;

CREATE TABLE site (
    id                            INTEGER PRIMARY KEY CHECK (id = 1),
    name                          TEXT    NOT NULL CHECK (name <> ''),
    country                       TEXT    NOT NULL CHECK (length(country) = 2),
    currency                      TEXT    NOT NULL CHECK (length(currency) = 3),
    time_zone                     TEXT    NOT NULL CHECK (time_zone <> ''),
    language                      TEXT    NOT NULL CHECK (language <> ''),
    mode                          TEXT    NOT NULL CHECK (mode IN ('test', 'production')),
    rate_person_minute_e4         INTEGER NOT NULL DEFAULT 0 CHECK (rate_person_minute_e4 >= 0),
    rate_teleconference_minute_e4 INTEGER NOT NULL DEFAULT 0 CHECK (rate_teleconference_minute_e4 >= 0),
    created_at                    TEXT    NOT NULL
) STRICT;

-- A missing row means neither provisioned nor enabled.
CREATE TABLE feature (
    name        TEXT    NOT NULL PRIMARY KEY
                        CHECK (name IN ('paid-sessions', 'promo-codes', 'pay-per-use')),
    provisioned INTEGER NOT NULL CHECK (provisioned IN (0, 1)),
    enabled     INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    CHECK (enabled = 0 OR provisioned = 1)
) STRICT, WITHOUT ROWID;

-- Created with the site (same transaction), so it references it.
CREATE TABLE admin_credential (
    id              INTEGER PRIMARY KEY CHECK (id = 1) REFERENCES site (id),
    hash            TEXT    NOT NULL CHECK (hash <> ''),
    failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    locked_until    TEXT -- NULL when there is no pause
) STRICT;

-- id is the commit order. It is the rowid, so "newest first" paging
-- (ORDER BY id DESC LIMIT ? OFFSET ?) walks the table's own b-tree backwards:
-- no separate index and no sort are needed (a test checks the query plan).
-- Ordering by id rather than by at keeps the order right when the clock is
-- set back.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL CHECK (actor <> ''),
    action    TEXT NOT NULL CHECK (action <> ''),
    target    TEXT NOT NULL DEFAULT '',
    old_value TEXT NOT NULL DEFAULT '',
    new_value TEXT NOT NULL DEFAULT ''
) STRICT;

-- The audit log is append-only.
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_log_no_delete;
DROP TRIGGER audit_log_no_update;
DROP TABLE audit_log;
DROP TABLE admin_credential;
DROP TABLE feature;
DROP TABLE site;
PRAGMA application_id = 0;
