-- When a sale's capture was last started (an Orders v2 capture, sent once
-- the buyer approved): the PostgreSQL twin of storage/migrations/00012.
-- NULL: no capture was started. It only moves forward.

-- +goose Up
ALTER TABLE payment ADD COLUMN capture_started_at timestamptz;

-- +goose StatementBegin
CREATE FUNCTION payment_capture_started_moves_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.capture_started_at IS NOT NULL
       AND (NEW.capture_started_at IS NULL OR NEW.capture_started_at < OLD.capture_started_at) THEN
        RAISE EXCEPTION USING ERRCODE = 'TP001', MESSAGE = 'payment: capture_started_at only moves forward';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER payment_capture_started_moves_forward BEFORE UPDATE OF capture_started_at ON payment
    FOR EACH ROW EXECUTE FUNCTION payment_capture_started_moves_forward();

-- +goose Down
DROP TRIGGER payment_capture_started_moves_forward ON payment;
DROP FUNCTION payment_capture_started_moves_forward();
ALTER TABLE payment DROP COLUMN capture_started_at;
