-- The twin of storage/migrations/00014, which gives SQLite full-text search
-- tables (FTS5, trigram) for session topics and registrations. The sessions
-- and registrations stores are not on PostgreSQL yet; when they come, their
-- search will use pg_trgm GIN indexes over the same folded text, added by a
-- migration of its own. This one keeps the two schemas' version numbers in
-- step (TestSchemaMatchesSQLite) and changes nothing.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
