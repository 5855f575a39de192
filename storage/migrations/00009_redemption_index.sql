-- promo_redemption_registration_state (registration_id, state), from
-- 00007, served lookups of a registration's reservation written as
-- state = 'reserved'. Those lookups now also say state IN ('reserved',
-- 'used'), the condition of the partial unique index
-- promo_redemption_registration (00005), which SQLite then uses; every
-- reservation writes one index fewer.

-- +goose Up
DROP INDEX promo_redemption_registration_state;

-- +goose Down
CREATE INDEX promo_redemption_registration_state ON promo_redemption (registration_id, state);
