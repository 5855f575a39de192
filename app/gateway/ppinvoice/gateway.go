package ppinvoice

import (
	"context"
	"errors"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/money"
)

// Gateway is the client as app.InvoiceGateway: the domain's types, and
// errors as *app.Error whose code says what became of the call.
type Gateway struct{ C *Client }

var _ app.InvoiceGateway = Gateway{}

// appError turns the client's error into the domain's: EUNKNOWN when
// PayPal may have acted, ENOTFOUND for no such invoice, EUNAVAILABLE when
// PayPal was not reached or refused the credentials, ECONFLICT when it
// refused the call, EINVALID for what the client refused itself.
func appError(err error) error {
	if err == nil {
		return nil
	}
	var ae *app.Error
	if errors.As(err, &ae) {
		return err // the client's own validation
	}
	e := &app.Error{Err: err, Message: err.Error()}
	switch OutcomeOf(err) {
	case app.OutcomeUnknown:
		e.Code, e.Key = app.EUNKNOWN, "error.invoice.paypal_unknown"
	case app.OutcomeNotFound:
		e.Code, e.Key = app.ENOTFOUND, "error.invoice.paypal_not_found"
	case app.OutcomeMerchantConfig:
		e.Code, e.Key = app.EUNAVAILABLE, "error.payment.merchant_config"
	case app.OutcomeDeclined:
		e.Code, e.Key = app.EDECLINED, "error.invoice.paypal_refused"
	default:
		var pe *Error
		if errors.As(err, &pe) && (pe.Code == "CONNECT" || pe.Code == "OAUTH=FAILED" || pe.Code == "CANCELLED") {
			e.Code, e.Key = app.EUNAVAILABLE, "error.invoice.paypal_down"
		} else {
			e.Code, e.Key = app.ECONFLICT, "error.invoice.paypal_refused"
		}
	}
	return e
}

func remote(inv Invoice) app.RemoteInvoice {
	return app.RemoteInvoice{
		ID: inv.ID, Number: inv.Number, State: app.InvoiceState(inv.Status.State), Raw: inv.Status.Raw,
		External: inv.Status.External(), Currency: inv.Currency, Total: inv.Total, Paid: inv.Paid,
		Refunded: inv.Refunded, PayerLink: inv.PayerLink, Capture: inv.Capture(),
	}
}

// CreateInvoice creates the draft under d.RequestID.
func (g Gateway) CreateInvoice(ctx context.Context, d app.InvoiceContent) (app.RemoteInvoice, error) {
	amount, err := money.FromMinor(d.AmountMinor, d.Currency)
	if err != nil {
		return app.RemoteInvoice{}, invalid("the invoice's amount: %v", err)
	}
	lang := d.PayerLanguage
	switch lang {
	case "pl":
		lang = "pl-PL"
	case "en", "":
		lang = "en-GB"
	}
	inv, err := g.C.Create(ctx, Draft{
		RequestID: d.RequestID, Number: d.Number, Item: d.Item, ItemDate: d.ItemDate,
		Amount: amount, PayerEmail: d.PayerEmail, PayerGiven: d.PayerGiven, PayerSurname: d.PayerSurname,
		PayerLanguage: lang, Due: d.Due,
	})
	if err != nil {
		return app.RemoteInvoice{}, appError(err)
	}
	return remote(inv), nil
}

// SendInvoice has PayPal email the invoice.
func (g Gateway) SendInvoice(ctx context.Context, id string) (string, error) {
	link, err := g.C.Send(ctx, id)
	return link, appError(err)
}

// GetInvoice reads an invoice.
func (g Gateway) GetInvoice(ctx context.Context, id string) (app.RemoteInvoice, error) {
	inv, err := g.C.Get(ctx, id)
	if err != nil {
		return app.RemoteInvoice{}, appError(err)
	}
	return remote(inv), nil
}

// FindInvoice searches by number.
func (g Gateway) FindInvoice(ctx context.Context, number string) (app.RemoteInvoice, bool, error) {
	inv, found, err := g.C.FindByNumber(ctx, number)
	if err != nil || !found {
		return app.RemoteInvoice{}, false, appError(err)
	}
	return remote(inv), true, nil
}

// RemindInvoice emails a reminder.
func (g Gateway) RemindInvoice(ctx context.Context, id, key, note string) error {
	return appError(g.C.Remind(ctx, id, key, note))
}

// CancelInvoice cancels a sent invoice.
func (g Gateway) CancelInvoice(ctx context.Context, id, note string) error {
	return appError(g.C.Cancel(ctx, id, note))
}

// RefundInvoice refunds through the invoice's capture (read again, so the
// refund goes where PayPal says the payment is).
func (g Gateway) RefundInvoice(ctx context.Context, r app.RemoteInvoice, key string, minor int64) (string, error) {
	inv, err := g.C.Get(ctx, r.ID)
	if err != nil {
		return "", appError(err)
	}
	ref, err := g.C.Refund(ctx, RefundRequest{Invoice: inv, Key: key, Minor: minor})
	if err != nil {
		return "", appError(err)
	}
	return ref.ID, nil
}
