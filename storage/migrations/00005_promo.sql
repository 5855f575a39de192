-- Promotional codes: the codes, the sessions a code is limited to, the
-- people a code is sent to, each use (or reservation of a use), the SMTP
-- settings of the site and the message templates. goose runs this file in
-- one transaction.
--
-- Sessions and registrations belong to the paid-sessions feature (migration
-- 00004): a code's chosen sessions and each redemption reference them. The
-- journal's reference "registration:<id>" ties a payment to a redemption.
--
-- Times are TEXT in RFC 3339 UTC with exactly nine fractional digits, as in
-- the foundation; amounts are integers in the currency's minor units.

-- +goose Up

-- code is stored upper case; COLLATE NOCASE on the unique index makes
-- "spring-25" and "SPRING-25" the same code even if a bug stored one in
-- lower case. A percentage is in basis points (1550 is 15.50 %), a fixed
-- discount in minor units of currency. use_limit 0 is unlimited.
-- valid_until is exclusive: a code is valid while valid_from <= now <
-- valid_until.
CREATE TABLE promo_code (
    id                 INTEGER PRIMARY KEY,
    code               TEXT    NOT NULL
                               CHECK (length(code) BETWEEN 5 AND 32 AND code = upper(code)
                                      AND code NOT GLOB '*[^A-Z0-9-]*'),
    kind               TEXT    NOT NULL CHECK (kind IN ('percent', 'fixed')),
    percent_bp         INTEGER NOT NULL DEFAULT 0,
    fixed_minor        INTEGER NOT NULL DEFAULT 0,
    currency           TEXT    NOT NULL DEFAULT '',
    use_limit          INTEGER NOT NULL DEFAULT 1 CHECK (use_limit >= 0),
    per_attendee_limit INTEGER NOT NULL DEFAULT 1 CHECK (per_attendee_limit >= 1),
    valid_from         TEXT    NOT NULL,
    valid_until        TEXT    NOT NULL,
    disabled           INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    all_sessions       INTEGER NOT NULL DEFAULT 1 CHECK (all_sessions IN (0, 1)),
    created_at         TEXT    NOT NULL,
    CHECK (valid_until > valid_from),
    CHECK ((kind = 'percent' AND percent_bp BETWEEN 1 AND 10000 AND fixed_minor = 0 AND currency = '')
        OR (kind = 'fixed' AND percent_bp = 0 AND fixed_minor > 0 AND length(currency) = 3))
) STRICT;

CREATE UNIQUE INDEX promo_code_code ON promo_code (code COLLATE NOCASE);

-- The sessions a code applies to when all_sessions = 0.
CREATE TABLE promo_code_session (
    code_id    INTEGER NOT NULL REFERENCES promo_code (id) ON DELETE CASCADE,
    session_id INTEGER NOT NULL REFERENCES session (id) ON DELETE CASCADE,
    PRIMARY KEY (code_id, session_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX promo_code_session_session ON promo_code_session (session_id);

-- The people a code is sent to. sent_at is set once the SMTP server has
-- accepted the message, so a run that stops resumes with the rows whose
-- sent_at is NULL.
CREATE TABLE promo_recipient (
    id            INTEGER PRIMARY KEY,
    code_id       INTEGER NOT NULL REFERENCES promo_code (id) ON DELETE CASCADE,
    email         TEXT    NOT NULL CHECK (email <> '' AND email = lower(email)),
    name          TEXT    NOT NULL CHECK (name <> ''),
    sent_at       TEXT,
    failed_reason TEXT    NOT NULL DEFAULT '',
    failed_at     TEXT,
    UNIQUE (code_id, email)
) STRICT;

CREATE INDEX promo_recipient_unsent ON promo_recipient (code_id, id) WHERE sent_at IS NULL;

-- One use of a code, or a reservation of one while the attendee pays.
-- state: reserved (counts against the limits until expires_at, or while a
-- payment for the registration is open), used (final), released (freed).
CREATE TABLE promo_redemption (
    id              INTEGER PRIMARY KEY,
    code_id         INTEGER NOT NULL REFERENCES promo_code (id) ON DELETE CASCADE,
    registration_id INTEGER NOT NULL REFERENCES registration (id),
    session_id      INTEGER NOT NULL REFERENCES session (id),
    email           TEXT    NOT NULL CHECK (email <> '' AND email = lower(email)),
    state           TEXT    NOT NULL CHECK (state IN ('reserved', 'used', 'released')),
    fee_minor       INTEGER NOT NULL CHECK (fee_minor >= 0),
    discount_minor  INTEGER NOT NULL CHECK (discount_minor >= 0 AND discount_minor <= fee_minor),
    total_minor     INTEGER NOT NULL CHECK (total_minor = fee_minor - discount_minor),
    currency        TEXT    NOT NULL CHECK (length(currency) = 3),
    payment_id      INTEGER REFERENCES payment (id),
    created_at      TEXT    NOT NULL,
    expires_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
) STRICT;

CREATE INDEX promo_redemption_code ON promo_redemption (code_id, state);
CREATE INDEX promo_redemption_email ON promo_redemption (code_id, email);
-- A registration holds at most one live reservation or use.
CREATE UNIQUE INDEX promo_redemption_registration ON promo_redemption (registration_id)
    WHERE state IN ('reserved', 'used');

-- Uses never above the limit, whatever code runs the SQL.
-- +goose StatementBegin
CREATE TRIGGER promo_redemption_limit_insert BEFORE INSERT ON promo_redemption
WHEN NEW.state = 'used'
 AND (SELECT use_limit FROM promo_code WHERE id = NEW.code_id) > 0
 AND (SELECT count(*) FROM promo_redemption WHERE code_id = NEW.code_id AND state = 'used')
     >= (SELECT use_limit FROM promo_code WHERE id = NEW.code_id)
BEGIN
    SELECT RAISE(ABORT, 'promo: uses above the limit');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER promo_redemption_limit_update BEFORE UPDATE OF state ON promo_redemption
WHEN NEW.state = 'used' AND OLD.state <> 'used'
 AND (SELECT use_limit FROM promo_code WHERE id = NEW.code_id) > 0
 AND (SELECT count(*) FROM promo_redemption WHERE code_id = NEW.code_id AND state = 'used')
     >= (SELECT use_limit FROM promo_code WHERE id = NEW.code_id)
BEGIN
    SELECT RAISE(ABORT, 'promo: uses above the limit');
END;
-- +goose StatementEnd

-- A use is final.
-- +goose StatementBegin
CREATE TRIGGER promo_redemption_used_stays BEFORE UPDATE OF state ON promo_redemption
WHEN OLD.state = 'used' AND NEW.state <> 'used'
BEGIN
    SELECT RAISE(ABORT, 'promo: a use is final');
END;
-- +goose StatementEnd

-- The limit can never be edited below the uses made.
-- +goose StatementBegin
CREATE TRIGGER promo_code_limit_above_uses BEFORE UPDATE OF use_limit ON promo_code
WHEN NEW.use_limit > 0
 AND NEW.use_limit < (SELECT count(*) FROM promo_redemption WHERE code_id = NEW.id AND state = 'used')
BEGIN
    SELECT RAISE(ABORT, 'promo: limit below uses');
END;
-- +goose StatementEnd

-- The discount of a code never changes once created (quotes and uses rely
-- on it): only the limits, the validity, the sessions and disabled may.
-- +goose StatementBegin
CREATE TRIGGER promo_code_discount_fixed BEFORE UPDATE ON promo_code
WHEN NEW.code IS NOT OLD.code OR NEW.kind IS NOT OLD.kind OR NEW.percent_bp IS NOT OLD.percent_bp
  OR NEW.fixed_minor IS NOT OLD.fixed_minor OR NEW.currency IS NOT OLD.currency
BEGIN
    SELECT RAISE(ABORT, 'promo: the code and its discount never change');
END;
-- +goose StatementEnd

-- A used code cannot be deleted (disable it instead).
-- +goose StatementBegin
CREATE TRIGGER promo_code_used_no_delete BEFORE DELETE ON promo_code
WHEN EXISTS (SELECT 1 FROM promo_redemption WHERE code_id = OLD.id AND state = 'used')
BEGIN
    SELECT RAISE(ABORT, 'promo: a used code cannot be deleted');
END;
-- +goose StatementEnd

-- The site's outgoing mail server. The password is in the keychain (or the
-- encrypted secrets file), never here.
CREATE TABLE smtp_settings (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    host      TEXT    NOT NULL,
    port      INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    tls_mode  TEXT    NOT NULL CHECK (tls_mode IN ('none', 'starttls', 'tls')),
    username  TEXT    NOT NULL DEFAULT '',
    sender    TEXT    NOT NULL,
    sender_name TEXT  NOT NULL DEFAULT ''
) STRICT;

-- The promotional message per language; the built-in text when absent.
CREATE TABLE promo_mail_template (
    language TEXT NOT NULL PRIMARY KEY CHECK (language IN ('en', 'pl')),
    subject  TEXT NOT NULL CHECK (subject <> ''),
    body     TEXT NOT NULL CHECK (body <> '')
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE promo_mail_template;
DROP TABLE smtp_settings;
DROP TRIGGER promo_code_used_no_delete;
DROP TRIGGER promo_code_discount_fixed;
DROP TRIGGER promo_code_limit_above_uses;
DROP TRIGGER promo_redemption_used_stays;
DROP TRIGGER promo_redemption_limit_update;
DROP TRIGGER promo_redemption_limit_insert;
DROP INDEX promo_redemption_registration;
DROP INDEX promo_redemption_email;
DROP INDEX promo_redemption_code;
DROP TABLE promo_redemption;
DROP INDEX promo_recipient_unsent;
DROP TABLE promo_recipient;
DROP INDEX promo_code_session_session;
DROP TABLE promo_code_session;
DROP INDEX promo_code_code;
DROP TABLE promo_code;
