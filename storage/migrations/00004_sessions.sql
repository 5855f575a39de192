-- Training sessions and attendees' registrations (issue 5), with the
-- columns pay-per-use (issue 7) builds on. goose runs this file in one
-- transaction.
--
-- Times are TEXT in RFC 3339 UTC with exactly nine fractional digits, as in
-- the foundation ('' where a time is absent). Amounts are integers in the
-- currency's minor units.

-- +goose Up

CREATE TABLE session (
    id                       INTEGER PRIMARY KEY,
    topic                    TEXT    NOT NULL CHECK (topic <> ''),
    -- lower(topic), for the case-insensitive search (SQLite's lower() only
    -- folds ASCII; the app folds Unicode before storing).
    topic_fold               TEXT    NOT NULL,
    description              TEXT    NOT NULL DEFAULT '',
    starts_at                TEXT    NOT NULL,
    ends_at                  TEXT    NOT NULL,
    time_zone                TEXT    NOT NULL CHECK (time_zone <> ''),
    duration_minutes         INTEGER NOT NULL CHECK (duration_minutes > 0),
    type                     TEXT    NOT NULL CHECK (type IN ('free', 'paid', 'pay-per-use')),
    fee_minor                INTEGER NOT NULL DEFAULT 0 CHECK (fee_minor >= 0),
    currency                 TEXT    NOT NULL DEFAULT '',
    registration_required    INTEGER NOT NULL DEFAULT 0 CHECK (registration_required IN (0, 1)),
    max_registrations        INTEGER NOT NULL DEFAULT 0 CHECK (max_registrations >= 0),
    registration_closes_at   TEXT    NOT NULL DEFAULT '',
    attendees_may_cancel     INTEGER NOT NULL DEFAULT 0 CHECK (attendees_may_cancel IN (0, 1)),
    cancel_hours_before      INTEGER NOT NULL DEFAULT 0 CHECK (cancel_hours_before >= 0),
    refund_percent           INTEGER NOT NULL DEFAULT 100 CHECK (refund_percent BETWEEN 0 AND 100),
    -- Pay-per-use (issue 7): the host's estimate, the department that pays
    -- (departments arrive in 00006, so no foreign key here) and the
    -- journal row of the host's payment.
    expected_computers       INTEGER NOT NULL DEFAULT 0 CHECK (expected_computers >= 0),
    expected_teleconference  INTEGER NOT NULL DEFAULT 0
                             CHECK (expected_teleconference >= 0 AND expected_teleconference <= expected_computers),
    department_id            INTEGER,
    paid_payment_id          INTEGER REFERENCES payment (id),
    status                   TEXT    NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    created_at               TEXT    NOT NULL,
    updated_at               TEXT    NOT NULL,
    CHECK (type = 'paid' OR fee_minor = 0),
    CHECK (type <> 'paid' OR (fee_minor > 0 AND registration_required = 1 AND max_registrations > 0
                              AND length(currency) = 3))
) STRICT;

-- Upcoming (ends_at >= now, soonest first) and past (ends_at < now, latest
-- first) both walk this index.
CREATE INDEX session_ends_at ON session (ends_at, id);

CREATE TABLE registration (
    id                 INTEGER PRIMARY KEY,
    session_id         INTEGER NOT NULL REFERENCES session (id),
    first_name         TEXT    NOT NULL CHECK (first_name <> ''),
    last_name          TEXT    NOT NULL CHECK (last_name <> ''),
    email              TEXT    NOT NULL CHECK (email <> '' AND email = lower(email)),
    company            TEXT    NOT NULL DEFAULT '',
    country            TEXT    NOT NULL DEFAULT '',
    language           TEXT    NOT NULL DEFAULT 'en',
    status             TEXT    NOT NULL CHECK (status IN ('pending-payment', 'registered', 'paid', 'cancelled',
                                                          'refunded', 'partially-refunded', 'expired')),
    confirmation       TEXT    NOT NULL UNIQUE,
    fee_minor          INTEGER NOT NULL DEFAULT 0 CHECK (fee_minor >= 0),
    discount_minor     INTEGER NOT NULL DEFAULT 0 CHECK (discount_minor >= 0 AND discount_minor <= fee_minor),
    total_minor        INTEGER NOT NULL DEFAULT 0 CHECK (total_minor = fee_minor - discount_minor),
    currency           TEXT    NOT NULL DEFAULT '',
    promo_code         TEXT    NOT NULL DEFAULT '',
    hold_until         TEXT    NOT NULL DEFAULT '',
    payment_id         INTEGER REFERENCES payment (id),
    paid_minor         INTEGER NOT NULL DEFAULT 0 CHECK (paid_minor >= 0),
    refunded_minor     INTEGER NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0 AND refunded_minor <= paid_minor),
    paid_at            TEXT    NOT NULL DEFAULT '',
    cancelled_at       TEXT    NOT NULL DEFAULT '',
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL
) STRICT;

-- One live registration per email and session: a second one is refused
-- (the store turns the constraint into a clear message). Cancelled,
-- refunded and expired ones do not count, so a person may register again.
CREATE UNIQUE INDEX registration_one_per_email ON registration (session_id, email)
    WHERE status IN ('pending-payment', 'registered', 'paid');

-- Seats taken and revenue per session; the session's list in order.
CREATE INDEX registration_session ON registration (session_id, status);

-- +goose Down
DROP INDEX registration_session;
DROP INDEX registration_one_per_email;
DROP TABLE registration;
DROP INDEX session_ends_at;
DROP TABLE session;
