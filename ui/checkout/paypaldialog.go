package checkout

import (
	"context"
	"net/url"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/money"
	"github.com/trainpay/trainpay/ui/uikit"
	"github.com/trainpay/trainpay/ui/widgets"
)

// The PayPal Express Checkout dialog. The buyer approves in the system
// browser; the dialog says what happens next, opens PayPal (again on
// request), shows the time left of the approval window, and lets the
// person cancel, which ends the attempt with nothing charged.

// PayPalPayment is what a PayPal payment is for.
type PayPalPayment struct {
	Amount      currency.Amount
	Purpose     app.Purpose
	Reference   string
	Description string // what is paid for, in the UI language
	Payer       app.Payer
	// PaidSoFarMinor is passed on as app.ChargeRequest.PaidSoFarMinor
	// (a pay-per-use or true-up charge); nil otherwise.
	PaidSoFarMinor *int64
}

// PayPalDialog is the PayPal payment dialog; ShowPayPalDialog returns it so
// that the screen that opened it can dismiss it (Dismiss) and tests can
// drive it.
type PayPalDialog struct {
	win  fyne.Window
	svc  Services
	req  PayPalPayment
	done func(app.Payment, error)
	dlg  *widgets.Dialog
	body *fyne.Container

	next    *widget.Label // what happens next
	status  *widget.Label // waiting, with the time left
	message *widget.Label // the outcome of the last attempt
	// left is the part of the approval window still open: a bar, not an
	// animation, so the wait is visible without a running animation.
	left      *widget.ProgressBar
	working   *fyne.Container
	start     *widgets.Button // Continue to PayPal
	openAgain *widgets.Button
	cancel    *widgets.Button
	closeBtn  *widgets.Button

	link     app.ApprovalLink
	window   time.Duration      // the approval window as first shown
	stop     context.CancelFunc // ends the wait (Cancel)
	tick     chan struct{}      // closed when the time-left ticker must stop
	tickMu   sync.Mutex
	running  bool
	finished bool
	result   bool // the answer (paid, held or unknown) is shown: Close ends the dialog
	payment  app.Payment
	err      error
}

// ShowPayPalDialog shows the PayPal dialog over w. done is called once, as
// ShowCardDialog's: the payment and nil when the money moved, an EUNKNOWN
// error when the outcome is not known yet, and app.Payment{} with
// context.Canceled when the person cancels without paying.
func ShowPayPalDialog(w fyne.Window, svc Services, req PayPalPayment, done func(app.Payment, error)) *PayPalDialog {
	d := &PayPalDialog{win: w, svc: svc, req: req, done: done}
	d.build()
	d.dlg.Show()
	return d
}

// PayPalWidgets are the PayPal dialog's buttons and lines, for the tests
// of the screens that open it.
type PayPalWidgets struct {
	Start     *widgets.Button // Continue to PayPal, then Try PayPal again
	OpenAgain *widgets.Button
	Cancel    *widgets.Button
	Close     *widgets.Button // once the answer is shown
	Status    *widget.Label   // waiting, with the time left
	Message   *widget.Label   // the outcome of the last attempt
}

// Widgets are the dialog's buttons and lines.
func (d *PayPalDialog) Widgets() PayPalWidgets {
	return PayPalWidgets{
		Start: d.start, OpenAgain: d.openAgain, Cancel: d.cancel, Close: d.closeBtn,
		Status: d.status, Message: d.message,
	}
}

// Finished says whether the dialog has ended (done has been called).
func (d *PayPalDialog) Finished() bool { return d.finished }

func (d *PayPalDialog) amount() string { return money.Format(d.req.Amount, uikit.Language()) }

func (d *PayPalDialog) build() {
	what := widget.NewLabelWithStyle(d.req.Description, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	what.Wrapping = fyne.TextWrapWord
	d.next = widget.NewLabel(uikit.T("paypal.next", map[string]any{"Amount": d.amount()}))
	d.next.Wrapping = fyne.TextWrapWord
	d.status = widget.NewLabel("")
	d.status.Wrapping = fyne.TextWrapWord
	d.status.Hide()
	d.message = widget.NewLabel("")
	d.message.Wrapping = fyne.TextWrapWord
	d.message.Hide()
	d.left = widget.NewProgressBar()
	d.left.TextFormatter = func() string { return "" }
	d.working = container.NewVBox(d.left)
	d.working.Hide()
	d.start = widgets.NewButton(uikit.T("paypal.continue", map[string]any{"Amount": d.amount()}), d.onStart)
	d.openAgain = widgets.NewButton(uikit.T("paypal.open_again"), d.onOpenAgain)
	d.openAgain.Hide()
	d.cancel = widgets.NewButton(uikit.T("dialog.cancel"), d.onCancel)
	d.closeBtn = widgets.NewButton(uikit.T("pay.close"), d.onClose)
	d.body = container.NewVBox(what, widget.NewSeparator(), d.next, d.status, d.working, d.message, d.openAgain)
	// The keyboard: Continue to PayPal is the default button, focused when
	// shown (Enter presses it); Escape does what closing the dialog does
	// (Dismiss: cancels the wait, or closes with the answer).
	d.dlg = widgets.NewCustomWithoutButtons(uikit.T("paypal.title"), d.body, d.win)
	d.dlg.SetButtons([]fyne.CanvasObject{d.cancel, d.start})
	d.dlg.SetDefault(d.start)
	d.dlg.SetOnEscape(d.Dismiss)
	d.dlg.Resize(fyne.NewSize(480, d.dlg.MinSize().Height))
}

// onStart creates the order; the wait for approval runs in the background.
func (d *PayPalDialog) onStart() {
	if d.running || d.finished {
		return
	}
	d.running = true
	d.start.Disable()
	d.message.Hide()
	d.status.SetText(uikit.T("paypal.starting"))
	d.status.Show()
	ctx, stop := context.WithCancel(context.Background())
	d.stop = stop
	req := app.ChargeRequest{
		Purpose: d.req.Purpose, Reference: d.req.Reference, Amount: d.req.Amount,
		Method: app.MethodExpressCheckout, Payer: d.req.Payer, Description: d.req.Description,
		PaidSoFarMinor: d.req.PaidSoFarMinor,
		Approval: &app.BuyerApproval{
			Show: func(l app.ApprovalLink) { fyne.Do(func() { d.onLink(l) }) },
			Page: app.ApprovalPage{
				Title: uikit.T("paypal.page_title"), Approved: uikit.T("paypal.page_approved"),
				Cancelled: uikit.T("paypal.page_cancelled"),
			},
		},
	}
	d.svc.run(func() {
		p, err := d.svc.Payments.Charge(ctx, req)
		stop()
		fyne.Do(func() { d.charged(p, err) })
	})
}

// onLink opens PayPal in the browser and starts showing the time left.
func (d *PayPalDialog) onLink(l app.ApprovalLink) {
	if d.finished {
		return
	}
	if d.link.URL == "" {
		d.window = time.Until(l.Expires)
	}
	d.link = l
	d.openAgain.Show()
	uikit.ShowIn(d.working, d.working)
	d.showLeft()
	d.open()
	d.tickMu.Lock()
	if d.tick == nil {
		d.tick = make(chan struct{})
		tick := d.tick
		go func() {
			t := time.NewTicker(30 * time.Second)
			defer t.Stop()
			for {
				select {
				case <-tick:
					return
				case <-t.C:
					fyne.Do(d.showLeft)
				}
			}
		}()
	}
	d.tickMu.Unlock()
}

func (d *PayPalDialog) stopTicker() {
	d.tickMu.Lock()
	defer d.tickMu.Unlock()
	if d.tick != nil {
		close(d.tick)
		d.tick = nil
	}
}

func (d *PayPalDialog) showLeft() {
	if !d.running || d.link.URL == "" {
		return
	}
	left := time.Until(d.link.Expires)
	d.status.SetText(uikit.T("paypal.waiting", map[string]any{"Left": timeLeft(left)}))
	if d.window > 0 {
		d.left.SetValue(min(max(float64(left)/float64(d.window), 0), 1))
	}
}

// timeLeft words a duration as hours and minutes, rounded up to the minute.
func timeLeft(left time.Duration) string {
	if left < 0 {
		left = 0
	}
	m := int((left + time.Minute - 1) / time.Minute)
	return uikit.T("paypal.time_left", map[string]any{"Hours": m / 60, "Minutes": m % 60})
}

// open opens the approve link in the system browser.
func (d *PayPalDialog) open() {
	u, err := url.Parse(d.link.URL)
	if err == nil {
		err = fyne.CurrentApp().OpenURL(u)
	}
	if err != nil {
		d.message.SetText(uikit.T("paypal.browser_failed", map[string]any{"URL": d.link.URL}))
		d.message.Importance = widget.WarningImportance
		d.message.Show()
	}
}

func (d *PayPalDialog) onOpenAgain() {
	if d.running && d.link.URL != "" {
		d.open()
	}
}

// charged shows the answer of one attempt.
func (d *PayPalDialog) charged(p app.Payment, err error) {
	d.running = false
	d.stopTicker()
	d.working.Hide()
	d.status.Hide()
	d.openAgain.Hide()
	d.link = app.ApprovalLink{}
	d.payment, d.err = p, err
	switch {
	case err == nil:
		key := "paypal.paid"
		if p.State == app.StateHeld {
			key = "paypal.held"
		}
		d.showResult(uikit.T(key, map[string]any{"Amount": d.amount()}), widget.SuccessImportance, p.GatewayRef)
	case app.ErrorCode(err) == app.EUNKNOWN:
		d.showResult(uikit.T("paypal.unknown", map[string]any{"Amount": d.amount()}), widget.WarningImportance, p.InvoiceID)
	case p.ResultCode == app.CodeApprovalCancelledInApp:
		d.finish(app.Payment{}, context.Canceled)
	default:
		// Nothing was charged: say why, and let the person try again.
		key := ""
		switch p.ResultCode {
		case app.CodeApprovalCancelled:
			key = "paypal.cancelled"
		case app.CodeApprovalExpired:
			key = "paypal.expired"
		case app.CodeFundingDeclined, app.CodePayerCannotPay:
			key = "paypal.declined_funding"
		}
		text := uikit.ErrorText(err)
		if key != "" {
			text = uikit.T(key)
		}
		d.message.SetText(text)
		d.message.Importance = widget.DangerImportance
		d.message.Show()
		d.start.SetText(uikit.T("paypal.try_again"))
		d.start.Enable()
	}
}

func (d *PayPalDialog) showResult(text string, imp widget.Importance, ref string) {
	msg := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	msg.Wrapping = fyne.TextWrapWord
	msg.Importance = imp
	what := widget.NewLabel(d.req.Description)
	what.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(what, widget.NewSeparator(), msg)
	if ref != "" {
		box.Add(widget.NewLabel(uikit.T("pay.reference", map[string]any{"Reference": ref})))
	}
	d.body.Objects = []fyne.CanvasObject{box}
	d.body.Refresh()
	d.dlg.SetButtons([]fyne.CanvasObject{d.closeBtn})
	d.dlg.SetDefault(d.closeBtn)
	d.result = true
	d.win.Canvas().Focus(d.closeBtn) // Enter or Space closes
}

// Dismiss ends the dialog when the screen that opened it goes away, as its
// own buttons would: a running wait is cancelled (the answer still comes
// through done, and says whether PayPal had already captured), a shown
// answer is closed with that answer, and otherwise nothing was charged.
func (d *PayPalDialog) Dismiss() {
	switch {
	case d.finished:
	case d.running:
		d.onCancel()
	case d.result:
		d.onClose()
	default:
		d.finish(app.Payment{}, context.Canceled)
	}
}

// onCancel ends the wait (nothing is charged unless PayPal's capture has
// already started, which the answer then says) or closes the dialog.
func (d *PayPalDialog) onCancel() {
	if d.running {
		d.cancel.Disable()
		d.status.SetText(uikit.T("paypal.cancelling"))
		if d.stop != nil {
			d.stop()
		}
		return
	}
	d.finish(app.Payment{}, context.Canceled)
}

func (d *PayPalDialog) onClose() { d.finish(d.payment, d.err) }

func (d *PayPalDialog) finish(p app.Payment, err error) {
	if d.finished {
		return
	}
	d.finished = true
	d.stopTicker()
	d.dlg.Hide()
	if d.done != nil {
		d.done(p, err)
	}
}
