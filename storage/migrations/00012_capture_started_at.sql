-- When a sale's capture was last started, for a payment whose money moves
-- in a second request after the row was written (an Orders v2 capture,
-- sent once the buyer has approved, possibly hours later). Reconciliation
-- reads it after a restart: an order that is approved but not yet
-- captured must not be settled as "not charged" while a capture sent moments
-- ago may still be running at PayPal. NULL: no capture was started (every
-- card payment, and an order that was never approved).
--
-- It is written before the capture is sent and only moves forward (a later
-- capture run of the same sale); the trigger refuses anything else. Text in
-- the journal's time format, so that comparing strings compares times.

-- +goose Up
ALTER TABLE payment ADD COLUMN capture_started_at TEXT;

-- +goose StatementBegin
CREATE TRIGGER payment_capture_started_moves_forward BEFORE UPDATE OF capture_started_at ON payment
WHEN OLD.capture_started_at IS NOT NULL
 AND (NEW.capture_started_at IS NULL OR NEW.capture_started_at < OLD.capture_started_at)
BEGIN
    SELECT RAISE(ABORT, 'payment: capture_started_at only moves forward');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER payment_capture_started_moves_forward;
ALTER TABLE payment DROP COLUMN capture_started_at;
