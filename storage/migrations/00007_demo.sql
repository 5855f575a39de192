-- Demo data (issue 8): the marker `trainpay demo-data` leaves in a database
-- it filled, so that it can tell its own data from a site's real data and
-- refuse to write into the latter unless forced. goose runs this file in
-- one transaction.

-- +goose Up

-- One row per run of the generator, with what it was asked for.
CREATE TABLE demo_data (
    id            INTEGER PRIMARY KEY,
    seed          INTEGER NOT NULL,
    sessions      INTEGER NOT NULL CHECK (sessions >= 0),
    registrations INTEGER NOT NULL CHECK (registrations >= 0),
    codes         INTEGER NOT NULL CHECK (codes >= 0),
    departments   INTEGER NOT NULL CHECK (departments >= 0),
    forced        INTEGER NOT NULL DEFAULT 0 CHECK (forced IN (0, 1)),
    created_at    TEXT    NOT NULL
) STRICT;

-- Indexes the scale benchmarks asked for (BENCHMARKS.md).
--
-- Reserving a code first frees the registration's expired reservation
-- (WHERE registration_id = ? AND state = 'reserved'): the partial unique
-- index promo_redemption_registration (state IN ('reserved', 'used'))
-- cannot serve state = 'reserved', so SQLite scanned every redemption.
CREATE INDEX promo_redemption_registration_state ON promo_redemption (registration_id, state);

-- Counting a code's uses and live reservations (and the attendee's) reads
-- only this index, never the table.
CREATE INDEX promo_redemption_taken ON promo_redemption (code_id, state, expires_at, email, registration_id);

-- +goose Down
DROP INDEX promo_redemption_taken;
DROP INDEX promo_redemption_registration_state;
DROP TABLE demo_data;
