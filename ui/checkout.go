package ui

import (
	"context"

	"fyne.io/fyne/v2"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/checkout"
)

// Paying lives in package checkout: the card dialog, the PayPal dialog and
// the Payment Information page. These are the names the screens of this
// package open them by.

// CardPayment is what a card payment is for (checkout.CardPayment).
type CardPayment = checkout.CardPayment

// CardDialog is the card payment dialog (checkout.CardDialog).
type CardDialog = checkout.CardDialog

// PayPalPayment is what a PayPal payment is for (checkout.PayPalPayment).
type PayPalPayment = checkout.PayPalPayment

// PayPalDialog is the PayPal payment dialog (checkout.PayPalDialog).
type PayPalDialog = checkout.PayPalDialog

// checkoutServices are the services checkout uses, out of deps.
func (d Deps) checkoutServices() checkout.Services {
	return checkout.Services{
		Payments: d.Payments, Sessions: d.Sessions, Methods: d.Merchant, Invoices: d.Invoices, Go: d.Go,
	}
}

// ShowCardDialog shows the card payment dialog over w (checkout.ShowCardDialog).
func ShowCardDialog(w fyne.Window, deps Deps, req CardPayment, done func(app.Payment, error)) *CardDialog {
	return checkout.ShowCardDialog(w, deps.checkoutServices(), req, done)
}

// ShowPayPalDialog shows the PayPal dialog over w (checkout.ShowPayPalDialog).
func ShowPayPalDialog(w fyne.Window, deps Deps, req PayPalPayment, done func(app.Payment, error)) *PayPalDialog {
	return checkout.ShowPayPalDialog(w, deps.checkoutServices(), req, done)
}

// cardRules asks the domain for the card rules of each card method in
// methods (checkout.CardRules); call it off the UI thread.
func cardRules(ctx context.Context, payments PaymentService, methods []app.Method) (map[app.Method]app.CardRules, error) {
	return checkout.CardRules(ctx, payments, methods)
}

// brandName is a card brand's name in the UI language.
func brandName(b app.Brand) string { return checkout.BrandName(b) }
