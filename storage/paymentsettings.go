package storage

import (
	"context"
	"database/sql"
	"errors"

	"github.com/trainpay/trainpay/app"
)

var _ app.PaymentSettingsStore = (*DB)(nil)

// PaymentSettings returns the site's payment settings, the zero value
// before the administrator saves any.
func (db *DB) PaymentSettings(ctx context.Context) (app.PaymentSettings, error) {
	var s app.PaymentSettings
	var proc string
	err := db.read.QueryRowContext(ctx, `SELECT processor, credit_cards, debit_cards, express_checkout, paypal_invoices, endpoint
		FROM payment_settings WHERE id = 1`).Scan(&proc, &s.CreditCards, &s.DebitCards, &s.ExpressCheckout, &s.PayPalInvoices, &s.Endpoint)
	if errors.Is(err, sql.ErrNoRows) {
		return app.PaymentSettings{}, nil
	}
	if err != nil {
		return app.PaymentSettings{}, app.Internal(err, "cannot read payment settings")
	}
	s.Processor = app.Processor(proc)
	return s, nil
}

// SavePaymentSettings stores the settings with their audit entries.
func (db *DB) SavePaymentSettings(ctx context.Context, s app.PaymentSettings, audit []app.AuditEntry) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `INSERT INTO payment_settings (id, processor, credit_cards, debit_cards, express_checkout, paypal_invoices, endpoint)
		VALUES (1, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET processor = excluded.processor, credit_cards = excluded.credit_cards,
			debit_cards = excluded.debit_cards, express_checkout = excluded.express_checkout,
			paypal_invoices = excluded.paypal_invoices, endpoint = excluded.endpoint`,
		string(s.Processor), s.CreditCards, s.DebitCards, s.ExpressCheckout, s.PayPalInvoices, s.Endpoint)
	if err != nil {
		return app.Internal(err, "cannot save payment settings")
	}
	if err := insertAudit(ctx, tx, audit); err != nil {
		return err
	}
	return commit(tx)
}

// AppendAudit records audit entries that go with no table change.
func (db *DB) AppendAudit(ctx context.Context, audit []app.AuditEntry) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := insertAudit(ctx, tx, audit); err != nil {
		return err
	}
	return commit(tx)
}
