-- promo_redemption_code (code_id, state) is a prefix of promo_redemption_taken
-- (00007): every query it served is served by the longer index, and each
-- redemption no longer writes a page of an index nobody reads.

-- +goose Up
DROP INDEX promo_redemption_code;

-- +goose Down
CREATE INDEX promo_redemption_code ON promo_redemption (code_id, state);
