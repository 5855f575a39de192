-- A registration refunded in full gives its promotional code's use back:
-- the use stops counting against the code's limit and the attendee's
-- (both count state 'used'), and returned_at records when. A partial
-- refund keeps the use: the attendee kept part of what the code bought.
--
-- The database does it, whatever code settles the refund: when a
-- registration's status becomes 'refunded' (the journal's settlement sets
-- it once the charged refunds reach what was paid), its use becomes
-- 'released' with returned_at set. A use is otherwise still final: the
-- only way out of 'used' is that return, for a refunded registration.

-- +goose Up
ALTER TABLE promo_redemption ADD COLUMN returned_at TEXT;

DROP TRIGGER promo_redemption_used_stays;

-- +goose StatementBegin
CREATE TRIGGER promo_redemption_used_stays BEFORE UPDATE OF state ON promo_redemption
WHEN OLD.state = 'used' AND NEW.state <> 'used'
 AND NOT (NEW.state = 'released' AND NEW.returned_at IS NOT NULL
          AND (SELECT status FROM registration WHERE id = NEW.registration_id) = 'refunded')
BEGIN
    SELECT RAISE(ABORT, 'promo: a use is final');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER registration_refunded_returns_promo AFTER UPDATE OF status ON registration
WHEN NEW.status = 'refunded' AND OLD.status <> 'refunded'
BEGIN
    UPDATE promo_redemption SET state = 'released', returned_at = NEW.updated_at, updated_at = NEW.updated_at
    WHERE registration_id = NEW.id AND state = 'used';
END;
-- +goose StatementEnd

-- Registrations refunded before this migration give their uses back too.
UPDATE promo_redemption
SET state = 'released',
    returned_at = (SELECT g.updated_at FROM registration g WHERE g.id = promo_redemption.registration_id),
    updated_at = (SELECT g.updated_at FROM registration g WHERE g.id = promo_redemption.registration_id)
WHERE state = 'used'
  AND (SELECT g.status FROM registration g WHERE g.id = promo_redemption.registration_id) = 'refunded';

-- +goose Down
DROP TRIGGER registration_refunded_returns_promo;
DROP TRIGGER promo_redemption_used_stays;

-- +goose StatementBegin
CREATE TRIGGER promo_redemption_used_stays BEFORE UPDATE OF state ON promo_redemption
WHEN OLD.state = 'used' AND NEW.state <> 'used'
BEGIN
    SELECT RAISE(ABORT, 'promo: a use is final');
END;
-- +goose StatementEnd

ALTER TABLE promo_redemption DROP COLUMN returned_at;
