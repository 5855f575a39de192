package ui

import (
	"context"
	"fmt"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/money"
	"github.com/trainpay/trainpay/ui/widgets"
)

const paymentsPageSize = 100

// paymentsTab is the payment journal for the administrator: every attempt
// to charge, refund or void, what became of it, reconciliation on demand,
// and a test payment to check the payment settings end to end.
type paymentsTab struct {
	s       *adminScreen
	content fyne.CanvasObject

	filter    *widgets.RadioGroup
	filters   *options[bool] // filter's choices: only the payments needing attention?
	list      *widget.List
	rows      []app.Payment
	total     int
	offset    int
	page      *widget.Label
	newer     *widgets.Button
	older     *widgets.Button
	detail    *widget.Label
	selected  int
	refund    *widgets.Button
	reconcile *widgets.Button
	testPay   *widgets.Button
	busy      *widget.ProgressBarInfinite
	report    *widget.Label
	dialog    *CardDialog   // the test payment's dialog, while open
	paypal    *PayPalDialog // the test payment's PayPal dialog, while open
}

func newPaymentsTab(s *adminScreen) *paymentsTab {
	p := &paymentsTab{s: s, selected: -1}
	p.filters = newOptions(func(attention bool) string {
		if attention {
			return T("payments.filter_attention")
		}
		return T("payments.filter_all")
	}, false, true)
	p.filter = widgets.NewRadioGroup(p.filters.Labels(), nil)
	p.filter.Horizontal = true
	p.filter.Required = true
	p.filter.SetSelected(p.filters.Label(false))
	p.filter.OnChanged = func(string) { p.load(0) }
	p.list = widget.NewList(
		func() int { return len(p.rows) },
		func() fyne.CanvasObject {
			return newCellLabel("")
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(p.rows) {
				o.(*cellLabel).SetText(p.rowText(p.rows[id]))
			}
		},
	)
	p.list.OnSelected = func(id widget.ListItemID) { p.onSelect(id) }
	p.page = widget.NewLabel("")
	p.newer = widgets.NewButton(T("audit.newer"), func() { p.load(p.offset - paymentsPageSize) })
	p.older = widgets.NewButton(T("audit.older"), func() { p.load(p.offset + paymentsPageSize) })
	p.detail = widget.NewLabel(T("payments.select_one"))
	p.detail.Wrapping = fyne.TextWrapWord
	p.refund = widgets.NewButton(T("payments.refund"), p.onRefund)
	p.refund.Disable()
	p.reconcile = widgets.NewButton(T("payments.reconcile"), p.onReconcile)
	p.testPay = widgets.NewButton(T("payments.test_payment"), p.onTestPayment)
	p.busy = widget.NewProgressBarInfinite()
	p.busy.Stop()
	p.busy.Hide()
	p.report = widget.NewLabel("")
	p.report.Wrapping = fyne.TextWrapWord
	p.report.Hide() // an empty line until there is a report

	top := container.NewVBox(container.NewHBox(p.reconcile, p.testPay), p.busy, p.report, p.filter)
	bottom := container.NewVBox(container.NewHBox(p.newer, p.older, p.page), widget.NewSeparator(), p.detail, container.NewHBox(p.refund))
	p.content = container.NewBorder(top, bottom, nil, nil, p.list)
	return p
}

func (p *paymentsTab) states() []app.PaymentState {
	if p.filters.ValueOr(p.filter.Selected, false) {
		return []app.PaymentState{app.StatePending, app.StateUnknown, app.StateNeedsReview}
	}
	return nil
}

func (p *paymentsTab) rowText(r app.Payment) string {
	amount := T("payments.bad_amount")
	if a, err := money.FromMinor(r.AmountMinor, r.Currency); err == nil {
		amount = money.Format(a, Language())
	}
	who := r.PayerName
	if who == "" {
		who = r.Description
	}
	card := ""
	if r.Last4 != "" {
		card = " · " + app.MaskCardNumber(r.Brand, r.Last4)
	}
	return fmt.Sprintf("%s · %s · %s · %s%s · %s", p.when(r), T("payment.kind."+string(r.Kind)),
		amount, who, card, T("payment.state."+string(r.State)))
}

// when shows a row's time in the site's time zone.
func (p *paymentsTab) when(r app.Payment) string {
	t := r.CreatedAt
	if loc, err := time.LoadLocation(p.s.m.site.TimeZone); err == nil {
		t = t.In(loc)
	}
	return t.Format("2006-01-02 15:04")
}

func (p *paymentsTab) load(offset int) { p.loadKeeping(offset, 0, -1) }

// refreshLive reads the page shown again when another desktop changed
// payments (live.go), keeping the scroll offset and the selected payment
// (found again by its id); the refund and test payment dialogs are left
// as they are.
func (p *paymentsTab) refreshLive() {
	var id int64
	if p.selected >= 0 && p.selected < len(p.rows) {
		id = p.rows[p.selected].ID
	}
	p.loadKeeping(p.offset, id, p.list.GetScrollOffset())
}

// loadKeeping reads the page at offset; the payment of id (0 for none)
// stays selected when it is on the page, and the list is scrolled to
// scroll (left where it is when negative).
func (p *paymentsTab) loadKeeping(offset int, id int64, scroll float32) {
	if offset < 0 {
		offset = 0
	}
	f := app.PaymentFilter{States: p.states(), Offset: offset, Limit: paymentsPageSize}
	p.s.deps.run(func() {
		rows, total, err := p.s.deps.Payments.Payments(context.Background(), f)
		fyne.Do(func() {
			if err != nil {
				p.s.failed(err)
				return
			}
			p.rows, p.total, p.offset = rows, total, offset
			p.selected = -1
			unselectQuietly(p.list)
			p.list.Refresh()
			p.detail.SetText(T("payments.select_one"))
			p.refund.Disable()
			if i := slices.IndexFunc(rows, func(r app.Payment) bool { return r.ID == id }); id != 0 && i >= 0 {
				selectQuietly(p.list, i)
				p.onSelect(i)
			}
			if scroll >= 0 {
				p.list.ScrollToOffset(scroll)
			}
			setEnabled(p.newer, offset > 0)
			setEnabled(p.older, offset+len(rows) < total)
			from := offset + 1
			if total == 0 {
				from = 0
			}
			p.page.SetText(T("audit.page", map[string]any{"From": from, "To": offset + len(rows), "Total": total}))
		})
	})
}

func (p *paymentsTab) onSelect(id int) {
	if id < 0 || id >= len(p.rows) {
		return
	}
	p.selected = id
	r := p.rows[id]
	data := map[string]any{
		"Invoice": r.InvoiceID, "Key": r.Key, "Reference": r.GatewayRef, "Processor": processorName(r.Processor),
		"Mode": T("mode." + string(r.Mode)), "Code": r.ResultCode, "Message": r.Message,
	}
	text := T("payments.detail", data)
	if r.State == app.StateNeedsReview {
		text += "\n" + T("payments.review_help", data)
	}
	p.detail.SetText(text)
	left := r.AmountMinor - r.RefundedMinor
	setEnabled(p.refund, r.Kind == app.KindSale && r.State.Charged() && left > 0)
}

func (p *paymentsTab) onReconcile() {
	p.reconcile.Disable()
	p.busy.Show()
	p.busy.Start()
	p.s.deps.run(func() {
		rep, err := p.s.deps.Payments.Reconcile(context.Background())
		fyne.Do(func() {
			p.busy.Stop()
			p.busy.Hide()
			p.reconcile.Enable()
			if err != nil {
				p.s.failed(err)
				return
			}
			p.report.SetText(T("payments.reconciled", map[string]any{
				"Checked": rep.Checked, "Charged": rep.Charged,
				"NotCharged": rep.NotCharged, "Open": rep.StillOpen, "Review": rep.NeedsReview,
			}))
			p.report.Show()
			p.load(0)
		})
	})
}

// onRefund refunds what is left of the selected sale, after a confirmation
// that says how much.
func (p *paymentsTab) onRefund() {
	if p.selected < 0 || p.selected >= len(p.rows) {
		return
	}
	r := p.rows[p.selected]
	left, err := money.FromMinor(r.AmountMinor-r.RefundedMinor, r.Currency)
	if err != nil {
		p.s.failed(err)
		return
	}
	msg := T("payments.refund_confirm", map[string]any{"Amount": money.Format(left, Language()), "Payer": r.PayerName})
	d := widgets.NewConfirm(T("payments.refund"), msg, func(ok bool) {
		if !ok {
			return
		}
		p.refund.Disable()
		p.s.deps.run(func() {
			_, err := p.s.deps.Payments.Refund(context.Background(), r.ID, left, T("payments.refund_description"))
			fyne.Do(func() {
				if err != nil {
					p.s.failed(err)
				} else {
					p.s.changed(T("payments.refunded", map[string]any{"Amount": money.Format(left, Language())}))
				}
				p.load(p.offset)
			})
		})
	}, p.s.m.win)
	d.SetConfirmText(T("payments.refund"))
	d.SetDismissText(T("dialog.cancel"))
	d.Show()
}

// onTestPayment charges one unit of the site's currency through the card
// methods the site offers (in Test mode, the offline sandbox), so the
// administrator sees the whole flow before attendees do.
func (p *paymentsTab) onTestPayment() {
	p.s.deps.run(func() {
		ctx := context.Background()
		methods, err := p.s.deps.Merchant.OfferedMethods(ctx)
		var rules map[app.Method]app.CardRules
		if err == nil {
			rules, err = cardRules(ctx, p.s.deps.Payments, methods)
		}
		fyne.Do(func() {
			if err != nil {
				p.s.failed(err)
				return
			}
			var cards []app.Method
			for _, m := range methods {
				if m == app.MethodCreditCard || m == app.MethodDebitCard {
					cards = append(cards, m)
				}
			}
			paypal := false
			for _, m := range methods {
				paypal = paypal || m == app.MethodExpressCheckout
			}
			if len(cards) == 0 && !paypal {
				p.s.failed(app.Errorf(app.EUNAVAILABLE, "error.methods.no_card_methods", "no card method is offered"))
				return
			}
			site := p.s.m.site
			one, err := money.FromMinor(pow10(money.Digits(site.Currency)), site.Currency)
			if err != nil {
				p.s.failed(err)
				return
			}
			openCard := func() {
				p.dialog = ShowCardDialog(p.s.m.win, p.s.deps, CardPayment{
					Amount: one, Purpose: app.PurposeTestPayment, Reference: "test-payment",
					Description: T("payments.test_description"), Methods: cards,
					Rules: rules, Payer: app.Payer{Country: site.Country},
				}, func(app.Payment, error) { p.load(0) })
			}
			if paypal {
				p.testWithPayPal(one, cards, openCard) // paypaldialog_payments.go
				return
			}
			openCard()
		})
	})
}

func pow10(n uint8) int64 {
	v := int64(1)
	for i := uint8(0); i < n; i++ {
		v *= 10
	}
	return v
}
