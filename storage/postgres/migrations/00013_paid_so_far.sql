-- What a pay-per-use or true-up sale was worked out from: the session's net
-- charged amount when the amount due was computed. The PostgreSQL twin of
-- storage/migrations/00013. A sale whose basis no longer holds is refused
-- with SQLSTATE TP013 and SQLite's message. NULL: no basis given.
--
-- Sales of one session are written one transaction at a time: the
-- reference's lock is taken by payment_money_rules (00011), which fires
-- before this trigger (PostgreSQL runs a table's triggers in name order),
-- so the sum below sees every sale written before. A settlement of an open
-- sale running meanwhile is not waited for: the sale still counts as open
-- to this look, and the one live sale rule refuses a sale of its purpose;
-- a sale of the other purpose is judged on what was charged before that
-- settlement, as if written first, which SQLite allows too.

-- +goose Up
ALTER TABLE payment ADD COLUMN paid_before_minor bigint CHECK (paid_before_minor IS NULL OR paid_before_minor >= 0);

-- +goose StatementBegin
CREATE FUNCTION payment_paid_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        -- A request column: written once with the row.
        IF NEW.paid_before_minor IS DISTINCT FROM OLD.paid_before_minor THEN
            RAISE EXCEPTION USING ERRCODE = 'TP001',
                MESSAGE = 'payment: only the answer, attempts and updated_at may change';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.kind = 'sale' AND NEW.purpose IN ('pay-per-use', 'true-up') AND NEW.paid_before_minor IS NOT NULL
       AND NEW.paid_before_minor <> (SELECT coalesce(sum(CASE p.kind WHEN 'sale' THEN p.amount_minor
                                                                     WHEN 'refund' THEN -p.amount_minor
                                                                     ELSE 0 END), 0)
                                     FROM payment p
                                     WHERE p.purpose IN ('pay-per-use', 'true-up') AND p.reference = NEW.reference
                                       AND p.state IN ('approved', 'held')) THEN
        RAISE EXCEPTION USING ERRCODE = 'TP013',
            MESSAGE = 'payment: the amount paid changed since the amount due was worked out';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER payment_paid_before BEFORE INSERT OR UPDATE OF paid_before_minor ON payment
    FOR EACH ROW EXECUTE FUNCTION payment_paid_before();

-- +goose Down
DROP TRIGGER payment_paid_before ON payment;
DROP FUNCTION payment_paid_before();
ALTER TABLE payment DROP COLUMN paid_before_minor;
