-- What a pay-per-use or true-up sale was worked out from: the session's net
-- charged amount (charged sales less charged refunds, over both purposes)
-- when the amount due was computed. Two desktops can open the payment of one
-- session at the same time, and neither sale is open when the other is
-- written if the first is already settled; without this, the second would
-- charge the same amount due again. The trigger refuses a sale whose basis
-- no longer holds, in the same write transaction as the insert, whatever
-- process writes it. NULL: no basis given (every other purpose).
--
-- A refusal is RAISE(ABORT) with a fixed message that storage knows by name
-- (storage.RaisePaidChanged): keep the text word for word.

-- +goose Up
ALTER TABLE payment ADD COLUMN paid_before_minor INTEGER CHECK (paid_before_minor IS NULL OR paid_before_minor >= 0);

-- +goose StatementBegin
CREATE TRIGGER payment_paid_before_holds BEFORE INSERT ON payment
WHEN NEW.kind = 'sale' AND NEW.purpose IN ('pay-per-use', 'true-up') AND NEW.paid_before_minor IS NOT NULL
 AND NEW.paid_before_minor <> (SELECT coalesce(sum(CASE p.kind WHEN 'sale' THEN p.amount_minor
                                                             WHEN 'refund' THEN -p.amount_minor
                                                             ELSE 0 END), 0)
                               FROM payment p
                               WHERE p.purpose IN ('pay-per-use', 'true-up') AND p.reference = NEW.reference
                                 AND p.state IN ('approved', 'held'))
BEGIN
    SELECT RAISE(ABORT, 'payment: the amount paid changed since the amount due was worked out');
END;
-- +goose StatementEnd

-- A request column: written once with the row.
-- +goose StatementBegin
CREATE TRIGGER payment_paid_before_fixed BEFORE UPDATE OF paid_before_minor ON payment
WHEN NEW.paid_before_minor IS NOT OLD.paid_before_minor
BEGIN
    SELECT RAISE(ABORT, 'payment: only the answer, attempts and updated_at may change');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER payment_paid_before_fixed;
DROP TRIGGER payment_paid_before_holds;
ALTER TABLE payment DROP COLUMN paid_before_minor;
