package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/trainpay/trainpay/app"
	appmail "github.com/trainpay/trainpay/app/mail"
	"github.com/trainpay/trainpay/ui"
)

// invoicePollEvery is how often the poller asks the database for invoices
// due a read; each invoice's own back-off is its lease (app.InvoiceService).
const invoicePollEvery = app.InvoicePollMin

// newInvoiceService wires PayPal invoices: the registry's Invoicing client
// (the sandbox in Test mode), and the receipt mailed through the site's
// SMTP settings once an invoice is paid.
func newInvoiceService(db app.Store, gateways app.InvoiceGateways, secrets app.SecretStore, deps ui.Deps,
	logger *slog.Logger,
) *app.InvoiceService {
	receipts := &app.InvoiceReceipts{
		SMTP: db, Secrets: secrets, Mailer: &appmail.Mailer{},
		Compose: ui.InvoiceReceiptMessage(deps),
	}
	return &app.InvoiceService{Store: db, Gateways: gateways, Settings: db, Paid: receipts.Send, Log: logger}
}

// pollInvoices reads open invoices at PayPal until ctx ends: on start-up
// first (reconcile: a row left by a previous run is found by its number),
// then every invoicePollEvery.
func pollInvoices(ctx context.Context, svc *app.InvoiceService, logger *slog.Logger) {
	t := time.NewTicker(invoicePollEvery)
	defer t.Stop()
	for {
		rep, err := svc.Poll(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			logger.Warn("invoice poll", "err", err)
		case rep.Paid+rep.Released+rep.Review+rep.Errors > 0:
			logger.Info("invoice poll", "read", rep.Read, "paid", rep.Paid, "released", rep.Released,
				"review", rep.Review, "refunded", rep.Refunded, "errors", rep.Errors)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
