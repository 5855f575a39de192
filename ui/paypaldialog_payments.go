package ui

import (
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/widgets"
)

// testWithPayPal makes the administrator's test payment with PayPal, or
// asks first whether to pay by card or with PayPal when both are offered.
func (p *paymentsTab) testWithPayPal(one currency.Amount, cards []app.Method, openCard func()) {
	openPayPal := func() {
		p.paypal = ShowPayPalDialog(p.s.m.win, p.s.deps, PayPalPayment{
			Amount: one, Purpose: app.PurposeTestPayment, Reference: "test-payment",
			Description: T("payments.test_description"), Payer: app.Payer{Country: p.s.m.site.Country},
		}, func(app.Payment, error) { p.load(0) })
	}
	if len(cards) == 0 {
		openPayPal()
		return
	}
	var d *widgets.Dialog
	byCard := widgets.NewButton(T("paypal.test_by_card"), func() { d.Hide(); openCard() })
	withPayPal := widgets.NewButton(T("paypal.test_with_paypal"), func() { d.Hide(); openPayPal() })
	question := widget.NewLabel(T("paypal.test_which"))
	d = widgets.NewCustom(T("payments.test_payment"), T("dialog.cancel"), container.NewVBox(question, byCard, withPayPal), p.s.m.win)
	d.Show()
}
