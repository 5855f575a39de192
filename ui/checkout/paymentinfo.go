package checkout

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/uikit"
	"github.com/trainpay/trainpay/ui/widgets"
)

// PaymentInfo is the Payment Information page of a paid registration:
// the fee, the promotional code box, the new total, the payment methods the
// site offers (cards, and PayPal Express Checkout where the site's country
// and currency allow it) and Pay, which opens the card dialog or the PayPal
// dialog. A total of zero confirms without any gateway. A decline stays in
// the dialog (try again); closing it keeps the registration pending, with
// its seat held, so the attendee can pay later.
type PaymentInfo struct {
	svc         Services
	win         fyne.Window
	session     app.Session
	reg         app.Registration
	onConfirmed func(app.Registration)
	content     fyne.CanvasObject

	code     *widgets.Entry
	apply    *widgets.Button
	remove   *widgets.Button
	promoMsg *widget.Label
	discount *widget.Label
	total    *widget.Label
	methods  *widgets.RadioGroup
	offered  *uikit.Options[app.Method]
	message  *widget.Label
	progress *widget.ProgressBarInfinite
	pay      *widgets.Button

	quote    *app.PromoQuote
	checkout *app.Checkout // while the card or PayPal dialog is open
	card     *CardDialog
	paypal   *PayPalDialog
	busy     bool
	done     bool // confirmed: nothing to abandon
}

// NewPaymentInfo makes the Payment Information page of reg, a registration
// for s waiting for payment, over w. onConfirmed is called once the
// registration is paid (or confirmed at a total of zero), with the
// registration as it is then. The page is shown by its host (Content, with
// PayButton among the host's buttons) and reads the offered methods once
// Load is called.
func NewPaymentInfo(svc Services, w fyne.Window, s app.Session, reg app.Registration, onConfirmed func(app.Registration)) *PaymentInfo {
	p := &PaymentInfo{svc: svc, win: w, session: s, reg: reg, onConfirmed: onConfirmed}
	p.build()
	return p
}

// Content is the page, for its host's dialog.
func (p *PaymentInfo) Content() fyne.CanvasObject { return p.content }

// PayButton is Pay (or "Confirm registration" at a total of zero), which
// the host shows among its dialog's buttons.
func (p *PaymentInfo) PayButton() *widgets.Button { return p.pay }

// PaymentInfoWidgets are the page's widgets, for tests that drive it as a
// person would.
type PaymentInfoWidgets struct {
	Code         *widgets.Entry
	Apply        *widgets.Button
	Remove       *widgets.Button
	PromoMessage *widget.Label
	Discount     *widget.Label
	Total        *widget.Label
	Methods      *widgets.RadioGroup
	Message      *widget.Label
	Pay          *widgets.Button
}

// Widgets are the page's widgets.
func (p *PaymentInfo) Widgets() PaymentInfoWidgets {
	return PaymentInfoWidgets{
		Code: p.code, Apply: p.apply, Remove: p.remove, PromoMessage: p.promoMsg, Discount: p.discount,
		Total: p.total, Methods: p.methods, Message: p.message, Pay: p.pay,
	}
}

// Card is the card dialog while it is open, else nil.
func (p *PaymentInfo) Card() *CardDialog { return p.card }

// PayPal is the PayPal dialog while it is open, else nil.
func (p *PaymentInfo) PayPal() *PayPalDialog { return p.paypal }

// Offered are the payment methods the page offers, in order.
func (p *PaymentInfo) Offered() []app.Method { return p.offered.Values() }

// PressPay presses Pay, as the menu's Pay command does, unless the
// registration is paid already, Pay is not ready or a payment dialog is
// open.
func (p *PaymentInfo) PressPay() {
	if p.done || p.pay.Disabled() || p.card != nil || p.paypal != nil {
		return
	}
	p.pay.OnTapped()
}

// CheckingOut says whether a checkout is open: the seat renewed and the
// code reserved for a payment that has neither gone through nor been
// abandoned.
func (p *PaymentInfo) CheckingOut() bool { return p.checkout != nil }

// Quote is the applied promotional code's quote; nil for none.
func (p *PaymentInfo) Quote() *app.PromoQuote { return p.quote }

func (p *PaymentInfo) build() {
	heading := widget.NewLabelWithStyle(uikit.T("payinfo.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	who := widget.NewLabel(uikit.T("payinfo.for", map[string]any{
		"Name": p.reg.Name(), "Email": p.reg.Email,
		"Topic": p.session.Topic,
	}))
	who.Wrapping = fyne.TextWrapWord
	fee := widget.NewLabel(uikit.T("payinfo.fee", map[string]any{"Amount": uikit.FormatMinor(p.reg.FeeMinor, p.reg.Currency)}))

	p.code = widgets.NewEntry() // Enter applies the code, Escape cancels the dialog
	p.code.SetPlaceHolder(uikit.T("payinfo.code_placeholder"))
	p.apply = widgets.NewButton(uikit.T("payinfo.apply"), p.onApply)
	p.remove = widgets.NewButton(uikit.T("payinfo.remove"), p.onRemoveCode)
	p.remove.Hide()
	p.promoMsg = widget.NewLabel("")
	p.promoMsg.Wrapping = fyne.TextWrapWord
	p.promoMsg.Hide()
	var promo fyne.CanvasObject
	if p.svc.Sessions.PromoEnabled() {
		p.code.OnChanged = func(string) { p.promoMsg.Hide() }
		p.code.OnSubmitted = func(string) { p.onApply() }
		// Apply and Remove take turns in one place, as wide as the wider.
		turns := container.New(widgets.KeepRoom{}, p.apply, p.remove)
		promo = container.NewVBox(container.NewBorder(nil, nil, nil, turns, p.code), p.promoMsg)
	} else {
		p.code.Disable()
		p.apply.Disable()
		p.promoMsg.SetText(uikit.T("payinfo.promo_disabled"))
		p.promoMsg.Importance = widget.WarningImportance
		p.promoMsg.Show()
		promo = container.NewVBox(container.NewBorder(nil, nil, nil, p.apply, p.code), p.promoMsg)
	}
	p.discount = widget.NewLabel("")
	p.discount.Hide()
	p.total = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.offered = uikit.NewOptions(methodLabel)
	p.methods = widgets.NewRadioGroup(nil, nil)
	p.methods.Required = true
	p.message = widget.NewLabel("")
	p.message.Wrapping = fyne.TextWrapWord
	p.message.Hide()
	p.progress = widget.NewProgressBarInfinite()
	p.progress.Stop()
	p.progress.Hide()
	p.pay = widgets.NewButton("", p.onPay) // the host dialog's default button
	p.pay.Importance = widget.HighImportance
	p.pay.Disable()
	p.showTotal()

	form := widget.NewForm(
		widget.NewFormItem(uikit.T("payinfo.promo_code"), promo),
		widget.NewFormItem(uikit.T("payinfo.method"), p.methods),
	)
	p.content = container.NewVBox(heading, who, widget.NewSeparator(), fee, form, p.discount, p.total,
		widget.NewSeparator(), p.progress, p.message)
}

// totalMinor is what is due now.
func (p *PaymentInfo) totalMinor() int64 {
	if p.quote != nil {
		return p.quote.TotalMinor
	}
	return p.reg.FeeMinor
}

func (p *PaymentInfo) showTotal() {
	total := uikit.FormatMinor(p.totalMinor(), p.reg.Currency)
	p.total.SetText(uikit.T("payinfo.total", map[string]any{"Amount": total}))
	if p.quote != nil && p.quote.DiscountMinor > 0 {
		p.discount.SetText(uikit.T("payinfo.discount", map[string]any{
			"Code":   p.quote.Code,
			"Amount": uikit.FormatMinor(p.quote.DiscountMinor, p.reg.Currency),
		}))
		p.discount.Show()
	} else {
		p.discount.Hide()
	}
	if p.totalMinor() == 0 {
		p.pay.SetText(uikit.T("payinfo.confirm_free"))
	} else {
		p.pay.SetText(uikit.T("pay.pay", map[string]any{"Amount": total}))
	}
	p.updatePay()
	p.relayout()
}

// relayout lays the page out again after a line was shown or hidden or the
// methods came: Fyne's Show and Hide lay out nothing, and a headless
// canvas (or a window until its next size check) keeps the old places.
func (p *PaymentInfo) relayout() {
	if c, ok := p.content.(*fyne.Container); ok {
		c.Refresh()
	}
}

func (p *PaymentInfo) updatePay() {
	ok := !p.busy && !p.done && (p.totalMinor() == 0 || p.methods.Selected != "")
	uikit.SetEnabled(p.pay, ok)
}

// Load asks which payment methods the site offers, off the UI thread.
func (p *PaymentInfo) Load() {
	p.svc.run(func() {
		var methods []app.Method
		var err error
		if p.svc.Methods != nil {
			methods, err = p.svc.Methods.OfferedMethods(context.Background())
		}
		invoices := invoiceOffered(p.svc) // invoice.go
		fyne.Do(func() {
			if err != nil {
				p.showMessage(uikit.ErrorText(err), widget.DangerImportance)
				return
			}
			var offered []app.Method
			for _, m := range methods {
				// Cards go through the card dialog, PayPal Express Checkout
				// (offered only where the site's country and currency
				// allow it) through the PayPal dialog.
				switch m {
				case app.MethodCreditCard, app.MethodDebitCard, app.MethodExpressCheckout:
					offered = append(offered, m)
				}
			}
			if invoices {
				offered = append(offered, app.MethodPayPalInvoice)
			}
			p.offered = uikit.NewOptions(methodLabel, offered...)
			labels := p.offered.Labels()
			p.methods.Options = labels
			p.methods.OnChanged = func(string) { p.updatePay() }
			if len(labels) > 0 {
				p.methods.SetSelected(labels[0])
			} else {
				p.showMessage(uikit.T("payinfo.no_methods"), widget.DangerImportance)
			}
			p.methods.Refresh()
			p.updatePay()
			p.relayout()
		})
	})
}

func (p *PaymentInfo) showMessage(text string, imp widget.Importance) {
	p.message.SetText(text)
	p.message.Importance = imp
	p.message.Show()
	p.message.Refresh()
	p.relayout()
}

func (p *PaymentInfo) onApply() {
	code := strings.TrimSpace(p.code.Text)
	if p.busy || !p.svc.Sessions.PromoEnabled() {
		return
	}
	if code == "" {
		p.promoMsg.SetText(uikit.T("error.sessions.promo_empty"))
		p.promoMsg.Importance = widget.DangerImportance
		p.promoMsg.Show()
		return
	}
	p.busy = true
	p.apply.Disable()
	p.updatePay()
	p.svc.run(func() {
		q, err := p.svc.Sessions.QuotePromo(context.Background(), p.reg, code)
		fyne.Do(func() {
			p.busy = false
			p.apply.Enable()
			if err != nil {
				p.quote = nil
				p.promoMsg.SetText(uikit.ErrorText(err))
				p.promoMsg.Importance = widget.DangerImportance
			} else {
				p.quote = &q
				p.promoMsg.SetText(uikit.T("payinfo.code_applied", map[string]any{"Code": q.Code}))
				p.promoMsg.Importance = widget.SuccessImportance
				p.code.Disable()
				p.apply.Hide()
				p.remove.Show()
			}
			p.promoMsg.Show()
			p.promoMsg.Refresh()
			p.showTotal()
		})
	})
}

func (p *PaymentInfo) onRemoveCode() {
	p.quote = nil
	p.code.Enable()
	p.code.SetText("")
	p.remove.Hide()
	p.apply.Show()
	p.promoMsg.Hide()
	p.showTotal()
}

func (p *PaymentInfo) selectedMethod() app.Method {
	return p.offered.ValueOr(p.methods.Selected, app.MethodCreditCard)
}

// methodLabel names a method on the Payment Information page.
func methodLabel(m app.Method) string {
	switch m {
	case app.MethodExpressCheckout:
		return uikit.T("payinfo.method_paypal")
	case app.MethodPayPalInvoice:
		return uikit.T("method.paypal-invoice")
	}
	return methodName(m)
}

// onPay reserves the code and renews the seat (BeginCheckout), then
// confirms a zero total at once or opens the card or PayPal dialog.
func (p *PaymentInfo) onPay() {
	if p.busy || p.done {
		return
	}
	p.busy = true
	p.updatePay()
	p.message.Hide()
	p.progress.Show()
	p.progress.Start()
	quote, method := p.quote, p.selectedMethod()
	p.svc.run(func() {
		ctx := context.Background()
		// The card dialog shows the card rules of the site's processor
		// (e.g. a UK Maestro card's start date or issue number) before Pay.
		rules, err := CardRules(ctx, p.svc.Payments, []app.Method{method})
		var co app.Checkout
		if err == nil {
			co, err = p.svc.Sessions.BeginCheckout(ctx, p.reg.ID, quote)
		}
		fyne.Do(func() {
			p.progress.Stop()
			p.progress.Hide()
			if err != nil {
				p.busy = false
				p.showMessage(uikit.ErrorText(err), widget.DangerImportance)
				p.updatePay()
				return
			}
			if co.Confirmed {
				p.done = true
				p.onConfirmed(co.Registration)
				return
			}
			p.checkout = &co
			if method == app.MethodExpressCheckout {
				p.openPayPalDialog(co)
				return
			}
			if method == app.MethodPayPalInvoice {
				p.sendInvoice(co) // invoice.go
				return
			}
			p.openCardDialog(co, rules)
		})
	})
}

// chargingServices are the dialogs' services with every charge going
// through SessionService.ChargeRegistration.
func (p *PaymentInfo) chargingServices() Services {
	svc := p.svc
	svc.Payments = registrationCharger{Payments: p.svc.Payments, sessions: p.svc.Sessions}
	return svc
}

func (p *PaymentInfo) description(r app.Registration) string {
	return uikit.T("payinfo.description", map[string]any{"Topic": p.session.Topic, "Number": r.Confirmation})
}

func payerOf(r app.Registration) app.Payer {
	return app.Payer{FirstName: r.FirstName, LastName: r.LastName, Email: r.Email, Country: r.Country}
}

// openPayPalDialog pays the checkout's total with PayPal Express Checkout.
// Each attempt ("Continue to PayPal", "Try PayPal again") renews the seat
// and the code's reservation before its journal row; while the buyer
// approves, the open payment keeps both.
func (p *PaymentInfo) openPayPalDialog(co app.Checkout) {
	r := co.Registration
	p.paypal = ShowPayPalDialog(p.win, p.chargingServices(), PayPalPayment{
		Amount: co.Total, Purpose: app.PurposeRegistration, Reference: r.Reference(),
		Description: p.description(r), Payer: payerOf(r),
	}, p.onPaymentDone)
}

func (p *PaymentInfo) openCardDialog(co app.Checkout, rules map[app.Method]app.CardRules) {
	r := co.Registration
	req := CardPayment{
		Amount:      co.Total,
		Purpose:     app.PurposeRegistration,
		Reference:   r.Reference(),
		Description: p.description(r),
		Payer:       payerOf(r),
		Methods:     []app.Method{p.selectedMethod()},
		Rules:       rules,
	}
	p.card = ShowCardDialog(p.win, p.chargingServices(), req, p.onPaymentDone)
}

// onPaymentDone is the card or PayPal dialog's answer.
func (p *PaymentInfo) onPaymentDone(pay app.Payment, err error) {
	p.card, p.paypal = nil, nil
	switch {
	case err == nil:
		p.svc.run(func() {
			reg, err := p.svc.Sessions.Registration(context.Background(), p.reg.ID)
			fyne.Do(func() {
				p.busy = false
				if err != nil {
					p.showMessage(uikit.ErrorText(err), widget.DangerImportance)
					return
				}
				p.done = true
				p.checkout = nil
				p.onConfirmed(reg)
			})
		})
	case errors.Is(err, context.Canceled):
		p.Abandon()
		p.svc.run(func() {
			// The seat is held from the last attempt on, or for as long as
			// PayPal waited: a long wait may have outlasted the hold.
			reg, rerr := p.svc.Sessions.Registration(context.Background(), p.reg.ID)
			fyne.Do(func() {
				p.busy = false
				until := time.Now().Add(app.SeatHold)
				if rerr == nil {
					until = reg.HoldUntil
				}
				if until.After(time.Now()) {
					p.showMessage(uikit.T("payinfo.not_paid", map[string]any{"Until": uikit.FormatWhen(until, p.session.Location())}),
						widget.WarningImportance)
				} else {
					p.showMessage(uikit.T("payinfo.not_paid_released"), widget.WarningImportance)
				}
				p.updatePay()
			})
		})
	default: // the outcome is not known yet: never offer to pay again
		p.done = true
		p.checkout = nil
		p.showMessage(uikit.T("payinfo.unknown", map[string]any{"Number": p.reg.Confirmation}), widget.WarningImportance)
		p.updatePay()
	}
}

// Abandon frees the promotional code's reservation of an unfinished
// checkout. With the PayPal dialog still open (the registration dialog was
// closed under it) it ends the dialog first; its answer comes back through
// onPaymentDone, which abandons once nothing can be charged any more.
func (p *PaymentInfo) Abandon() {
	if p.paypal != nil {
		p.paypal.Dismiss()
		return
	}
	if p.checkout == nil || p.done {
		return
	}
	co := *p.checkout
	p.checkout = nil
	p.svc.run(func() {
		if err := p.svc.Sessions.AbandonCheckout(context.Background(), co); err != nil {
			fyne.LogError("releasing a promotional code", err)
		}
	})
}

// registrationCharger makes the card dialog charge through
// SessionService.ChargeRegistration, which renews the seat's hold right
// before every attempt.
type registrationCharger struct {
	Payments
	sessions Registrations
}

func (c registrationCharger) Charge(ctx context.Context, req app.ChargeRequest) (app.Payment, error) {
	return c.sessions.ChargeRegistration(ctx, req)
}
