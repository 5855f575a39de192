-- The twin of storage/migrations/00024: the administrator turns payment by
-- PayPal invoice on or off (app.PaymentSettings.PayPalInvoices).

-- +goose Up
ALTER TABLE payment_settings ADD COLUMN paypal_invoices boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE payment_settings DROP COLUMN paypal_invoices;
