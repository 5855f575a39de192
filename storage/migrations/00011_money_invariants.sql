-- Money rules the database keeps whatever code writes the journal (another
-- TrainPay process on the same file, a future bug, a hand-made fix), on top
-- of the checks storage makes in Go. Write transactions are BEGIN
-- IMMEDIATE, and SQLite has one writer at a time, so a trigger's look at
-- the other rows and the insert it guards cannot be split by another
-- writer, in this process or another.
--
-- Triggers rather than a unique partial index: a journal written before
-- this migration may already hold two live sales for one registration (the
-- double charge these rules stop), and the journal is append-only, so an
-- index could not be built on it. The triggers guard every new row.
--
-- A trigger's refusal is RAISE(ABORT) with a fixed message that storage
-- knows by name (storage.RaiseLiveSale, storage.RaiseRefundExceeds): keep
-- the texts word for word.

-- +goose Up

-- At most one live sale per purpose and reference. Live: its outcome is
-- open (pending, unknown, needs-review): it may have moved money, so a
-- second attempt could charge twice; and, for a registration, charged
-- (approved, held): a registration is paid once. A declined or failed sale
-- is not live: the person may try again. Pay-per-use and true-up sales may
-- be charged more than once per session (a raised estimate is paid as a
-- second sale), so only an open one blocks. Test payments all share one
-- reference, each a deliberate charge of its own: no rule.
-- +goose StatementBegin
CREATE TRIGGER payment_one_live_sale BEFORE INSERT ON payment
WHEN NEW.kind = 'sale' AND NEW.purpose <> 'test-payment'
 AND (NEW.state IN ('pending', 'unknown', 'needs-review')
      OR (NEW.purpose = 'registration' AND NEW.state IN ('approved', 'held')))
 AND EXISTS (SELECT 1 FROM payment s
             WHERE s.purpose = NEW.purpose AND s.reference = NEW.reference AND s.kind = 'sale'
               AND (s.state IN ('pending', 'unknown', 'needs-review')
                    OR (s.purpose = 'registration' AND s.state IN ('approved', 'held'))))
BEGIN
    SELECT RAISE(ABORT, 'payment: a live sale for this purpose and reference exists');
END;
-- +goose StatementEnd

-- A declined or failed sale reopened for a retry under its key is a new
-- attempt too. (Recording that money moved is never refused: an answer is
-- the truth, and a person must see it.)
-- +goose StatementBegin
CREATE TRIGGER payment_one_live_sale_reopened BEFORE UPDATE OF state ON payment
WHEN NEW.kind = 'sale' AND NEW.purpose <> 'test-payment'
 AND OLD.state IN ('declined', 'failed') AND NEW.state IN ('pending', 'unknown', 'needs-review')
 AND EXISTS (SELECT 1 FROM payment s
             WHERE s.purpose = NEW.purpose AND s.reference = NEW.reference AND s.kind = 'sale'
               AND s.id <> NEW.id
               AND (s.state IN ('pending', 'unknown', 'needs-review')
                    OR (s.purpose = 'registration' AND s.state IN ('approved', 'held'))))
BEGIN
    SELECT RAISE(ABORT, 'payment: a live sale for this purpose and reference exists');
END;
-- +goose StatementEnd

-- A sale's refunds never add up to more than the sale. A refund counts
-- while it is charged or open (one that may have happened counts), as in
-- storage's RefundedMinor.
-- +goose StatementBegin
CREATE TRIGGER payment_refunds_within_sale BEFORE INSERT ON payment
WHEN NEW.kind = 'refund'
 AND NEW.state IN ('approved', 'held', 'pending', 'unknown', 'needs-review')
 AND NEW.amount_minor + (SELECT coalesce(sum(r.amount_minor), 0) FROM payment r
                         WHERE r.parent_id = NEW.parent_id AND r.kind = 'refund'
                           AND r.state IN ('approved', 'held', 'pending', 'unknown', 'needs-review'))
     > (SELECT s.amount_minor FROM payment s WHERE s.id = NEW.parent_id)
BEGIN
    SELECT RAISE(ABORT, 'payment: refunds would exceed the sale''s amount');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER payment_refunds_within_sale_reopened BEFORE UPDATE OF state ON payment
WHEN NEW.kind = 'refund'
 AND OLD.state IN ('declined', 'failed') AND NEW.state IN ('pending', 'unknown', 'needs-review')
 AND NEW.amount_minor + (SELECT coalesce(sum(r.amount_minor), 0) FROM payment r
                         WHERE r.parent_id = NEW.parent_id AND r.kind = 'refund' AND r.id <> NEW.id
                           AND r.state IN ('approved', 'held', 'pending', 'unknown', 'needs-review'))
     > (SELECT s.amount_minor FROM payment s WHERE s.id = NEW.parent_id)
BEGIN
    SELECT RAISE(ABORT, 'payment: refunds would exceed the sale''s amount');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER payment_refunds_within_sale_reopened;
DROP TRIGGER payment_refunds_within_sale;
DROP TRIGGER payment_one_live_sale_reopened;
DROP TRIGGER payment_one_live_sale;
