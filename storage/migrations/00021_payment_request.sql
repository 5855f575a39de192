-- The budget owner's "To pay" queue: a request to pay a pay-per-use
-- session's estimate (or its rise after a change), made when the session is
-- scheduled or changed, and answered by one of the department's budget
-- owners: paid (payment_id is the journal's sale) or declined with a
-- reason. A request the session no longer needs (the estimate fell to what
-- was paid, or the session was paid another way) is withdrawn.
--
-- A session has at most one open request: the partial unique index says so
-- for every desktop and process at once, and the stores open or update a
-- request with one INSERT … ON CONFLICT on it. A request that is no longer
-- open is never changed again, and no request is ever deleted. Times are
-- TEXT in the journal's RFC 3339 UTC format. The table belongs to the
-- payments area of the change feed.

-- +goose Up

CREATE TABLE payment_request (
    id             INTEGER PRIMARY KEY,
    session_id     INTEGER NOT NULL REFERENCES session (id),
    department_id  INTEGER NOT NULL REFERENCES department (id),
    amount_minor   INTEGER NOT NULL CHECK (amount_minor > 0),
    currency       TEXT    NOT NULL CHECK (length(currency) = 3),
    state          TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'paid', 'declined', 'withdrawn')),
    reason         TEXT    NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    payment_id     INTEGER REFERENCES payment (id),
    decided_by     TEXT    NOT NULL DEFAULT '',
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    decided_at     TEXT,
    CHECK ((state = 'declined') = (reason <> '')),
    CHECK ((state = 'open') = (decided_at IS NULL)),
    CHECK (state = 'paid' OR payment_id IS NULL)
) STRICT;

CREATE UNIQUE INDEX payment_request_one_open ON payment_request (session_id) WHERE state = 'open';
CREATE INDEX payment_request_session ON payment_request (session_id, id);
CREATE INDEX payment_request_open_department ON payment_request (department_id) WHERE state = 'open';

-- +goose StatementBegin
CREATE TRIGGER payment_request_closed_is_kept BEFORE UPDATE ON payment_request
WHEN OLD.state <> 'open'
BEGIN
    SELECT RAISE(ABORT, 'payment_request: a request that is no longer open never changes');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER payment_request_is_kept BEFORE DELETE ON payment_request
BEGIN
    SELECT RAISE(ABORT, 'payment_request: a request is never deleted');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER payment_request_changed_insert AFTER INSERT ON payment_request BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'payments';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER payment_request_changed_update AFTER UPDATE ON payment_request BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'payments';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER payment_request_changed_delete AFTER DELETE ON payment_request BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'payments';
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER payment_request_changed_delete;
DROP TRIGGER payment_request_changed_update;
DROP TRIGGER payment_request_changed_insert;
DROP TRIGGER payment_request_is_kept;
DROP TRIGGER payment_request_closed_is_kept;
DROP INDEX payment_request_open_department;
DROP INDEX payment_request_session;
DROP INDEX payment_request_one_open;
DROP TABLE payment_request;
