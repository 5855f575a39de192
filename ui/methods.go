package ui

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/widgets"
)

// methodsTab is the Payment methods page: which methods the site offers,
// the card processor, its credentials (kept in the OS keychain) and a test
// of the connection.
type methodsTab struct {
	s       *adminScreen
	content fyne.CanvasObject
	site    app.Site

	processor *widgets.Select
	// offered are the processor picker's choices, in its order: those the
	// site's country and currency allow (app.CardProcessors), and the saved
	// one should an older version have allowed it.
	offered  []app.Processor
	credit   *widgets.Check
	debit    *widgets.Check
	express  *widgets.Check
	invoices *widgets.Check // PayPal invoices: attendees pay online
	expNote  *widget.Label
	paypal   *paypalCredentials // PayPal REST app, while Express Checkout is ticked (paypaldialog_methods.go)
	procNote *widget.Label
	endpoint *widgets.Entry
	save     *widgets.Button

	credsBox    *fyne.Container
	credsStatus *widget.Label
	// Payflow
	partner, vendor, user, password *widgets.Entry
	// NVP
	apiUser, apiPassword, signature *widgets.Entry
	saveCreds                       *widgets.Button
	testConn                        *widgets.Button
	testing                         *widget.ProgressBarInfinite
	testResult                      *widget.Label
}

func newMethodsTab(s *adminScreen) *methodsTab {
	t := &methodsTab{s: s}
	t.processor = newChoice(nil, func(string) { t.showCredentials() })
	t.procNote = widget.NewLabel("")
	t.procNote.Wrapping = fyne.TextWrapWord
	t.procNote.Hide()
	t.credit = widgets.NewCheck(T("method.credit-card"), nil)
	t.debit = widgets.NewCheck(T("method.debit-card"), nil)
	t.express = widgets.NewCheck(T("method.express-checkout"), nil)
	t.invoices = widgets.NewCheck(T("methods.paypal_invoices"), nil)
	t.paypal = newPayPalCredentials(t)
	t.express.OnChanged = func(bool) { t.paypal.refresh() }
	t.expNote = widget.NewLabel("")
	t.expNote.Wrapping = fyne.TextWrapWord
	t.expNote.Hide()
	t.endpoint = widgets.NewEntry()
	t.endpoint.SetPlaceHolder(T("methods.endpoint_placeholder"))
	t.save = widgets.NewButton(T("admin.save"), t.onSave)
	t.save.Importance = widget.HighImportance

	t.partner, t.vendor, t.user = widgets.NewEntry(), widgets.NewEntry(), widgets.NewEntry()
	t.password = widgets.NewPasswordEntry()
	t.apiUser, t.apiPassword = widgets.NewEntry(), widgets.NewPasswordEntry()
	t.signature = widgets.NewPasswordEntry()
	t.credsBox = container.NewVBox()
	t.credsStatus = widget.NewLabel("")
	t.credsStatus.Wrapping = fyne.TextWrapWord
	t.saveCreds = widgets.NewButton(T("methods.save_credentials"), t.onSaveCredentials)
	t.testConn = widgets.NewButton(T("methods.test_connection"), t.onTestConnection)
	t.testing = widget.NewProgressBarInfinite()
	t.testing.Hide()
	t.testing.Stop()
	t.testResult = widget.NewLabel("")
	t.testResult.Wrapping = fyne.TextWrapWord

	heading := func(key string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(T(key), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	help := widget.NewLabel(T("methods.help"))
	help.Wrapping = fyne.TextWrapWord
	// What shows or hides with a choice comes after what the choice does
	// not change: ticking Express Checkout adds its PayPal section at the
	// end, and the credentials of any processor take the room of the
	// largest set; Save and the fields stay where the pointer left them.
	tallest := widget.NewForm(
		widget.NewFormItem(T("methods.partner"), widget.NewEntry()), widget.NewFormItem(T("methods.vendor"), widget.NewEntry()),
		widget.NewFormItem(T("methods.user"), widget.NewEntry()), widget.NewFormItem(T("methods.password"), widget.NewPasswordEntry()))
	t.testResult.Truncation = fyne.TextTruncateEllipsis
	t.content = container.NewVScroll(container.NewPadded(container.NewVBox(
		help,
		heading("methods.processor"), t.processor, t.procNote,
		heading("methods.offered"), t.credit, t.debit, t.invoices, t.express, t.expNote,
		widget.NewForm(widget.NewFormItem(T("methods.endpoint"), t.endpoint)),
		container.NewHBox(t.save),
		widget.NewSeparator(),
		heading("methods.credentials"), t.credsStatus, reserveAs(tallest, t.credsBox),
		container.NewHBox(t.saveCreds, t.testConn), reserve(fieldMessageLines, container.NewStack(t.testing, t.testResult)),
		t.paypal.box,
	)))
	return t
}

func processorName(p app.Processor) string {
	if p == "" {
		return T("processor.none")
	}
	return T("processor." + string(p))
}

func (t *methodsTab) selected() app.Processor {
	i := t.processor.SelectedIndex()
	if i < 0 || i >= len(t.offered) {
		return ""
	}
	return t.offered[i]
}

func (t *methodsTab) load() {
	t.s.deps.run(func() {
		ctx := context.Background()
		site, err := t.s.deps.Site.Site(ctx)
		var settings app.PaymentSettings
		if err == nil {
			settings, err = t.s.deps.Merchant.PaymentSettings(ctx)
		}
		fyne.Do(func() {
			if err != nil {
				t.s.failed(err)
				return
			}
			t.site = site
			t.offered = app.CardProcessors(site)
			if !slices.Contains(t.offered, settings.Processor) {
				t.offered = append(t.offered, settings.Processor)
			}
			names := make([]string, len(t.offered))
			for i, p := range t.offered {
				names[i] = processorName(p)
			}
			t.processor.SetOptions(names)
			t.processor.SetSelectedIndex(slices.Index(t.offered, settings.Processor))
			t.credit.SetChecked(settings.CreditCards)
			t.debit.SetChecked(settings.DebitCards)
			t.express.SetChecked(settings.ExpressCheckout)
			t.invoices.SetChecked(settings.PayPalInvoices)
			t.endpoint.SetText(settings.Endpoint)
			// A note only when the saved processor is no longer allowed.
			setNote(t.procNote, app.ProcessorAllowed(site, settings.Processor))
			// Express Checkout is offered only where the site may use it;
			// one saved before stays visible, with the reason, to be unticked.
			expressErr := app.ProcessorAllowed(site, app.ProcessorPayPalREST)
			switch {
			case expressErr == nil:
				t.express.Enable()
				t.express.Show()
			case settings.ExpressCheckout:
				t.express.Disable()
				t.express.Show()
			default:
				t.express.Disable()
				t.express.Hide()
			}
			setNote(t.expNote, expressErr)
			if expressErr != nil && !settings.ExpressCheckout {
				t.expNote.Hide()
			}
			t.paypal.refresh()
			t.showCredentials()
		})
	})
}

// showCredentials shows the credential fields of the chosen processor and
// whether credentials are stored (never what they are).
func (t *methodsTab) showCredentials() {
	p := t.selected()
	t.testResult.SetText("")
	switch p {
	case app.ProcessorPayflow, app.ProcessorWPPUKPayflow:
		if t.partner.Text == "" || t.partner.Text == "PayPal" || t.partner.Text == "PayPalUK" {
			if p == app.ProcessorWPPUKPayflow {
				t.partner.SetText("PayPalUK")
			} else {
				t.partner.SetText("PayPal")
			}
		}
		t.credsBox.Objects = []fyne.CanvasObject{widget.NewForm(
			widget.NewFormItem(T("methods.partner"), t.partner),
			widget.NewFormItem(T("methods.vendor"), t.vendor),
			widget.NewFormItem(T("methods.user"), t.user),
			widget.NewFormItem(T("methods.password"), t.password),
		)}
	case app.ProcessorWPPUKNVP:
		t.credsBox.Objects = []fyne.CanvasObject{widget.NewForm(
			widget.NewFormItem(T("methods.api_user"), t.apiUser),
			widget.NewFormItem(T("methods.api_password"), t.apiPassword),
			widget.NewFormItem(T("methods.signature"), t.signature),
		)}
	default:
		t.credsBox.Objects = nil
	}
	t.credsBox.Refresh()
	if p == "" {
		t.credsStatus.SetText(T("methods.no_processor"))
		t.saveCreds.Disable()
		t.testConn.Disable()
		return
	}
	t.saveCreds.Enable()
	t.testConn.Enable()
	t.s.deps.run(func() {
		has, err := t.s.deps.Merchant.HasCredentials(p)
		fyne.Do(func() {
			switch {
			case err != nil:
				t.credsStatus.SetText(ErrorText(err))
			case has:
				t.credsStatus.SetText(T("methods.credentials_stored"))
			default:
				t.credsStatus.SetText(T("methods.credentials_missing"))
			}
		})
	})
}

func (t *methodsTab) onSave() {
	settings := app.PaymentSettings{
		Processor: t.selected(), CreditCards: t.credit.Checked, DebitCards: t.debit.Checked,
		ExpressCheckout: t.express.Checked, PayPalInvoices: t.invoices.Checked, Endpoint: t.endpoint.Text,
	}
	t.save.Disable()
	t.s.deps.run(func() {
		err := t.s.deps.Merchant.SavePaymentSettings(context.Background(), t.s.admin, settings)
		fyne.Do(func() {
			t.save.Enable()
			if err != nil {
				t.s.failed(err)
				return
			}
			t.s.changed(T("admin.saved"))
		})
	})
}

func (t *methodsTab) onSaveCredentials() {
	p := t.selected()
	var creds any
	switch p {
	case app.ProcessorPayflow, app.ProcessorWPPUKPayflow:
		creds = app.PayflowCredentials{Partner: t.partner.Text, Vendor: t.vendor.Text, User: t.user.Text, Password: t.password.Text}
	case app.ProcessorWPPUKNVP:
		creds = app.NVPCredentials{User: t.apiUser.Text, Password: t.apiPassword.Text, Signature: t.signature.Text}
	default:
		return
	}
	t.saveCreds.Disable()
	t.s.deps.run(func() {
		err := t.s.deps.Merchant.SaveCredentials(context.Background(), t.s.admin, p, creds)
		fyne.Do(func() {
			t.saveCreds.Enable()
			if err != nil {
				t.s.failed(err)
				return
			}
			// Secrets leave the screen once stored.
			t.password.SetText("")
			t.apiPassword.SetText("")
			t.signature.SetText("")
			t.s.changed(T("methods.credentials_saved"))
			t.showCredentials()
		})
	})
}

func (t *methodsTab) onTestConnection() {
	p := t.selected()
	t.testConn.Disable()
	t.testing.Show()
	t.testing.Start()
	t.testResult.SetText("")
	t.s.deps.run(func() {
		res, err := t.s.deps.Merchant.TestConnection(context.Background(), t.s.admin, p)
		fyne.Do(func() {
			t.testing.Stop()
			t.testing.Hide()
			t.testConn.Enable()
			switch {
			case t.s.sessionEnded(err):
			case err != nil:
				t.testResult.Importance = widget.DangerImportance
				t.testResult.SetText(ErrorText(err))
			case res.Outcome == app.OutcomeApproved:
				t.testResult.Importance = widget.SuccessImportance
				t.testResult.SetText(T("methods.connection_ok"))
			case res.Outcome == app.OutcomeMerchantConfig:
				t.testResult.Importance = widget.DangerImportance
				t.testResult.SetText(T("methods.connection_refused", map[string]any{"Code": res.Code}))
			default:
				t.testResult.Importance = widget.DangerImportance
				t.testResult.SetText(T("methods.connection_failed", map[string]any{"Code": res.Code}))
			}
		})
	})
}

// setNote shows why an option is not available, and takes no room when it is.
func setNote(l *widget.Label, err error) {
	if err == nil {
		l.SetText("")
		l.Hide()
		return
	}
	l.Importance = widget.WarningImportance
	l.SetText(ErrorText(err))
	l.Show()
}
