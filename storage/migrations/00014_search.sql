-- Substring search that reads an index instead of every row: FTS5 tables
-- with the trigram tokenizer for a session's topic and a registration's
-- name, email and confirmation number.
--
-- The tables are contentless (content=''): they hold only the index, keyed
-- by the row's id, and the row itself stays in session / registration.
-- contentless_delete=1 lets a trigger delete an entry by rowid alone.
--
-- What is indexed is fold(text), the app's search form (storage/fold.go:
-- lower case, accents and the letters without a decomposition such as Ł
-- folded to ASCII, so "lodz" finds "Łódź"); the query is folded the same
-- way. fold() is an SQL function the app registers on every connection:
-- a program that writes sessions or registrations without it (the sqlite3
-- shell) fails with "no such function: fold" instead of leaving the index
-- behind. If fold's rule ever changes, a migration must rebuild both
-- tables (DELETE FROM x_search; INSERT ... SELECT as below).
--
-- FTS5 comes from mattn/go-sqlite3's sqlite_fts5 build tag: a build
-- without it fails here with "no such module: fts5" (storage.Open says so).

-- +goose Up
CREATE VIRTUAL TABLE session_search USING fts5(
    topic,
    content = '', contentless_delete = 1,
    tokenize = 'trigram remove_diacritics 1'
);

CREATE VIRTUAL TABLE registration_search USING fts5(
    name, email, confirmation,
    content = '', contentless_delete = 1,
    tokenize = 'trigram remove_diacritics 1'
);

-- Existing rows (backfill).
INSERT INTO session_search (rowid, topic) SELECT id, fold(topic) FROM session;
INSERT INTO registration_search (rowid, name, email, confirmation)
    SELECT id, fold(first_name || ' ' || last_name), fold(email), fold(confirmation) FROM registration;

-- +goose StatementBegin
CREATE TRIGGER session_search_insert AFTER INSERT ON session BEGIN
    INSERT INTO session_search (rowid, topic) VALUES (NEW.id, fold(NEW.topic));
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER session_search_update AFTER UPDATE OF id, topic ON session BEGIN
    DELETE FROM session_search WHERE rowid = OLD.id;
    INSERT INTO session_search (rowid, topic) VALUES (NEW.id, fold(NEW.topic));
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER session_search_delete AFTER DELETE ON session BEGIN
    DELETE FROM session_search WHERE rowid = OLD.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER registration_search_insert AFTER INSERT ON registration BEGIN
    INSERT INTO registration_search (rowid, name, email, confirmation)
    VALUES (NEW.id, fold(NEW.first_name || ' ' || NEW.last_name), fold(NEW.email), fold(NEW.confirmation));
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER registration_search_update AFTER UPDATE OF id, first_name, last_name, email, confirmation
ON registration BEGIN
    DELETE FROM registration_search WHERE rowid = OLD.id;
    INSERT INTO registration_search (rowid, name, email, confirmation)
    VALUES (NEW.id, fold(NEW.first_name || ' ' || NEW.last_name), fold(NEW.email), fold(NEW.confirmation));
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER registration_search_delete AFTER DELETE ON registration BEGIN
    DELETE FROM registration_search WHERE rowid = OLD.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER registration_search_delete;
DROP TRIGGER registration_search_update;
DROP TRIGGER registration_search_insert;
DROP TRIGGER session_search_delete;
DROP TRIGGER session_search_update;
DROP TRIGGER session_search_insert;
DROP TABLE registration_search;
DROP TABLE session_search;
