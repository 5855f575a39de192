-- The PostgreSQL twin of storage/migrations/00008: two indexes that are
-- prefixes of promo_redemption_taken go.

-- +goose Up
DROP INDEX promo_redemption_code;
DROP INDEX promo_redemption_email;

-- +goose Down
CREATE INDEX promo_redemption_email ON promo_redemption (code_id, email);
CREATE INDEX promo_redemption_code ON promo_redemption (code_id, state);
