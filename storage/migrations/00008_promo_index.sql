-- promo_redemption_code (code_id, state) is a prefix of promo_redemption_taken
-- (00007): every query it served is served by the longer index, and each
-- redemption no longer writes a page of an index nobody reads.

-- promo_redemption_email (code_id, email) likewise: the per-attendee count
-- and the report's attendees read promo_redemption_taken, which holds the
-- email too.

-- +goose Up
DROP INDEX promo_redemption_code;
DROP INDEX promo_redemption_email;

-- +goose Down
CREATE INDEX promo_redemption_email ON promo_redemption (code_id, email);
CREATE INDEX promo_redemption_code ON promo_redemption (code_id, state);
