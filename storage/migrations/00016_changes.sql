-- What changed, for the screens of other desktops and processes on this
-- file: a counter per area of the data, bumped by triggers on every table
-- of the area. A process watching the file (storage/changes.go) reads
-- PRAGMA data_version, which moves when another connection commits, and
-- then these six rows, to say which areas changed without reading them.
--
-- SQLite has no statement triggers, so the counter moves once per row
-- written: one more small UPDATE of a row that stays in the page cache
-- (the writer is one connection at a time, so it costs no waiting).
-- The counter only grows; its value means nothing but "different".
--
-- Areas (app.ChangeSet): sessions, registrations, payments, promo,
-- budgets, site. The FTS5 search tables follow their rows' triggers and
-- goose's own table is no area.

-- +goose Up
CREATE TABLE change_counter (
    area TEXT    PRIMARY KEY CHECK (area IN ('sessions', 'registrations', 'payments', 'promo', 'budgets', 'site')),
    n    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

INSERT INTO change_counter (area) VALUES
    ('sessions'), ('registrations'), ('payments'), ('promo'), ('budgets'), ('site');

-- +goose StatementBegin
CREATE TRIGGER session_changed_insert AFTER INSERT ON session BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'sessions';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER session_changed_update AFTER UPDATE ON session BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'sessions';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER session_changed_delete AFTER DELETE ON session BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'sessions';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER payperuse_session_changed_insert AFTER INSERT ON payperuse_session BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'sessions';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER payperuse_session_changed_update AFTER UPDATE ON payperuse_session BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'sessions';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER payperuse_session_changed_delete AFTER DELETE ON payperuse_session BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'sessions';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER registration_changed_insert AFTER INSERT ON registration BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'registrations';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER registration_changed_update AFTER UPDATE ON registration BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'registrations';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER registration_changed_delete AFTER DELETE ON registration BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'registrations';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER payment_changed_insert AFTER INSERT ON payment BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'payments';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER payment_changed_update AFTER UPDATE ON payment BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'payments';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER payment_changed_delete AFTER DELETE ON payment BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'payments';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER payment_settings_changed_insert AFTER INSERT ON payment_settings BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'payments';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER payment_settings_changed_update AFTER UPDATE ON payment_settings BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'payments';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER payment_settings_changed_delete AFTER DELETE ON payment_settings BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'payments';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER promo_code_changed_insert AFTER INSERT ON promo_code BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'promo';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER promo_code_changed_update AFTER UPDATE ON promo_code BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'promo';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER promo_code_changed_delete AFTER DELETE ON promo_code BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'promo';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER promo_code_session_changed_insert AFTER INSERT ON promo_code_session BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'promo';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER promo_code_session_changed_update AFTER UPDATE ON promo_code_session BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'promo';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER promo_code_session_changed_delete AFTER DELETE ON promo_code_session BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'promo';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER promo_recipient_changed_insert AFTER INSERT ON promo_recipient BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'promo';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER promo_recipient_changed_update AFTER UPDATE ON promo_recipient BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'promo';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER promo_recipient_changed_delete AFTER DELETE ON promo_recipient BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'promo';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER promo_redemption_changed_insert AFTER INSERT ON promo_redemption BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'promo';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER promo_redemption_changed_update AFTER UPDATE ON promo_redemption BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'promo';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER promo_redemption_changed_delete AFTER DELETE ON promo_redemption BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'promo';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER smtp_settings_changed_insert AFTER INSERT ON smtp_settings BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'promo';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER smtp_settings_changed_update AFTER UPDATE ON smtp_settings BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'promo';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER smtp_settings_changed_delete AFTER DELETE ON smtp_settings BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'promo';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER promo_mail_template_changed_insert AFTER INSERT ON promo_mail_template BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'promo';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER promo_mail_template_changed_update AFTER UPDATE ON promo_mail_template BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'promo';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER promo_mail_template_changed_delete AFTER DELETE ON promo_mail_template BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'promo';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER budget_settings_changed_insert AFTER INSERT ON budget_settings BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'budgets';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER budget_settings_changed_update AFTER UPDATE ON budget_settings BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'budgets';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER budget_settings_changed_delete AFTER DELETE ON budget_settings BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'budgets';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER department_changed_insert AFTER INSERT ON department BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'budgets';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER department_changed_update AFTER UPDATE ON department BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'budgets';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER department_changed_delete AFTER DELETE ON department BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'budgets';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER department_ledger_changed_insert AFTER INSERT ON department_ledger BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'budgets';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER department_ledger_changed_update AFTER UPDATE ON department_ledger BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'budgets';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER department_ledger_changed_delete AFTER DELETE ON department_ledger BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'budgets';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER site_changed_insert AFTER INSERT ON site BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'site';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER site_changed_update AFTER UPDATE ON site BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'site';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER site_changed_delete AFTER DELETE ON site BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'site';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER feature_changed_insert AFTER INSERT ON feature BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'site';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER feature_changed_update AFTER UPDATE ON feature BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'site';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER feature_changed_delete AFTER DELETE ON feature BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'site';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER admin_credential_changed_insert AFTER INSERT ON admin_credential BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'site';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER admin_credential_changed_update AFTER UPDATE ON admin_credential BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'site';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER admin_credential_changed_delete AFTER DELETE ON admin_credential BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'site';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_log_changed_insert AFTER INSERT ON audit_log BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'site';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_log_changed_update AFTER UPDATE ON audit_log BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'site';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_log_changed_delete AFTER DELETE ON audit_log BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'site';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER demo_data_changed_insert AFTER INSERT ON demo_data BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'site';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER demo_data_changed_update AFTER UPDATE ON demo_data BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'site';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER demo_data_changed_delete AFTER DELETE ON demo_data BEGIN
    UPDATE change_counter SET n = n + 1 WHERE area = 'site';
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER session_changed_insert;
DROP TRIGGER session_changed_update;
DROP TRIGGER session_changed_delete;
DROP TRIGGER payperuse_session_changed_insert;
DROP TRIGGER payperuse_session_changed_update;
DROP TRIGGER payperuse_session_changed_delete;
DROP TRIGGER registration_changed_insert;
DROP TRIGGER registration_changed_update;
DROP TRIGGER registration_changed_delete;
DROP TRIGGER payment_changed_insert;
DROP TRIGGER payment_changed_update;
DROP TRIGGER payment_changed_delete;
DROP TRIGGER payment_settings_changed_insert;
DROP TRIGGER payment_settings_changed_update;
DROP TRIGGER payment_settings_changed_delete;
DROP TRIGGER promo_code_changed_insert;
DROP TRIGGER promo_code_changed_update;
DROP TRIGGER promo_code_changed_delete;
DROP TRIGGER promo_code_session_changed_insert;
DROP TRIGGER promo_code_session_changed_update;
DROP TRIGGER promo_code_session_changed_delete;
DROP TRIGGER promo_recipient_changed_insert;
DROP TRIGGER promo_recipient_changed_update;
DROP TRIGGER promo_recipient_changed_delete;
DROP TRIGGER promo_redemption_changed_insert;
DROP TRIGGER promo_redemption_changed_update;
DROP TRIGGER promo_redemption_changed_delete;
DROP TRIGGER smtp_settings_changed_insert;
DROP TRIGGER smtp_settings_changed_update;
DROP TRIGGER smtp_settings_changed_delete;
DROP TRIGGER promo_mail_template_changed_insert;
DROP TRIGGER promo_mail_template_changed_update;
DROP TRIGGER promo_mail_template_changed_delete;
DROP TRIGGER budget_settings_changed_insert;
DROP TRIGGER budget_settings_changed_update;
DROP TRIGGER budget_settings_changed_delete;
DROP TRIGGER department_changed_insert;
DROP TRIGGER department_changed_update;
DROP TRIGGER department_changed_delete;
DROP TRIGGER department_ledger_changed_insert;
DROP TRIGGER department_ledger_changed_update;
DROP TRIGGER department_ledger_changed_delete;
DROP TRIGGER site_changed_insert;
DROP TRIGGER site_changed_update;
DROP TRIGGER site_changed_delete;
DROP TRIGGER feature_changed_insert;
DROP TRIGGER feature_changed_update;
DROP TRIGGER feature_changed_delete;
DROP TRIGGER admin_credential_changed_insert;
DROP TRIGGER admin_credential_changed_update;
DROP TRIGGER admin_credential_changed_delete;
DROP TRIGGER audit_log_changed_insert;
DROP TRIGGER audit_log_changed_update;
DROP TRIGGER audit_log_changed_delete;
DROP TRIGGER demo_data_changed_insert;
DROP TRIGGER demo_data_changed_update;
DROP TRIGGER demo_data_changed_delete;
DROP TABLE change_counter;
