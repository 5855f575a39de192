-- The PostgreSQL twin of storage/migrations/00009.

-- +goose Up
DROP INDEX promo_redemption_registration_state;

-- +goose Down
CREATE INDEX promo_redemption_registration_state ON promo_redemption (registration_id, state);
