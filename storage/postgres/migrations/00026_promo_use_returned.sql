-- The twin of storage/migrations/00019: a registration refunded in full
-- gives its promotional code's use back (state 'released', returned_at
-- set); a partial refund keeps it. The database does it when the
-- registration's status becomes 'refunded', whoever settles the refund,
-- and a use otherwise stays final.
--
-- The return only lowers the count of uses, so it never lets a code past
-- its limit: a reservation that counts before the return commits sees one
-- use more, not fewer (the limit's trigger counts under the code's row
-- lock, as before).

-- +goose Up
ALTER TABLE promo_redemption ADD COLUMN returned_at timestamptz;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION promo_redemption_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    lim integer;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.state = 'used' AND NEW.state <> 'used'
       AND NOT (NEW.state = 'released' AND NEW.returned_at IS NOT NULL
                AND (SELECT status FROM registration WHERE id = NEW.registration_id) = 'refunded') THEN
        RAISE EXCEPTION USING ERRCODE = 'TP022', MESSAGE = 'promo: a use is final';
    END IF;
    IF NEW.state = 'used' AND (TG_OP = 'INSERT' OR OLD.state <> 'used') THEN
        SELECT use_limit INTO lim FROM promo_code WHERE id = NEW.code_id FOR NO KEY UPDATE;
        IF lim > 0 AND (SELECT count(*) FROM promo_redemption
                        WHERE code_id = NEW.code_id AND state = 'used') >= lim THEN
            RAISE EXCEPTION USING ERRCODE = 'TP021', MESSAGE = 'promo: uses above the limit';
        END IF;
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION registration_refunded_returns_promo() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE promo_redemption SET state = 'released', returned_at = NEW.updated_at, updated_at = NEW.updated_at
    WHERE registration_id = NEW.id AND state = 'used';
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER registration_refunded_returns_promo AFTER UPDATE OF status ON registration
    FOR EACH ROW WHEN (NEW.status = 'refunded' AND OLD.status <> 'refunded')
    EXECUTE FUNCTION registration_refunded_returns_promo();

-- Registrations refunded before this migration give their uses back too.
UPDATE promo_redemption r SET state = 'released', returned_at = g.updated_at, updated_at = g.updated_at
FROM registration g
WHERE g.id = r.registration_id AND r.state = 'used' AND g.status = 'refunded';

-- +goose Down
DROP TRIGGER registration_refunded_returns_promo ON registration;
DROP FUNCTION registration_refunded_returns_promo();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION promo_redemption_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    lim integer;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.state = 'used' AND NEW.state <> 'used' THEN
        RAISE EXCEPTION USING ERRCODE = 'TP022', MESSAGE = 'promo: a use is final';
    END IF;
    IF NEW.state = 'used' AND (TG_OP = 'INSERT' OR OLD.state <> 'used') THEN
        SELECT use_limit INTO lim FROM promo_code WHERE id = NEW.code_id FOR NO KEY UPDATE;
        IF lim > 0 AND (SELECT count(*) FROM promo_redemption
                        WHERE code_id = NEW.code_id AND state = 'used') >= lim THEN
            RAISE EXCEPTION USING ERRCODE = 'TP021', MESSAGE = 'promo: uses above the limit';
        END IF;
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

ALTER TABLE promo_redemption DROP COLUMN returned_at;
