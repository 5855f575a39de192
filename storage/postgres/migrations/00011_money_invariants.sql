-- Money rules the database keeps whatever code writes the journal (any
-- desktop of the organisation, a future bug, a hand-made fix): the
-- PostgreSQL twin of storage/migrations/00011, with the same rules and
-- messages. storage/postgres knows the refusals by SQLSTATE:
-- TP011 (a live sale exists), TP012 (refunds would exceed the sale).
--
-- SQLite has one writer at a time, so there a trigger's look at the other
-- rows and the write it guards cannot be split by another writer.
-- PostgreSQL runs writers side by side (READ COMMITTED: each statement of a
-- trigger function sees what was committed when it started), so:
--
--   - One live sale: before it looks, the trigger takes a transaction-level
--     advisory lock on the reference (pg_advisory_xact_lock), so sales of
--     one reference are written one transaction at a time: a writer that
--     gets the lock sees every sale written before it, committed (trigger
--     functions are VOLATILE: each statement in them takes a new snapshot,
--     here after the lock is granted). Without the lock, a writer could
--     look before another's open sale committed and reach the unique index
--     only after that sale was settled charged, and so no longer open: a
--     registration charged twice. Settling a sale needs no lock: it
--     changes a row every later look sees, open or charged. The lock is on
--     the reference alone, so pay-per-use and true-up sales of one session,
--     whose basis (00013) is their common charged sum, take turns too.
--     A unique partial index over open sales (pending, unknown,
--     needs-review) backs the rule up: two open sales of one purpose and
--     reference can never both be in the table.
--     (No index over charged registration sales: an answer that money
--     moved is never refused, and one may arrive for a declined sale after
--     a retry was opened.)
--   - Refunds within the sale: the trigger locks the sale's row
--     (SELECT ... FOR UPDATE) before it adds up the refunds, so two
--     refunds of one sale take turns, and the second counts the first.
--     Chosen over SERIALIZABLE, which would need every caller to retry on
--     40001: the lock makes the writer wait instead, and touches no other
--     row. Trigger functions are VOLATILE, so the sum, run after the lock
--     is granted, sees the refund the lock waited for.
--
-- A fresh database holds no journal that broke these rules, so unlike
-- SQLite's migration this one can build the unique index.

-- +goose Up

-- +goose StatementBegin
CREATE FUNCTION payment_money_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    counted CONSTANT text[] := ARRAY['approved', 'held', 'pending', 'unknown', 'needs-review'];
    open    CONSTANT text[] := ARRAY['pending', 'unknown', 'needs-review'];
    reopened boolean := TG_OP = 'UPDATE' AND OLD.state IN ('declined', 'failed') AND NEW.state = ANY (open);
    sale_amount bigint;
BEGIN
    IF NEW.kind = 'sale' AND NEW.purpose <> 'test-payment' AND (TG_OP = 'INSERT' OR reopened) THEN
        PERFORM pg_advisory_xact_lock(hashtextextended('trainpay.payment.sale:' || NEW.reference, 0));
    END IF;

    -- At most one live sale per purpose and reference. Live: its outcome
    -- is open, or, for a registration, charged. A declined or failed sale
    -- is not live; a declined or failed one reopened for a retry under its
    -- key is a new attempt. Test payments: no rule.
    IF NEW.kind = 'sale' AND NEW.purpose <> 'test-payment'
       AND ((TG_OP = 'INSERT' AND (NEW.state = ANY (open)
                                   OR (NEW.purpose = 'registration' AND NEW.state IN ('approved', 'held'))))
            OR reopened)
       AND EXISTS (SELECT 1 FROM payment s
                   WHERE s.purpose = NEW.purpose AND s.reference = NEW.reference AND s.kind = 'sale'
                     AND s.id <> NEW.id
                     AND (s.state = ANY (open)
                          OR (s.purpose = 'registration' AND s.state IN ('approved', 'held')))) THEN
        RAISE EXCEPTION USING ERRCODE = 'TP011',
            MESSAGE = 'payment: a live sale for this purpose and reference exists';
    END IF;

    -- A sale's refunds never add up to more than the sale. A refund counts
    -- while it is charged or open.
    IF NEW.kind = 'refund' AND ((TG_OP = 'INSERT' AND NEW.state = ANY (counted)) OR reopened) THEN
        SELECT s.amount_minor INTO sale_amount FROM payment s WHERE s.id = NEW.parent_id FOR UPDATE;
        IF NEW.amount_minor + (SELECT coalesce(sum(r.amount_minor), 0) FROM payment r
                               WHERE r.parent_id = NEW.parent_id AND r.kind = 'refund' AND r.id <> NEW.id
                                 AND r.state = ANY (counted)) > sale_amount THEN
            RAISE EXCEPTION USING ERRCODE = 'TP012',
                MESSAGE = 'payment: refunds would exceed the sale''s amount';
        END IF;
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER payment_money_rules BEFORE INSERT OR UPDATE OF state ON payment
    FOR EACH ROW EXECUTE FUNCTION payment_money_rules();

CREATE UNIQUE INDEX payment_one_open_sale ON payment (purpose, reference)
    WHERE kind = 'sale' AND purpose <> 'test-payment' AND state IN ('pending', 'unknown', 'needs-review');

-- +goose Down
DROP INDEX payment_one_open_sale;
DROP TRIGGER payment_money_rules ON payment;
DROP FUNCTION payment_money_rules();
