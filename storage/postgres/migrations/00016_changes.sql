-- The twin of storage/migrations/00016: what changed, told to the other
-- desktops. Statement triggers on every table of an area NOTIFY the
-- channel trainpay_changes with the area's name (app.ChangeSet: sessions,
-- registrations, payments, promo, budgets, site); each desktop LISTENs on
-- a connection of its own (storage/postgres/changes.go). PostgreSQL
-- delivers a notification when its transaction commits, never for one
-- rolled back, and sends one per area per transaction however many
-- statements wrote it (equal notifications of a transaction are merged).
--
-- A statement that wrote no row notifies nothing: each trigger sees the
-- rows it wrote as a transition table, and a transition table belongs to
-- one event, hence three triggers per table.
--
-- change_counter is SQLite's way of telling the areas apart (a counter per
-- area, bumped by row triggers) and is kept here with the same rows so
-- the two schemas stay alike (TestSchemaMatchesSQLite); PostgreSQL does
-- not bump it: one row that every writing transaction updated would make
-- all the organisation's writers queue for its lock.

-- +goose Up
CREATE TABLE change_counter (
    area text   PRIMARY KEY CHECK (area IN ('sessions', 'registrations', 'payments', 'promo', 'budgets', 'site')),
    n    bigint NOT NULL DEFAULT 0
);

INSERT INTO change_counter (area) VALUES
    ('sessions'), ('registrations'), ('payments'), ('promo'), ('budgets'), ('site');

-- +goose StatementBegin
CREATE FUNCTION trainpay_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed_rows) THEN
        PERFORM pg_notify('trainpay_changes', TG_ARGV[0]);
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- sessions
CREATE TRIGGER session_changed_insert AFTER INSERT ON session REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('sessions');
CREATE TRIGGER session_changed_update AFTER UPDATE ON session REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('sessions');
CREATE TRIGGER session_changed_delete AFTER DELETE ON session REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('sessions');
CREATE TRIGGER payperuse_session_changed_insert AFTER INSERT ON payperuse_session REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('sessions');
CREATE TRIGGER payperuse_session_changed_update AFTER UPDATE ON payperuse_session REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('sessions');
CREATE TRIGGER payperuse_session_changed_delete AFTER DELETE ON payperuse_session REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('sessions');

-- registrations
CREATE TRIGGER registration_changed_insert AFTER INSERT ON registration REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('registrations');
CREATE TRIGGER registration_changed_update AFTER UPDATE ON registration REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('registrations');
CREATE TRIGGER registration_changed_delete AFTER DELETE ON registration REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('registrations');

-- payments
CREATE TRIGGER payment_changed_insert AFTER INSERT ON payment REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('payments');
CREATE TRIGGER payment_changed_update AFTER UPDATE ON payment REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('payments');
CREATE TRIGGER payment_changed_delete AFTER DELETE ON payment REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('payments');
CREATE TRIGGER payment_settings_changed_insert AFTER INSERT ON payment_settings REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('payments');
CREATE TRIGGER payment_settings_changed_update AFTER UPDATE ON payment_settings REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('payments');
CREATE TRIGGER payment_settings_changed_delete AFTER DELETE ON payment_settings REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('payments');

-- promo
CREATE TRIGGER promo_code_changed_insert AFTER INSERT ON promo_code REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('promo');
CREATE TRIGGER promo_code_changed_update AFTER UPDATE ON promo_code REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('promo');
CREATE TRIGGER promo_code_changed_delete AFTER DELETE ON promo_code REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('promo');
CREATE TRIGGER promo_code_session_changed_insert AFTER INSERT ON promo_code_session REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('promo');
CREATE TRIGGER promo_code_session_changed_update AFTER UPDATE ON promo_code_session REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('promo');
CREATE TRIGGER promo_code_session_changed_delete AFTER DELETE ON promo_code_session REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('promo');
CREATE TRIGGER promo_recipient_changed_insert AFTER INSERT ON promo_recipient REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('promo');
CREATE TRIGGER promo_recipient_changed_update AFTER UPDATE ON promo_recipient REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('promo');
CREATE TRIGGER promo_recipient_changed_delete AFTER DELETE ON promo_recipient REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('promo');
CREATE TRIGGER promo_redemption_changed_insert AFTER INSERT ON promo_redemption REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('promo');
CREATE TRIGGER promo_redemption_changed_update AFTER UPDATE ON promo_redemption REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('promo');
CREATE TRIGGER promo_redemption_changed_delete AFTER DELETE ON promo_redemption REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('promo');
CREATE TRIGGER smtp_settings_changed_insert AFTER INSERT ON smtp_settings REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('promo');
CREATE TRIGGER smtp_settings_changed_update AFTER UPDATE ON smtp_settings REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('promo');
CREATE TRIGGER smtp_settings_changed_delete AFTER DELETE ON smtp_settings REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('promo');
CREATE TRIGGER promo_mail_template_changed_insert AFTER INSERT ON promo_mail_template REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('promo');
CREATE TRIGGER promo_mail_template_changed_update AFTER UPDATE ON promo_mail_template REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('promo');
CREATE TRIGGER promo_mail_template_changed_delete AFTER DELETE ON promo_mail_template REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('promo');

-- budgets
CREATE TRIGGER budget_settings_changed_insert AFTER INSERT ON budget_settings REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('budgets');
CREATE TRIGGER budget_settings_changed_update AFTER UPDATE ON budget_settings REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('budgets');
CREATE TRIGGER budget_settings_changed_delete AFTER DELETE ON budget_settings REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('budgets');
CREATE TRIGGER department_changed_insert AFTER INSERT ON department REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('budgets');
CREATE TRIGGER department_changed_update AFTER UPDATE ON department REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('budgets');
CREATE TRIGGER department_changed_delete AFTER DELETE ON department REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('budgets');
CREATE TRIGGER department_ledger_changed_insert AFTER INSERT ON department_ledger REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('budgets');
CREATE TRIGGER department_ledger_changed_update AFTER UPDATE ON department_ledger REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('budgets');
CREATE TRIGGER department_ledger_changed_delete AFTER DELETE ON department_ledger REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('budgets');

-- site
CREATE TRIGGER site_changed_insert AFTER INSERT ON site REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('site');
CREATE TRIGGER site_changed_update AFTER UPDATE ON site REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('site');
CREATE TRIGGER site_changed_delete AFTER DELETE ON site REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('site');
CREATE TRIGGER feature_changed_insert AFTER INSERT ON feature REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('site');
CREATE TRIGGER feature_changed_update AFTER UPDATE ON feature REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('site');
CREATE TRIGGER feature_changed_delete AFTER DELETE ON feature REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('site');
CREATE TRIGGER admin_credential_changed_insert AFTER INSERT ON admin_credential REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('site');
CREATE TRIGGER admin_credential_changed_update AFTER UPDATE ON admin_credential REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('site');
CREATE TRIGGER admin_credential_changed_delete AFTER DELETE ON admin_credential REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('site');
CREATE TRIGGER audit_log_changed_insert AFTER INSERT ON audit_log REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('site');
CREATE TRIGGER audit_log_changed_update AFTER UPDATE ON audit_log REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('site');
CREATE TRIGGER audit_log_changed_delete AFTER DELETE ON audit_log REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('site');
CREATE TRIGGER demo_data_changed_insert AFTER INSERT ON demo_data REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('site');
CREATE TRIGGER demo_data_changed_update AFTER UPDATE ON demo_data REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('site');
CREATE TRIGGER demo_data_changed_delete AFTER DELETE ON demo_data REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trainpay_notify_change('site');

-- +goose Down
DROP TRIGGER session_changed_insert ON session;
DROP TRIGGER session_changed_update ON session;
DROP TRIGGER session_changed_delete ON session;
DROP TRIGGER payperuse_session_changed_insert ON payperuse_session;
DROP TRIGGER payperuse_session_changed_update ON payperuse_session;
DROP TRIGGER payperuse_session_changed_delete ON payperuse_session;
DROP TRIGGER registration_changed_insert ON registration;
DROP TRIGGER registration_changed_update ON registration;
DROP TRIGGER registration_changed_delete ON registration;
DROP TRIGGER payment_changed_insert ON payment;
DROP TRIGGER payment_changed_update ON payment;
DROP TRIGGER payment_changed_delete ON payment;
DROP TRIGGER payment_settings_changed_insert ON payment_settings;
DROP TRIGGER payment_settings_changed_update ON payment_settings;
DROP TRIGGER payment_settings_changed_delete ON payment_settings;
DROP TRIGGER promo_code_changed_insert ON promo_code;
DROP TRIGGER promo_code_changed_update ON promo_code;
DROP TRIGGER promo_code_changed_delete ON promo_code;
DROP TRIGGER promo_code_session_changed_insert ON promo_code_session;
DROP TRIGGER promo_code_session_changed_update ON promo_code_session;
DROP TRIGGER promo_code_session_changed_delete ON promo_code_session;
DROP TRIGGER promo_recipient_changed_insert ON promo_recipient;
DROP TRIGGER promo_recipient_changed_update ON promo_recipient;
DROP TRIGGER promo_recipient_changed_delete ON promo_recipient;
DROP TRIGGER promo_redemption_changed_insert ON promo_redemption;
DROP TRIGGER promo_redemption_changed_update ON promo_redemption;
DROP TRIGGER promo_redemption_changed_delete ON promo_redemption;
DROP TRIGGER smtp_settings_changed_insert ON smtp_settings;
DROP TRIGGER smtp_settings_changed_update ON smtp_settings;
DROP TRIGGER smtp_settings_changed_delete ON smtp_settings;
DROP TRIGGER promo_mail_template_changed_insert ON promo_mail_template;
DROP TRIGGER promo_mail_template_changed_update ON promo_mail_template;
DROP TRIGGER promo_mail_template_changed_delete ON promo_mail_template;
DROP TRIGGER budget_settings_changed_insert ON budget_settings;
DROP TRIGGER budget_settings_changed_update ON budget_settings;
DROP TRIGGER budget_settings_changed_delete ON budget_settings;
DROP TRIGGER department_changed_insert ON department;
DROP TRIGGER department_changed_update ON department;
DROP TRIGGER department_changed_delete ON department;
DROP TRIGGER department_ledger_changed_insert ON department_ledger;
DROP TRIGGER department_ledger_changed_update ON department_ledger;
DROP TRIGGER department_ledger_changed_delete ON department_ledger;
DROP TRIGGER site_changed_insert ON site;
DROP TRIGGER site_changed_update ON site;
DROP TRIGGER site_changed_delete ON site;
DROP TRIGGER feature_changed_insert ON feature;
DROP TRIGGER feature_changed_update ON feature;
DROP TRIGGER feature_changed_delete ON feature;
DROP TRIGGER admin_credential_changed_insert ON admin_credential;
DROP TRIGGER admin_credential_changed_update ON admin_credential;
DROP TRIGGER admin_credential_changed_delete ON admin_credential;
DROP TRIGGER audit_log_changed_insert ON audit_log;
DROP TRIGGER audit_log_changed_update ON audit_log;
DROP TRIGGER audit_log_changed_delete ON audit_log;
DROP TRIGGER demo_data_changed_insert ON demo_data;
DROP TRIGGER demo_data_changed_update ON demo_data;
DROP TRIGGER demo_data_changed_delete ON demo_data;
DROP FUNCTION trainpay_notify_change();
DROP TABLE change_counter;
