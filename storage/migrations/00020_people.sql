-- People and their roles. On the organisation database (the PostgreSQL twin
-- of this migration) each person signs in with a login of their own and the
-- server enforces their roles with group roles, grants and row-level
-- security. The single-desktop file has one person, the desktop's user,
-- who holds every role (the administrator's part still behind the site
-- passphrase), so here the tables are created only, for the two schemas to
-- stay alike; nothing writes them.
--
-- audit_log.login names the database login that wrote an entry: on
-- PostgreSQL a trigger sets it from the session; here it stays ''.

-- +goose Up
CREATE TABLE people (
    id         INTEGER PRIMARY KEY,
    login      TEXT    NOT NULL UNIQUE CHECK (login <> ''),
    name       TEXT    NOT NULL CHECK (name <> ''),
    email      TEXT    NOT NULL DEFAULT '',
    disabled   INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at TEXT    NOT NULL
) STRICT;

CREATE TABLE person_role (
    person_id INTEGER NOT NULL REFERENCES people (id),
    role      TEXT    NOT NULL CHECK (role IN ('administrator', 'coordinator', 'budget-owner')),
    PRIMARY KEY (person_id, role)
) STRICT;

CREATE TABLE department_owner (
    department_id INTEGER NOT NULL REFERENCES department (id),
    person_id     INTEGER NOT NULL REFERENCES people (id),
    PRIMARY KEY (department_id, person_id)
) STRICT;
CREATE INDEX department_owner_person ON department_owner (person_id);

ALTER TABLE audit_log ADD COLUMN login TEXT NOT NULL DEFAULT '';

-- People are the site's area of the change feed (migration 00016).
-- +goose StatementBegin
CREATE TRIGGER people_changed_insert AFTER INSERT ON people BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'site';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER people_changed_update AFTER UPDATE ON people BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'site';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER people_changed_delete AFTER DELETE ON people BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'site';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER person_role_changed_insert AFTER INSERT ON person_role BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'site';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER person_role_changed_update AFTER UPDATE ON person_role BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'site';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER person_role_changed_delete AFTER DELETE ON person_role BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'site';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER department_owner_changed_insert AFTER INSERT ON department_owner BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'site';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER department_owner_changed_update AFTER UPDATE ON department_owner BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'site';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER department_owner_changed_delete AFTER DELETE ON department_owner BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'site';
END;
-- +goose StatementEnd


-- +goose Down
DROP TRIGGER people_changed_insert;
DROP TRIGGER people_changed_update;
DROP TRIGGER people_changed_delete;
DROP TRIGGER person_role_changed_insert;
DROP TRIGGER person_role_changed_update;
DROP TRIGGER person_role_changed_delete;
DROP TRIGGER department_owner_changed_insert;
DROP TRIGGER department_owner_changed_update;
DROP TRIGGER department_owner_changed_delete;
ALTER TABLE audit_log DROP COLUMN login;
DROP TABLE department_owner;
DROP TABLE person_role;
DROP TABLE people;
