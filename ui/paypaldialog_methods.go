package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/widgets"
)

// paypalCredentials is the Payment methods page's PayPal REST app section
// (client ID and secret for Express Checkout), shown while Express
// Checkout is ticked and allowed.
type paypalCredentials struct {
	t        *methodsTab
	box      *fyne.Container
	status   *widget.Label
	clientID *widgets.Entry
	secret   *widgets.Entry
	save     *widgets.Button
	test     *widgets.Button
	testing  *widget.ProgressBarInfinite
	result   *widget.Label
}

func newPayPalCredentials(t *methodsTab) *paypalCredentials {
	c := &paypalCredentials{t: t}
	c.clientID = widgets.NewEntry()
	c.secret = widgets.NewPasswordEntry()
	c.status = widget.NewLabel("")
	c.status.Wrapping = fyne.TextWrapWord
	help := widget.NewLabel(T("paypal.credentials_help"))
	help.Wrapping = fyne.TextWrapWord
	c.save = widgets.NewButton(T("paypal.save_credentials"), c.onSave)
	c.test = widgets.NewButton(T("paypal.test_connection"), c.onTest)
	c.testing = widget.NewProgressBarInfinite()
	c.testing.Stop()
	c.testing.Hide()
	c.result = widget.NewLabel("")
	c.result.Wrapping = fyne.TextWrapWord
	c.box = container.NewVBox(
		widget.NewLabelWithStyle(T("paypal.credentials"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		help, c.status,
		widget.NewForm(widget.NewFormItem(T("paypal.client_id"), c.clientID), widget.NewFormItem(T("paypal.secret"), c.secret)),
		container.NewHBox(c.save, c.test), c.testing, c.result)
	c.box.Hide()
	return c
}

// refresh shows the section while Express Checkout is ticked and allowed.
func (c *paypalCredentials) refresh() {
	if !c.t.express.Checked || c.t.express.Disabled() {
		c.box.Hide()
		return
	}
	showIn(c.box, c.box)
	c.result.SetText("")
	c.t.s.deps.run(func() {
		has, err := c.t.s.deps.Merchant.HasCredentials(app.ProcessorPayPalREST)
		fyne.Do(func() {
			switch {
			case err != nil:
				c.status.SetText(ErrorText(err))
			case has:
				c.status.SetText(T("methods.credentials_stored"))
			default:
				c.status.SetText(T("methods.credentials_missing"))
			}
		})
	})
}

func (c *paypalCredentials) onSave() {
	creds := app.RESTCredentials{ClientID: c.clientID.Text, Secret: c.secret.Text}
	c.save.Disable()
	c.t.s.deps.run(func() {
		err := c.t.s.deps.Merchant.SaveCredentials(context.Background(), c.t.s.admin, app.ProcessorPayPalREST, creds)
		fyne.Do(func() {
			c.save.Enable()
			if err != nil {
				c.t.s.failed(err)
				return
			}
			c.secret.SetText("") // secrets leave the screen once stored
			c.t.s.changed(T("methods.credentials_saved"))
			c.refresh()
		})
	})
}

func (c *paypalCredentials) onTest() {
	c.test.Disable()
	c.testing.Show()
	c.testing.Start()
	c.result.SetText("")
	c.t.s.deps.run(func() {
		res, err := c.t.s.deps.Merchant.TestConnection(context.Background(), c.t.s.admin, app.ProcessorPayPalREST)
		fyne.Do(func() {
			c.testing.Stop()
			c.testing.Hide()
			c.test.Enable()
			switch {
			case c.t.s.sessionEnded(err):
			case err != nil:
				c.result.Importance = widget.DangerImportance
				c.result.SetText(ErrorText(err))
			case res.Outcome == app.OutcomeApproved:
				c.result.Importance = widget.SuccessImportance
				c.result.SetText(T("methods.connection_ok"))
			case res.Outcome == app.OutcomeMerchantConfig:
				c.result.Importance = widget.DangerImportance
				c.result.SetText(T("methods.connection_refused", map[string]any{"Code": res.Code}))
			default:
				c.result.Importance = widget.DangerImportance
				c.result.SetText(T("methods.connection_failed", map[string]any{"Code": res.Code}))
			}
		})
	})
}
