-- How long before its scheduled start a session may be started
-- (app.Site.StartLeadMinutes, app.Session.CheckStart): set by the site
-- administrator, 15 minutes until then, never more than a day.

-- +goose Up
ALTER TABLE site ADD COLUMN start_lead_minutes INTEGER NOT NULL DEFAULT 15
    CHECK (start_lead_minutes BETWEEN 0 AND 1440);

-- +goose Down
ALTER TABLE site DROP COLUMN start_lead_minutes;
