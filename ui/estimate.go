package ui

import (
	"context"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/money"
	"github.com/trainpay/trainpay/ui/widgets"
)

// PayPerUseService is what the UI needs of app.PayPerUseService.
type PayPerUseService interface {
	Available(ctx context.Context) error
	Quote(ctx context.Context, sessionID int64) (app.SessionQuote, error)
	PrepareCharge(ctx context.Context, sessionID int64) (app.PayPerUseCharge, error)
	RefundExcess(ctx context.Context, sessionID int64, description string) (int64, error)
	CanStart(ctx context.Context, sessionID int64) error
	Start(ctx context.Context, sessionID int64) error
	// After the session (ui/usage.go).
	RecordActual(ctx context.Context, sessionID int64, personMinutes, teleMinutes int64, source string) (app.TrueUp, error)
	TrueUp(ctx context.Context, sessionID int64) (app.TrueUp, error)
	PrepareTrueUp(ctx context.Context, sessionID int64) (app.PayPerUseCharge, error)
	PreviewUsage(ctx context.Context, lines []app.UsageLine) ([]app.UsagePreview, []app.UsageProblem, error)
	ApplyUsage(ctx context.Context, lines []app.UsageLine) ([]app.TrueUp, []app.UsageProblem, error)
}

// estimatePage is the Estimated Session Cost page, shown after Start
// Session or Schedule for a pay-per-use session: the breakdown, the
// department's remaining budget before and after, and the three ways on:
// Change (back to the form, every value kept), Enter payment information
// (the card dialog, PurposePayPerUse, reference "session:<id>") and Start,
// which stays disabled, saying why, until the session is paid. After an
// edit the page asks for the rise, or refunds the fall.
type estimatePage struct {
	deps      Deps
	win       fyne.Window
	sessionID int64
	onChange  func()
	onStarted func()

	content   *fyne.Container
	title     *widget.Label
	lines     *widget.Form
	person    *widget.Label
	tele      *widget.Label
	total     *widget.Label
	budget    *widget.Label
	warning   *widget.Label
	status    *widget.Label
	queue     *widget.Label // the budget owner's answer (ui/queue.go)
	change    *widgets.Button
	pay       *widgets.Button
	refund    *widgets.Button
	start     *widgets.Button
	startWhy  *widget.Label
	quote     app.SessionQuote
	payment   *chargeDialogs
	card      *CardDialog // the card dialog, once opened
	paypal    *PayPalDialog
	methods   []app.Method
	loadError error
	// opens re-checks Start when the session's start window opens, so the
	// refusal beside Start clears without anyone touching the page.
	opens *time.Timer
}

func newEstimatePage(deps Deps, w fyne.Window, sessionID int64, onChange, onStarted func()) *estimatePage {
	p := &estimatePage{deps: deps, win: w, sessionID: sessionID, onChange: onChange, onStarted: onStarted}
	p.title = widget.NewLabelWithStyle(T("estimate.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.title.SizeName = theme.SizeNameSubHeadingText
	p.person, p.tele, p.total = widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel("")
	p.total.TextStyle = fyne.TextStyle{Bold: true}
	p.lines = widget.NewForm(
		widget.NewFormItem(T("estimate.person_minutes"), p.person),
		widget.NewFormItem(T("estimate.teleconference_minutes"), p.tele),
		widget.NewFormItem(T("estimate.total"), p.total))
	p.budget = widget.NewLabel("")
	p.budget.Wrapping = fyne.TextWrapWord
	p.warning = widget.NewLabel("")
	p.warning.Wrapping = fyne.TextWrapWord
	p.warning.Importance = widget.WarningImportance
	p.status = widget.NewLabel("")
	p.status.Wrapping = fyne.TextWrapWord
	p.startWhy = widget.NewLabel("")
	p.startWhy.Wrapping = fyne.TextWrapWord
	p.queue = widget.NewLabel("")
	p.queue.Wrapping = fyne.TextWrapWord
	p.queue.TextStyle = fyne.TextStyle{Bold: true}
	p.startWhy.Importance = widget.MediumImportance
	p.change = widgets.NewButtonWithIcon(T("estimate.change"), theme.NavigateBackIcon(), p.onChangeTapped)
	p.pay = widgets.NewButtonWithIcon(T("estimate.pay"), theme.ConfirmIcon(), p.onPay)
	p.pay.Importance = widget.HighImportance
	p.refund = widgets.NewButton(T("estimate.refund"), p.onRefund)
	p.start = widgets.NewButtonWithIcon(T("estimate.start"), theme.MediaPlayIcon(), p.onStart)
	// Pay and Refund take turns in one place, as wide as the wider of the
	// two whether either shows, so that paying moves neither Start nor the
	// pointer's next target. Why Start is refused stands beside it, in the
	// buttons' row.
	payOrRefund := container.New(widgets.KeepRoom{}, p.pay, p.refund)
	p.content = container.NewVBox(p.title, p.lines, p.budget, p.warning, p.status, p.queue,
		container.NewBorder(nil, nil, container.NewVBox(container.NewHBox(p.change, payOrRefund, p.start)), nil, p.startWhy))
	p.load()
	return p
}

func (p *estimatePage) money(minor int64) string {
	a, err := money.FromMinor(minor, p.quote.Estimate.Rates.Currency)
	if err != nil {
		return strconv.FormatInt(minor, 10)
	}
	return money.Format(a, Language())
}

// load prices the session and reads whether it may start.
func (p *estimatePage) load() {
	p.deps.run(func() {
		ctx := context.Background()
		q, err := p.deps.PayPerUse.Quote(ctx, p.sessionID)
		var startErr error
		var methods []app.Method
		var queued string
		var editErr error
		if err == nil {
			queued = queueState(p.deps, p.sessionID)
			startErr = p.deps.PayPerUse.CanStart(ctx, p.sessionID)
			if p.deps.Sessions != nil {
				// Paid for, then the start window; a started session
				// is no longer changed.
				if startErr == nil {
					startErr = p.deps.Sessions.CanStart(ctx, p.sessionID)
				}
				editErr = p.deps.Sessions.CanEdit(ctx, p.sessionID)
			}
			if p.deps.Merchant != nil {
				methods, _ = p.deps.Merchant.OfferedMethods(ctx)
			}
		}
		fyne.Do(func() {
			p.loadError = err
			if err != nil {
				p.status.SetText(ErrorText(err))
				p.status.Importance = widget.DangerImportance
				p.status.Refresh()
				p.pay.Disable()
				p.refund.Hide()
				p.start.Disable()
				return
			}
			p.quote, p.methods = q, methods
			p.queue.SetText(queued)
			setEnabled(p.change, editErr == nil)
			p.show(startErr)
			p.recheckWhenWindowOpens(startErr)
		})
	})
}

// recheckWhenWindowOpens loads the page again when the start window that
// startErr refuses opens, by the session service's clock.
func (p *estimatePage) recheckWhenWindowOpens(startErr error) {
	p.stop()
	opens, ok := app.StartWindowOpens(startErr)
	if !ok || p.deps.Sessions == nil {
		return
	}
	p.opens = time.AfterFunc(max(opens.Sub(p.deps.Sessions.Clock()), 0), func() { p.deps.onUI(p.load) })
}

// stop stops the page's timer (the page is closed).
func (p *estimatePage) stop() {
	if p.opens != nil {
		p.opens.Stop()
		p.opens = nil
	}
}

func (p *estimatePage) show(startErr error) {
	q := p.quote
	e := q.Estimate
	lang := Language()
	person := money.RateFromE4(e.Rates.PersonMinuteE4, e.Rates.Currency).Format(lang)
	tele := money.RateFromE4(e.Rates.TeleconferenceMinuteE4, e.Rates.Currency).Format(lang)
	p.title.SetText(T("estimate.title_for", map[string]any{"Topic": q.Session.Topic}))
	p.person.SetText(T("estimate.line", map[string]any{
		"Minutes": groupInt(e.PersonMinutes), "Rate": person,
		"Amount": p.money(e.PersonMinor),
	}))
	p.tele.SetText(T("estimate.line", map[string]any{
		"Minutes": groupInt(e.TeleconferenceMinutes), "Rate": tele,
		"Amount": p.money(e.TeleconferenceMinor),
	}))
	p.total.SetText(p.money(e.TotalMinor))
	if q.HasBudget {
		p.budget.SetText(T("estimate.budget", map[string]any{
			"Department": q.Department.Name, "Period": q.Budget.Period,
			"Before": p.money(q.RemainingBeforeMinor), "After": p.money(q.RemainingAfterMinor),
		}))
		p.budget.Show()
	} else {
		p.budget.Hide()
	}
	p.warning.Hide()
	if q.OverBudget {
		key := "estimate.over_budget_warn"
		if q.Policy == app.PolicyBlock {
			key = "estimate.over_budget_block"
		}
		p.warning.SetText(T(key, map[string]any{"Department": q.Department.Name}))
		p.warning.Importance = widget.WarningImportance
		if q.Policy == app.PolicyBlock {
			p.warning.Importance = widget.DangerImportance
		}
		p.warning.Show()
	}
	p.status.Importance = widget.MediumImportance
	switch {
	case q.Account.OpenMinor > 0:
		p.status.SetText(ErrorText(app.Errorf(app.ECONFLICT, "error.payperuse.payment_open", "")))
	case q.DueMinor > 0 && q.Account.PaidMinor > 0:
		p.status.SetText(T("estimate.difference_due", map[string]any{"Paid": p.money(q.Account.PaidMinor), "Due": p.money(q.DueMinor)}))
	case q.DueMinor > 0:
		p.status.SetText(T("estimate.due", map[string]any{"Due": p.money(q.DueMinor)}))
	case q.DueMinor < 0:
		p.status.SetText(T("estimate.refund_due", map[string]any{"Paid": p.money(q.Account.PaidMinor), "Refund": p.money(-q.DueMinor)}))
	case startErr != nil:
		// Paid, but not startable now (its window, or started already):
		// why is said beside Start.
		p.status.SetText(T("estimate.paid_not_startable", map[string]any{"Paid": p.money(q.Account.PaidMinor)}))
		p.status.Importance = widget.SuccessImportance
	default:
		p.status.SetText(T("estimate.paid", map[string]any{"Paid": p.money(q.Account.PaidMinor)}))
		p.status.Importance = widget.SuccessImportance
	}
	p.status.Refresh()
	if q.DueMinor > 0 && q.Account.OpenMinor == 0 && !(q.OverBudget && q.Policy == app.PolicyBlock) {
		p.pay.Enable()
		p.pay.Show()
	} else {
		p.pay.Disable()
		if q.DueMinor <= 0 {
			p.pay.Hide()
		}
	}
	if q.DueMinor < 0 && q.Account.OpenMinor == 0 {
		p.refund.Show()
	} else {
		p.refund.Hide()
	}
	if startErr != nil {
		p.start.Disable()
		p.startWhy.SetText(T("estimate.start_disabled", map[string]any{"Reason": ErrorText(startErr)}))
		p.startWhy.Show()
	} else {
		p.start.Enable()
		p.startWhy.Hide()
	}
	p.content.Refresh()
}

func (p *estimatePage) onChangeTapped() {
	if p.onChange != nil {
		p.onChange()
	}
}

// onPay freezes the rates, applies the budget policy and opens the card
// dialog for what is due.
func (p *estimatePage) onPay() {
	p.pay.Disable()
	methods := p.methods
	p.deps.run(func() {
		ctx := context.Background()
		c, err := p.deps.PayPerUse.PrepareCharge(ctx, p.sessionID)
		var rules map[app.Method]app.CardRules
		if err == nil {
			rules, err = cardRules(ctx, p.deps.Payments, methods)
		}
		if err == nil && c.Payer.Country == "" {
			// The billing country starts as the site's; the payer can change it.
			if site, serr := p.deps.Site.Site(ctx); serr == nil {
				c.Payer.Country = site.Country
			}
		}
		fyne.Do(func() {
			if err != nil {
				widgets.ShowError(errorFor(err), p.win)
				p.load()
				return
			}
			p.payment = showChargeDialogs(p.win, p.deps, c, T("estimate.payment_description",
				map[string]any{"Topic": c.Quote.Session.Topic}), p.methods, rules,
				func(cd *chargeDialogs) { p.card, p.paypal = cd.card, cd.paypal },
				func(app.Payment, error) { p.load() })
			if p.payment.choice != nil {
				p.load() // Cancel on the question leaves Pay as it was
			}
		})
	})
}

// chargeDialogs pays a pay-per-use charge (the estimate, its rise, or a
// true-up) as the Payment Information page does: by card through the
// card dialog, or with PayPal Express Checkout when the site offers it;
// with both, the person chooses first.
type chargeDialogs struct {
	choice *widgets.Dialog // "by card or with PayPal?", when both are offered
	card   *CardDialog
	paypal *PayPalDialog
}

// showChargeDialogs opens the payment of c; opened is called once the card
// or PayPal dialog is open, done as ShowCardDialog's.
func showChargeDialogs(w fyne.Window, deps Deps, c app.PayPerUseCharge, description string, methods []app.Method,
	rules map[app.Method]app.CardRules, opened func(*chargeDialogs), done func(app.Payment, error),
) *chargeDialogs {
	cd := &chargeDialogs{}
	var cards []app.Method
	paypal := false
	for _, m := range methods {
		switch m {
		case app.MethodCreditCard, app.MethodDebitCard:
			cards = append(cards, m)
		case app.MethodExpressCheckout:
			paypal = true
		}
	}
	paidSoFar := c.PaidSoFarMinor
	openCard := func() {
		cd.card = ShowCardDialog(w, deps, CardPayment{
			Amount: c.Amount, Purpose: c.Purpose, Reference: c.Reference,
			Description: description, Payer: c.Payer, Methods: cards, Rules: rules,
			PaidSoFarMinor: &paidSoFar,
		}, done)
		if opened != nil {
			opened(cd)
		}
	}
	openPayPal := func() {
		cd.paypal = ShowPayPalDialog(w, deps, PayPalPayment{
			Amount: c.Amount, Purpose: c.Purpose, Reference: c.Reference,
			Description: description, Payer: c.Payer, PaidSoFarMinor: &paidSoFar,
		}, done)
		if opened != nil {
			opened(cd)
		}
	}
	switch {
	case paypal && len(cards) > 0:
		byCard := widgets.NewButton(T("payperuse.pay_by_card"), func() { cd.choice.Hide(); openCard() })
		withPayPal := widgets.NewButton(T("payperuse.pay_with_paypal"), func() { cd.choice.Hide(); openPayPal() })
		question := widget.NewLabel(T("payperuse.pay_which", map[string]any{"Amount": money.Format(c.Amount, Language())}))
		cd.choice = widgets.NewCustom(T("estimate.pay"), T("dialog.cancel"), container.NewVBox(question, byCard, withPayPal), w)
		cd.choice.Show()
	case paypal:
		openPayPal()
	default:
		openCard()
	}
	return cd
}

// onRefund gives back what an edit took off a paid estimate.
func (p *estimatePage) onRefund() {
	p.refund.Disable()
	p.deps.run(func() {
		_, err := p.deps.PayPerUse.RefundExcess(context.Background(), p.sessionID, T("estimate.refund_description"))
		fyne.Do(func() {
			p.refund.Enable()
			if err != nil {
				widgets.ShowError(errorFor(err), p.win)
			}
			p.load()
		})
	})
}

// onStart starts the session; the domain refuses it too when unpaid.
func (p *estimatePage) onStart() {
	p.start.Disable()
	p.deps.run(func() {
		err := p.deps.PayPerUse.Start(context.Background(), p.sessionID)
		fyne.Do(func() {
			if err != nil {
				widgets.ShowError(errorFor(err), p.win)
				p.load()
				return
			}
			p.status.SetText(T("estimate.started"))
			p.status.Importance = widget.SuccessImportance
			p.status.Refresh()
			p.startWhy.Hide()
			p.change.Disable() // a started session is no longer changed
			if p.onStarted != nil {
				p.onStarted()
			}
		})
	})
}

// groupInt writes a count as CLDR does in the UI language: "2,250" in
// English; "2250" and "12 345" (no-break space, from five digits) in Polish.
func groupInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	sep := ","
	if Language() == "pl" {
		sep = "\u00a0"
		if len(s) < 5 {
			return sign + s
		}
	}
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, sep...)
		}
		out = append(out, s[i])
	}
	return sign + string(out)
}
