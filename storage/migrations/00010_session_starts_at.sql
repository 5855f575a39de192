-- The sessions list is in order of start (upcoming: soonest first; past
-- and all: latest first), which is what its Starts column shows. Ordering
-- by end, as session_ends_at (00004) allowed, put a long session that
-- started early below a short one that started later. This index serves
-- the order and both bounds of the list's conditions (ends_at is in it,
-- so counting a page's total reads the index only).

-- +goose Up
CREATE INDEX session_starts_at ON session (starts_at, ends_at);

-- +goose Down
DROP INDEX session_starts_at;
