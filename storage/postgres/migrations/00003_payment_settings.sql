-- The site's payment methods and card processor: the PostgreSQL twin of
-- storage/migrations/00003. Nothing secret lives here.

-- +goose Up
CREATE TABLE payment_settings (
    id               integer PRIMARY KEY CHECK (id = 1),
    processor        text    NOT NULL DEFAULT ''
                             CHECK (processor IN ('', 'payflow', 'wpp-uk-payflow', 'wpp-uk-nvp')),
    credit_cards     boolean NOT NULL DEFAULT false,
    debit_cards      boolean NOT NULL DEFAULT false,
    express_checkout boolean NOT NULL DEFAULT false,
    endpoint         text    NOT NULL DEFAULT '',
    CHECK (processor <> '' OR (NOT credit_cards AND NOT debit_cards))
);

-- +goose Down
DROP TABLE payment_settings;
