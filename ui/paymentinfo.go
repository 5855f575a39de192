package ui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/receipt"
)

// paymentInfoPage is the Payment Information page of a paid registration:
// the fee, the promotional code box, the new total, the payment methods the
// site offers (cards, and PayPal Express Checkout where the site's country
// and currency allow it) and Pay, which opens the card dialog or the PayPal
// dialog. A total of zero confirms without any gateway. A decline stays in
// the dialog (try again); closing it keeps the registration pending, with
// its seat held, so the attendee can pay later.
type paymentInfoPage struct {
	deps        Deps
	win         fyne.Window
	session     app.Session
	reg         app.Registration
	onConfirmed func(app.Registration)
	content     fyne.CanvasObject

	code     *widget.Entry
	apply    *widget.Button
	remove   *widget.Button
	promoMsg *widget.Label
	discount *widget.Label
	total    *widget.Label
	methods  *widget.RadioGroup
	offered  *options[app.Method]
	message  *widget.Label
	progress *widget.ProgressBarInfinite
	pay      *widget.Button

	quote    *app.PromoQuote
	checkout *app.Checkout // while the card or PayPal dialog is open
	card     *CardDialog
	paypal   *PayPalDialog
	busy     bool
	done     bool // confirmed: nothing to abandon
}

func newPaymentInfoPage(deps Deps, w fyne.Window, s app.Session, reg app.Registration, onConfirmed func(app.Registration)) *paymentInfoPage {
	p := &paymentInfoPage{deps: deps, win: w, session: s, reg: reg, onConfirmed: onConfirmed}
	p.build()
	return p
}

func (p *paymentInfoPage) build() {
	heading := widget.NewLabelWithStyle(T("payinfo.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	who := widget.NewLabel(T("payinfo.for", map[string]any{
		"Name": p.reg.Name(), "Email": p.reg.Email,
		"Topic": p.session.Topic,
	}))
	who.Wrapping = fyne.TextWrapWord
	fee := widget.NewLabel(T("payinfo.fee", map[string]any{"Amount": formatMinor(p.reg.FeeMinor, p.reg.Currency)}))

	p.code = widget.NewEntry()
	p.code.SetPlaceHolder(T("payinfo.code_placeholder"))
	p.apply = widget.NewButton(T("payinfo.apply"), p.onApply)
	p.remove = widget.NewButton(T("payinfo.remove"), p.onRemoveCode)
	p.remove.Hide()
	p.promoMsg = widget.NewLabel("")
	p.promoMsg.Wrapping = fyne.TextWrapWord
	p.promoMsg.Hide()
	var promo fyne.CanvasObject
	if p.deps.Sessions.PromoEnabled() {
		p.code.OnChanged = func(string) { p.promoMsg.Hide() }
		p.code.OnSubmitted = func(string) { p.onApply() }
		promo = container.NewVBox(container.NewBorder(nil, nil, nil, container.NewHBox(p.apply, p.remove), p.code), p.promoMsg)
	} else {
		p.code.Disable()
		p.apply.Disable()
		p.promoMsg.SetText(T("payinfo.promo_disabled"))
		p.promoMsg.Importance = widget.WarningImportance
		p.promoMsg.Show()
		promo = container.NewVBox(container.NewBorder(nil, nil, nil, p.apply, p.code), p.promoMsg)
	}
	p.discount = widget.NewLabel("")
	p.discount.Hide()
	p.total = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.offered = newOptions(methodLabel)
	p.methods = widget.NewRadioGroup(nil, nil)
	p.methods.Required = true
	p.message = widget.NewLabel("")
	p.message.Wrapping = fyne.TextWrapWord
	p.message.Hide()
	p.progress = widget.NewProgressBarInfinite()
	p.progress.Stop()
	p.progress.Hide()
	p.pay = widget.NewButton("", p.onPay)
	p.pay.Importance = widget.HighImportance
	p.pay.Disable()
	p.showTotal()

	form := widget.NewForm(
		widget.NewFormItem(T("payinfo.promo_code"), promo),
		widget.NewFormItem(T("payinfo.method"), p.methods),
	)
	p.content = container.NewVBox(heading, who, widget.NewSeparator(), fee, form, p.discount, p.total,
		widget.NewSeparator(), p.progress, p.message)
}

// totalMinor is what is due now.
func (p *paymentInfoPage) totalMinor() int64 {
	if p.quote != nil {
		return p.quote.TotalMinor
	}
	return p.reg.FeeMinor
}

func (p *paymentInfoPage) showTotal() {
	total := formatMinor(p.totalMinor(), p.reg.Currency)
	p.total.SetText(T("payinfo.total", map[string]any{"Amount": total}))
	if p.quote != nil && p.quote.DiscountMinor > 0 {
		p.discount.SetText(T("payinfo.discount", map[string]any{
			"Code":   p.quote.Code,
			"Amount": formatMinor(p.quote.DiscountMinor, p.reg.Currency),
		}))
		p.discount.Show()
	} else {
		p.discount.Hide()
	}
	if p.totalMinor() == 0 {
		p.pay.SetText(T("payinfo.confirm_free"))
	} else {
		p.pay.SetText(T("pay.pay", map[string]any{"Amount": total}))
	}
	p.updatePay()
}

func (p *paymentInfoPage) updatePay() {
	ok := !p.busy && !p.done && (p.totalMinor() == 0 || p.methods.Selected != "")
	setEnabled(p.pay, ok)
}

// load asks which payment methods the site offers, off the UI thread.
func (p *paymentInfoPage) load() {
	p.deps.run(func() {
		var methods []app.Method
		var err error
		if p.deps.Merchant != nil {
			methods, err = p.deps.Merchant.OfferedMethods(context.Background())
		}
		invoices := invoiceOffered(p.deps) // ui/invoice.go
		fyne.Do(func() {
			if err != nil {
				p.showMessage(ErrorText(err), widget.DangerImportance)
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
			p.offered = newOptions(methodLabel, offered...)
			labels := p.offered.Labels()
			p.methods.Options = labels
			p.methods.OnChanged = func(string) { p.updatePay() }
			if len(labels) > 0 {
				p.methods.SetSelected(labels[0])
			} else {
				p.showMessage(T("payinfo.no_methods"), widget.DangerImportance)
			}
			p.methods.Refresh()
			p.updatePay()
		})
	})
}

func (p *paymentInfoPage) showMessage(text string, imp widget.Importance) {
	p.message.SetText(text)
	p.message.Importance = imp
	p.message.Show()
	p.message.Refresh()
}

func (p *paymentInfoPage) onApply() {
	code := strings.TrimSpace(p.code.Text)
	if p.busy || !p.deps.Sessions.PromoEnabled() {
		return
	}
	if code == "" {
		p.promoMsg.SetText(T("error.sessions.promo_empty"))
		p.promoMsg.Importance = widget.DangerImportance
		p.promoMsg.Show()
		return
	}
	p.busy = true
	p.apply.Disable()
	p.updatePay()
	p.deps.run(func() {
		q, err := p.deps.Sessions.QuotePromo(context.Background(), p.reg, code)
		fyne.Do(func() {
			p.busy = false
			p.apply.Enable()
			if err != nil {
				p.quote = nil
				p.promoMsg.SetText(ErrorText(err))
				p.promoMsg.Importance = widget.DangerImportance
			} else {
				p.quote = &q
				p.promoMsg.SetText(T("payinfo.code_applied", map[string]any{"Code": q.Code}))
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

func (p *paymentInfoPage) onRemoveCode() {
	p.quote = nil
	p.code.Enable()
	p.code.SetText("")
	p.remove.Hide()
	p.apply.Show()
	p.promoMsg.Hide()
	p.showTotal()
}

func (p *paymentInfoPage) selectedMethod() app.Method {
	return p.offered.ValueOr(p.methods.Selected, app.MethodCreditCard)
}

// methodLabel names a method on the Payment Information page.
func methodLabel(m app.Method) string {
	switch m {
	case app.MethodExpressCheckout:
		return T("payinfo.method_paypal")
	case app.MethodPayPalInvoice:
		return T("method.paypal-invoice")
	}
	return methodName(m)
}

// onPay reserves the code and renews the seat (BeginCheckout), then
// confirms a zero total at once or opens the card or PayPal dialog.
func (p *paymentInfoPage) onPay() {
	if p.busy || p.done {
		return
	}
	p.busy = true
	p.updatePay()
	p.message.Hide()
	p.progress.Show()
	p.progress.Start()
	quote, method := p.quote, p.selectedMethod()
	p.deps.run(func() {
		ctx := context.Background()
		// The card dialog shows the card rules of the site's processor
		// (e.g. a UK Maestro card's start date or issue number) before Pay.
		rules, err := cardRules(ctx, p.deps.Payments, []app.Method{method})
		var co app.Checkout
		if err == nil {
			co, err = p.deps.Sessions.BeginCheckout(ctx, p.reg.ID, quote)
		}
		fyne.Do(func() {
			p.progress.Stop()
			p.progress.Hide()
			if err != nil {
				p.busy = false
				p.showMessage(ErrorText(err), widget.DangerImportance)
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
				p.sendInvoice(co) // ui/invoice.go
				return
			}
			p.openCardDialog(co, rules)
		})
	})
}

// chargingDeps are the dialogs' deps with every charge going through
// SessionService.ChargeRegistration.
func (p *paymentInfoPage) chargingDeps() Deps {
	deps := p.deps
	deps.Payments = registrationCharger{PaymentService: p.deps.Payments, sessions: p.deps.Sessions}
	return deps
}

func (p *paymentInfoPage) description(r app.Registration) string {
	return T("payinfo.description", map[string]any{"Topic": p.session.Topic, "Number": r.Confirmation})
}

func payerOf(r app.Registration) app.Payer {
	return app.Payer{FirstName: r.FirstName, LastName: r.LastName, Email: r.Email, Country: r.Country}
}

// openPayPalDialog pays the checkout's total with PayPal Express Checkout.
// Each attempt ("Continue to PayPal", "Try PayPal again") renews the seat
// and the code's reservation before its journal row; while the buyer
// approves, the open payment keeps both.
func (p *paymentInfoPage) openPayPalDialog(co app.Checkout) {
	r := co.Registration
	p.paypal = ShowPayPalDialog(p.win, p.chargingDeps(), PayPalPayment{
		Amount: co.Total, Purpose: app.PurposeRegistration, Reference: r.Reference(),
		Description: p.description(r), Payer: payerOf(r),
	}, p.onPaymentDone)
}

func (p *paymentInfoPage) openCardDialog(co app.Checkout, rules map[app.Method]app.CardRules) {
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
	p.card = ShowCardDialog(p.win, p.chargingDeps(), req, p.onPaymentDone)
}

// onPaymentDone is the card or PayPal dialog's answer.
func (p *paymentInfoPage) onPaymentDone(pay app.Payment, err error) {
	p.card, p.paypal = nil, nil
	switch {
	case err == nil:
		p.deps.run(func() {
			reg, err := p.deps.Sessions.Registration(context.Background(), p.reg.ID)
			fyne.Do(func() {
				p.busy = false
				if err != nil {
					p.showMessage(ErrorText(err), widget.DangerImportance)
					return
				}
				p.done = true
				p.checkout = nil
				p.onConfirmed(reg)
			})
		})
	case errors.Is(err, context.Canceled):
		p.abandon()
		p.deps.run(func() {
			// The seat is held from the last attempt on, or for as long as
			// PayPal waited: a long wait may have outlasted the hold.
			reg, rerr := p.deps.Sessions.Registration(context.Background(), p.reg.ID)
			fyne.Do(func() {
				p.busy = false
				until := time.Now().Add(app.SeatHold)
				if rerr == nil {
					until = reg.HoldUntil
				}
				if until.After(time.Now()) {
					p.showMessage(T("payinfo.not_paid", map[string]any{"Until": formatWhen(until, p.session.Location())}),
						widget.WarningImportance)
				} else {
					p.showMessage(T("payinfo.not_paid_released"), widget.WarningImportance)
				}
				p.updatePay()
			})
		})
	default: // the outcome is not known yet: never offer to pay again
		p.done = true
		p.checkout = nil
		p.showMessage(T("payinfo.unknown", map[string]any{"Number": p.reg.Confirmation}), widget.WarningImportance)
		p.updatePay()
	}
}

// abandon frees the promotional code's reservation of an unfinished
// checkout. With the PayPal dialog still open (the registration dialog was
// closed under it) it ends the dialog first; its answer comes back through
// onPaymentDone, which abandons once nothing can be charged any more.
func (p *paymentInfoPage) abandon() {
	if p.paypal != nil {
		p.paypal.Dismiss()
		return
	}
	if p.checkout == nil || p.done {
		return
	}
	co := *p.checkout
	p.checkout = nil
	p.deps.run(func() {
		if err := p.deps.Sessions.AbandonCheckout(context.Background(), co); err != nil {
			fyne.LogError("releasing a promotional code", err)
		}
	})
}

// registrationCharger makes the card dialog charge through
// SessionService.ChargeRegistration, which renews the seat's hold right
// before every attempt.
type registrationCharger struct {
	PaymentService
	sessions SessionService
}

func (c registrationCharger) Charge(ctx context.Context, req app.ChargeRequest) (app.Payment, error) {
	return c.sessions.ChargeRegistration(ctx, req)
}

// receiptLabels are the receipt's words in language, from the sessions
// translation files.
func receiptLabels(language string) receipt.Labels {
	msgs, err := Messages(language)
	if err != nil {
		return receipt.Labels{}
	}
	l := receipt.Labels{}
	for k, v := range msgs {
		if rest, ok := strings.CutPrefix(k, "receipt.pdf."); ok {
			if s, ok := v.(string); ok {
				l[rest] = s
			}
		}
	}
	return l
}

// writeReceipt writes a registration's PDF receipt in the attendee's
// language.
func writeReceipt(ctx context.Context, deps Deps, regID int64, w io.Writer) error {
	site, s, r, err := deps.Sessions.ReceiptFor(ctx, regID)
	if err != nil {
		return err
	}
	language := r.Language
	if !app.ValidLanguage(language) {
		language = site.Language
	}
	return receipt.Write(w, receipt.Receipt{
		Language: language, Labels: receiptLabels(language),
		Site: site, Session: s, Registration: r, IssuedAt: time.Now(), Compress: true,
	})
}

// saveReceiptDialog asks where to save a receipt, writes it there and
// offers to open it.
func saveReceiptDialog(deps Deps, w fyne.Window, regID int64) {
	deps.run(func() {
		var buf bytes.Buffer
		err := writeReceipt(context.Background(), deps, regID, &buf)
		_, _, r, _ := deps.Sessions.ReceiptFor(context.Background(), regID)
		fyne.Do(func() {
			if err != nil {
				dialog.ShowError(errorFor(err), w)
				return
			}
			saveFile(w, receiptFileName(r), []fileKind{kindPDF}, func(wc fyne.URIWriteCloser, err error) {
				if err != nil {
					dialog.ShowError(errorFor(app.Internal(err, "choose where to save the receipt")), w)
					return
				}
				if wc == nil {
					return // cancelled
				}
				_, werr := wc.Write(buf.Bytes())
				cerr := wc.Close()
				if err := errors.Join(werr, cerr); err != nil {
					dialog.ShowError(errorFor(app.Internal(err, "save the receipt")), w)
					return
				}
				uri := wc.URI()
				dialog.ShowCustomConfirm(T("receipt.saved_title"), T("receipt.open"), T("pay.close"),
					widget.NewLabel(T("receipt.saved", map[string]any{"Path": localPath(uri)})), func(open bool) {
						if open {
							if err := fyne.CurrentApp().OpenURL(uriURL(uri)); err != nil {
								dialog.ShowError(errorFor(app.Internal(err, "open the receipt")), w)
							}
						}
					}, w)
			})
		})
	})
}

func receiptFileName(r app.Registration) string {
	if r.Confirmation == "" {
		return "receipt.pdf"
	}
	return T("receipt.file_name", map[string]any{"Number": r.Confirmation}) + ".pdf"
}

func uriURL(u fyne.URI) *url.URL {
	parsed, err := url.Parse(u.String())
	if err != nil {
		return &url.URL{Scheme: "file", Path: u.Path()}
	}
	return parsed
}
