-- The PostgreSQL twin of storage/migrations/00010: the sessions list is in
-- order of start.

-- +goose Up
CREATE INDEX session_starts_at ON session (starts_at, ends_at);

-- +goose Down
DROP INDEX session_starts_at;
