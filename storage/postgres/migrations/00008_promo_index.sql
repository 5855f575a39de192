-- The PostgreSQL twin of storage/migrations/00008: two indexes that are
-- prefixes of promo_redemption_taken go.
--
-- And the codes list's search, a part of the code in any case (ILIKE
-- '%part%', as SQLite's LIKE), reads a trigram index instead of every code:
-- at 100,000 codes a scan of them all is what the search would otherwise
-- cost on each key typed. pg_trgm is a trusted extension (PostgreSQL 13
-- and later), so the database's owner may create it.

-- +goose Up
DROP INDEX promo_redemption_code;
DROP INDEX promo_redemption_email;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX promo_code_code_trgm ON promo_code USING gin (code gin_trgm_ops);

-- +goose Down
DROP INDEX promo_code_code_trgm;
CREATE INDEX promo_redemption_email ON promo_redemption (code_id, email);
CREATE INDEX promo_redemption_code ON promo_redemption (code_id, state);
