-- The twin of storage/migrations/00018: how long before its scheduled
-- start a session may be started (app.Site.StartLeadMinutes).

-- +goose Up
ALTER TABLE site ADD COLUMN start_lead_minutes integer NOT NULL DEFAULT 15
    CHECK (start_lead_minutes BETWEEN 0 AND 1440);

-- +goose Down
ALTER TABLE site DROP COLUMN start_lead_minutes;
