-- The administrator turns payment by PayPal invoice on or off
-- (app.PaymentSettings.PayPalInvoices): off until turned on, as every
-- other method.

-- +goose Up
ALTER TABLE payment_settings ADD COLUMN paypal_invoices INTEGER NOT NULL DEFAULT 0 CHECK (paypal_invoices IN (0, 1));

-- +goose Down
ALTER TABLE payment_settings DROP COLUMN paypal_invoices;
