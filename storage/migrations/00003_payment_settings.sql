-- The site's payment methods and card processor. Nothing secret lives here:
-- merchant credentials are in the OS keychain (or the passphrase-encrypted
-- secrets file), never in the database.

-- +goose Up
CREATE TABLE payment_settings (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    processor        TEXT    NOT NULL DEFAULT ''
                             CHECK (processor IN ('', 'payflow', 'wpp-uk-payflow', 'wpp-uk-nvp')),
    credit_cards     INTEGER NOT NULL DEFAULT 0 CHECK (credit_cards IN (0, 1)),
    debit_cards      INTEGER NOT NULL DEFAULT 0 CHECK (debit_cards IN (0, 1)),
    express_checkout INTEGER NOT NULL DEFAULT 0 CHECK (express_checkout IN (0, 1)),
    endpoint         TEXT    NOT NULL DEFAULT '',
    CHECK (processor <> '' OR (credit_cards = 0 AND debit_cards = 0))
) STRICT;

-- +goose Down
DROP TABLE payment_settings;
