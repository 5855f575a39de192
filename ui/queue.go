package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/widgets"
)

// SectionToPay is the budget owner's "To pay" section's ID.
const SectionToPay = "to-pay"

// QueueService is what the UI needs of app.QueueService.
type QueueService interface {
	Request(ctx context.Context, sessionID int64) (app.SessionPayment, error)
	ToPay(ctx context.Context) ([]app.ToPayItem, error)
	PrepareCharge(ctx context.Context, id int64) (app.PayPerUseCharge, error)
	Paid(ctx context.Context, id int64) (app.SessionPayment, error)
	Decline(ctx context.Context, id int64, reason string) error
	// Pay charges a request; the pay dialog uses it for a charge to the
	// budget (app.MethodBudget, no card).
	Pay(ctx context.Context, id int64, method app.Method, card *app.Card, description string) (app.Payment, error)
}

// queueScreen is the "To pay" section: the pay-per-use sessions of the
// departments whose budgets the signed-in person owns, waiting for them.
// It is used by keyboard alone: the list takes the focus when the section
// opens, Up and Down move through it, Enter opens the pay dialog (the
// amount, the budget before and after, Pay and Decline; Pay is focused, so
// Space pays; the card dialog's Enter pays once the card is typed).
type queueScreen struct {
	deps    Deps
	win     fyne.Window
	content fyne.CanvasObject

	list    *queueList
	message *widget.Label
	items   []app.ToPayItem
	pay     *queuePayDialog // the pay dialog while it is open
}

// queueList is a list that opens its highlighted row on Enter.
type queueList struct {
	widget.List
	highlighted widget.ListItemID
	onEnter     func(widget.ListItemID)
}

// TypedKey opens the highlighted row on Enter or Return; other keys move
// through the list as widget.List's do.
func (l *queueList) TypedKey(e *fyne.KeyEvent) {
	if e.Name == fyne.KeyReturn || e.Name == fyne.KeyEnter {
		if l.onEnter != nil && l.Length != nil && l.highlighted >= 0 && l.highlighted < l.Length() {
			l.onEnter(l.highlighted)
		}
		return
	}
	l.List.TypedKey(e)
}

func newQueueScreen(deps Deps, w fyne.Window) *queueScreen {
	s := &queueScreen{deps: deps, win: w}
	s.list = &queueList{onEnter: s.open}
	s.list.Length = func() int { return len(s.items) }
	s.list.CreateItem = func() fyne.CanvasObject { return widgets.NewCellRow(queueColumns) }
	s.list.UpdateItem = func(id widget.ListItemID, o fyne.CanvasObject) {
		var cells []string
		if id < len(s.items) {
			cells = queueRowTexts(s.items[id])
		}
		widgets.SetCellRow(o, cells)
	}
	s.list.OnHighlighted = func(id widget.ListItemID) { s.list.highlighted = id }
	s.list.OnSelected = func(id widget.ListItemID) {
		s.list.highlighted = id
		s.open(id)
		s.list.Unselect(id)
	}
	s.list.ExtendBaseWidget(s.list)
	s.message = widget.NewLabel("")
	s.message.Wrapping = fyne.TextWrapWord
	header := newColumns(queueColumns, boldLabel(T("queue.col_session")), boldLabel(T("queue.col_start")),
		boldLabel(T("queue.col_department")), boldLabel(T("queue.col_amount")))
	hint := widget.NewLabel(T("queue.hint"))
	hint.Wrapping = fyne.TextWrapWord // one line of it was wider than the window
	top := container.NewVBox(widget.NewLabelWithStyle(T("queue.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		hint, header)
	s.content = container.NewBorder(top, s.message, nil, nil, s.list)
	s.load()
	return s
}

// queueColumns are the widths of session, start, department and amount.
var queueColumns = []float32{2.6, 2.2, 1.8, 1.4}

func queueRowTexts(it app.ToPayItem) []string {
	ses := it.Quote.Session
	return []string{
		ses.Topic, formatWhen(ses.StartsAt, ses.Location()), it.Quote.Department.Name,
		formatMinor(it.Request.AmountMinor, it.Request.Currency),
	}
}

// focus gives the list the keyboard.
func (s *queueScreen) focus() { s.win.Canvas().Focus(s.list) }

// load reads the queue off the UI thread.
func (s *queueScreen) load() {
	s.deps.run(func() {
		items, err := s.deps.Queue.ToPay(context.Background())
		fyne.Do(func() { s.show(items, err) })
	})
}

func (s *queueScreen) show(items []app.ToPayItem, err error) {
	if err != nil {
		s.message.SetText(ErrorText(err))
		return
	}
	s.items = items
	if len(items) == 0 {
		s.message.SetText(T("queue.empty"))
	} else {
		s.message.SetText(T("queue.count", map[string]any{"Count": len(items)}))
	}
	if s.list.highlighted >= len(items) {
		s.list.highlighted = max(len(items)-1, 0)
	}
	s.list.Refresh()
}

// changed reads the queue again when another desktop scheduled, changed,
// paid or declined a session (live.go).
func (s *queueScreen) changed(set app.ChangeSet) {
	if set.Any(app.ChangedPayments | app.ChangedSessions | app.ChangedBudgets) {
		s.load()
	}
}

// open shows the pay dialog of row id.
func (s *queueScreen) open(id widget.ListItemID) {
	if id < 0 || id >= len(s.items) {
		return
	}
	s.pay = newQueuePayDialog(s, s.items[id])
}

// queuePayDialog pays or declines one request.
type queuePayDialog struct {
	scr     *queueScreen
	item    app.ToPayItem
	dlg     *widgets.Dialog
	pay     *widgets.Button
	budget  *widgets.Button // charge to the department's budget, no card
	decline *widgets.Button
	close   *widgets.Button
	// The payment's dialogs, once opened (tests drive them).
	charge *chargeDialogs
	card   *CardDialog
	paypal *PayPalDialog
	// The decline's reason, while asked for.
	reason    *widgets.Entry
	send      *widgets.Button
	reasonDlg *widgets.Dialog
	reasonErr *widget.Label
}

func newQueuePayDialog(s *queueScreen, it app.ToPayItem) *queuePayDialog {
	d := &queuePayDialog{scr: s, item: it}
	q := it.Quote
	cur := it.Request.Currency
	lines := []fyne.CanvasObject{
		widget.NewLabelWithStyle(q.Session.Topic, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabel(T("queue.when", map[string]any{
			"Start":      formatWhen(q.Session.StartsAt, q.Session.Location()),
			"Department": q.Department.Name,
		})),
		widget.NewLabel(T("queue.amount", map[string]any{"Amount": formatMinor(it.Request.AmountMinor, cur)})),
	}
	if q.HasBudget {
		lines = append(lines, widget.NewLabel(T("estimate.budget", map[string]any{
			"Department": q.Department.Name,
			"Period":     q.Budget.Period, "Before": formatMinor(q.RemainingBeforeMinor, cur),
			"After": formatMinor(q.RemainingAfterMinor, cur),
		})))
	}
	if q.OverBudget {
		key := "estimate.over_budget_warn"
		if q.Policy == app.PolicyBlock {
			key = "estimate.over_budget_block"
		}
		warn := widget.NewLabel(T(key, map[string]any{"Department": q.Department.Name}))
		warn.Wrapping = fyne.TextWrapWord
		warn.Importance = widget.WarningImportance
		lines = append(lines, warn)
	}
	d.pay = widgets.NewButtonWithIcon(T("queue.pay"), theme.ConfirmIcon(), d.onPay)
	d.pay.Importance = widget.HighImportance
	if q.OverBudget && q.Policy == app.PolicyBlock {
		d.pay.Disable()
	}
	d.budget = widgets.NewButtonWithIcon(T("queue.charge_budget"), theme.AccountIcon(), d.onChargeBudget)
	if q.OverBudget && q.Policy == app.PolicyBlock {
		d.budget.Disable() // the database would refuse it: nothing left
	}
	d.decline = widgets.NewButtonWithIcon(T("queue.decline"), theme.CancelIcon(), d.onDecline)
	d.close = widgets.NewButton(T("pay.close"), func() { d.dlg.Hide() })
	body := container.NewVBox(append(lines, container.NewHBox(d.pay, d.budget, d.decline, d.close))...)
	d.dlg = widgets.NewCustomWithoutButtons(T("queue.pay_title"), body, s.win)
	d.dlg.SetOnClosed(func() {
		if s.pay == d {
			s.pay = nil
		}
		s.focus()
	})
	d.dlg.SetDefault(d.pay)
	d.dlg.SetCancel(d.close)
	d.dlg.Show()
	if d.pay.Disabled() {
		s.win.Canvas().Focus(d.decline)
	} else {
		s.win.Canvas().Focus(d.pay)
	}
	return d
}

// onPay asks the queue what to charge (it refuses a request no longer
// open, or whose amount changed meanwhile) and opens the card or PayPal
// dialog; once it is done the request is closed and the queue read again.
func (d *queuePayDialog) onPay() {
	s := d.scr
	id := d.item.Request.ID
	d.pay.Disable()
	s.deps.run(func() {
		ctx := context.Background()
		c, err := s.deps.Queue.PrepareCharge(ctx, id)
		var methods []app.Method
		if err == nil && s.deps.Merchant != nil {
			methods, _ = s.deps.Merchant.OfferedMethods(ctx)
		}
		var rules map[app.Method]app.CardRules
		if err == nil {
			rules, err = cardRules(ctx, s.deps.Payments, methods)
		}
		if err == nil && c.Payer.Country == "" {
			// The billing country starts as the site's, as on the estimate.
			if site, serr := s.deps.Site.Site(ctx); serr == nil {
				c.Payer.Country = site.Country
			}
		}
		fyne.Do(func() {
			if err != nil {
				d.dlg.Hide()
				widgets.ShowError(errorFor(err), s.win)
				s.load()
				return
			}
			d.dlg.Hide()
			d.charge = showChargeDialogs(s.win, s.deps, c, T("estimate.payment_description",
				map[string]any{"Topic": c.Quote.Session.Topic}), methods, rules,
				func(cd *chargeDialogs) { d.card, d.paypal = cd.card, cd.paypal },
				func(app.Payment, error) { d.paid() })
			s.pay = d
		})
	})
}

// onChargeBudget charges the request to the department's budget: no card,
// no processor (app.MethodBudget); the queue refuses it as it refuses a
// card payment (amount changed, no longer open, not the owner) and the
// database above what is left under the block policy.
func (d *queuePayDialog) onChargeBudget() {
	s := d.scr
	it := d.item
	d.pay.Disable()
	d.budget.Disable()
	s.deps.run(func() {
		_, err := s.deps.Queue.Pay(context.Background(), it.Request.ID, app.MethodBudget, nil,
			T("estimate.payment_description", map[string]any{"Topic": it.Quote.Session.Topic}))
		fyne.Do(func() {
			d.dlg.Hide()
			if err != nil {
				widgets.ShowError(errorFor(err), s.win)
				s.load()
				return
			}
			cur := it.Request.Currency
			text := T("queue.charged_budget_no_allocation", map[string]any{
				"Amount": formatMinor(it.Request.AmountMinor, cur), "Department": it.Quote.Department.Name,
			})
			if it.Quote.HasBudget {
				text = T("queue.charged_budget", map[string]any{
					"Amount":     formatMinor(it.Request.AmountMinor, cur),
					"Department": it.Quote.Department.Name, "Left": formatMinor(it.Quote.RemainingAfterMinor, cur),
				})
			}
			widgets.ShowInformation(T("queue.charged_budget_title"), text, s.win)
			s.load()
		})
	})
}

// paid closes the request once the payment went through (Paid reads the
// journal: a declined card leaves it open) and reads the queue again.
func (d *queuePayDialog) paid() {
	s := d.scr
	s.deps.run(func() {
		_, err := s.deps.Queue.Paid(context.Background(), d.item.Request.ID)
		fyne.Do(func() {
			if err != nil {
				widgets.ShowError(errorFor(err), s.win)
			}
			s.load()
		})
	})
}

// onDecline asks for the reason; Decline sends it.
func (d *queuePayDialog) onDecline() {
	s := d.scr
	d.reason = widgets.NewEntry()
	d.reason.SetPlaceHolder(T("queue.reason_placeholder"))
	d.reasonErr = widget.NewLabel("")
	d.reasonErr.Importance = widget.DangerImportance
	d.reasonErr.Wrapping = fyne.TextWrapWord
	d.reasonErr.Hide()
	d.send = widgets.NewButton(T("queue.decline"), d.sendDecline)
	d.send.Importance = widget.DangerImportance
	cancel := widgets.NewButton(T("dialog.cancel"), func() { d.reasonDlg.Hide() })
	d.reason.OnSubmitted = func(string) { d.sendDecline() }
	body := container.NewVBox(widget.NewLabel(T("queue.reason_question", map[string]any{"Topic": d.item.Quote.Session.Topic})),
		d.reason, d.reasonErr, container.NewHBox(d.send, cancel))
	d.reasonDlg = widgets.NewCustomWithoutButtons(T("queue.decline_title"), body, s.win)
	d.reasonDlg.SetCancel(cancel)
	d.reasonDlg.Resize(fyne.NewSize(480, 0))
	d.reasonDlg.Show()
	s.win.Canvas().Focus(d.reason)
}

func (d *queuePayDialog) sendDecline() {
	s := d.scr
	reason := d.reason.Text
	s.deps.run(func() {
		err := s.deps.Queue.Decline(context.Background(), d.item.Request.ID, reason)
		fyne.Do(func() {
			if err != nil && app.AsError(err).Code == app.EINVALID {
				d.reasonErr.SetText(ErrorText(err))
				d.reasonErr.Show()
				return
			}
			d.reasonDlg.Hide()
			d.dlg.Hide()
			if err != nil {
				widgets.ShowError(errorFor(err), s.win)
			}
			s.load()
		})
	})
}

// queueStateText is what the coordinator reads of a session's payment:
// awaiting payment by the department, paid, or declined with the reason;
// "" when the session has no request.
func queueStateText(p app.SessionPayment) string {
	switch {
	case !p.HasRequest:
		return ""
	case p.Awaiting():
		return T("queue.state_awaiting", map[string]any{
			"Department": p.Quote.Department.Name,
			"Amount":     formatMinor(p.Request.AmountMinor, p.Request.Currency),
		})
	case p.Declined():
		return T("queue.state_declined", map[string]any{"Reason": p.Request.Reason})
	case p.Quote.Paid():
		return T("queue.state_paid")
	}
	return ""
}

// queueState reads (and brings in line with what is due) a session's
// request off the UI thread: "" when the queue is not wired or cannot say.
func queueState(deps Deps, sessionID int64) string {
	if deps.Queue == nil {
		return ""
	}
	p, err := deps.Queue.Request(context.Background(), sessionID)
	if err != nil {
		return ""
	}
	return queueStateText(p)
}

// joinLines joins the non-empty texts, one a line.
func joinLines(texts ...string) string {
	var out []string
	for _, t := range texts {
		if t != "" {
			out = append(out, t)
		}
	}
	return strings.Join(out, "\n")
}

// refreshEstimates reads the open Estimated Session Cost pages again, after
// another desktop paid, declined or changed a session (live.go).
func (s *sessionsScreen) refreshEstimates(set app.ChangeSet) {
	if !set.Any(app.ChangedPayments | app.ChangedSessions | app.ChangedBudgets) {
		return
	}
	if s.estimatePage != nil {
		s.estimatePage.load()
	}
	if s.form != nil && s.form.estimate != nil {
		s.form.estimate.load()
	}
}
