-- The PostgreSQL twin of storage/migrations/00010: the sessions list is in
-- order of start. The id is in the key (SQLite's rowid is in every index):
-- the list's order and its page keys are (starts_at, ends_at, id), so a
-- page after a key is one index range, forwards or backwards.

-- +goose Up
CREATE INDEX session_starts_at ON session (starts_at, ends_at, id);

-- +goose Down
DROP INDEX session_starts_at;
