-- PayPal invoices (Invoicing v2): an attendee pays for themselves through an
-- invoice PayPal emails, and TrainPay reads its status until it is paid. One
-- row per registration, written before the invoice is created at PayPal, so
-- that an app that stops in between finds the invoice after a restart by its
-- number (PayPal's search by invoice_number). goose runs this file in one
-- transaction.
--
-- number is the registration's confirmation number, the invoice's number at
-- PayPal (at most 25 characters: PayPal's search takes no longer one).
-- paypal_id is NULL until PayPal has answered the create (or the search
-- found the invoice); once known it never changes, nor does capture_id, the
-- capture of the payment through PayPal that a refund refunds.
--
-- status is the client's domain state ('creating' before PayPal answered);
-- raw_status PayPal's own word, kept for the states that need review. The
-- poller leases a row (lease_owner, lease_until) so that two processes never
-- poll one invoice at once: it takes a row whose lease is NULL or has run
-- out, in one UPDATE. Times are TEXT in the journal's RFC 3339 UTC format;
-- due_date is a calendar date (YYYY-MM-DD).

-- +goose Up

CREATE TABLE invoice (
    id               INTEGER PRIMARY KEY,
    registration_id  INTEGER NOT NULL UNIQUE REFERENCES registration (id),
    number           TEXT    NOT NULL UNIQUE CHECK (length(number) BETWEEN 1 AND 25),
    paypal_id        TEXT    UNIQUE CHECK (paypal_id IS NULL OR length(paypal_id) BETWEEN 1 AND 30),
    status           TEXT    NOT NULL DEFAULT 'creating'
                             CHECK (status IN ('creating', 'draft', 'awaiting-payment', 'payment-pending',
                                               'partially-paid', 'paid', 'cancelled', 'partially-refunded',
                                               'refunded', 'needs-review')),
    raw_status       TEXT    NOT NULL DEFAULT '',
    due_date         TEXT    NOT NULL CHECK (due_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    payer_link       TEXT    NOT NULL DEFAULT '',
    capture_id       TEXT    NOT NULL DEFAULT '',
    lease_owner      TEXT    NOT NULL DEFAULT '',
    lease_until      TEXT,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    CHECK ((lease_owner = '') = (lease_until IS NULL)),
    CHECK (status = 'creating' OR paypal_id IS NOT NULL)
) STRICT;

-- The poller's next rows: invoices not yet settled, by lease.
CREATE INDEX invoice_poll ON invoice (lease_until) WHERE status NOT IN ('paid', 'cancelled', 'refunded');

-- +goose StatementBegin
CREATE TRIGGER invoice_ids_are_kept BEFORE UPDATE OF paypal_id, capture_id ON invoice
WHEN (OLD.paypal_id IS NOT NULL AND NEW.paypal_id IS NOT OLD.paypal_id)
  OR (OLD.capture_id <> '' AND NEW.capture_id <> OLD.capture_id)
BEGIN
    SELECT RAISE(ABORT, 'invoice: paypal_id and capture_id never change once known');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER invoice_is_kept BEFORE DELETE ON invoice
BEGIN
    SELECT RAISE(ABORT, 'invoice: a row is never deleted');
END;
-- +goose StatementEnd

-- An invoice's state is its registration's: the other desktops' screens
-- of registrations hear of it (migration 00016).
-- +goose StatementBegin
CREATE TRIGGER invoice_changed_insert AFTER INSERT ON invoice BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'registrations';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER invoice_changed_update AFTER UPDATE ON invoice BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'registrations';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER invoice_changed_delete AFTER DELETE ON invoice BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'registrations';
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER invoice_changed_delete;
DROP TRIGGER invoice_changed_update;
DROP TRIGGER invoice_changed_insert;
DROP TRIGGER invoice_is_kept;
DROP TRIGGER invoice_ids_are_kept;
DROP INDEX invoice_poll;
DROP TABLE invoice;
