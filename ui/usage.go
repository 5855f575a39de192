package ui

import (
	"context"
	"io"
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/money"
	"github.com/trainpay/trainpay/ui/widgets"
)

// After a pay-per-use session: the host or the administrator enters what
// it really used (duration and counts) or imports the conferencing
// system's usage CSV; the actual cost is priced by the estimate's rule at
// the session's frozen rates, and the difference is charged to the budget
// owner (a new payment, app.PurposeTrueUp) or refunded. The settlement
// writes the true-up to the department's ledger.

// actualUsageView is the Actual usage dialog of one session.
type actualUsageView struct {
	deps    Deps
	win     fyne.Window
	session app.Session
	onDone  func()
	dlg     *widgets.Dialog

	duration  *widgets.Entry
	computers *widgets.Entry
	tele      *widgets.Entry
	minutes   *widget.Label // what the counts come to, as typed
	fieldErr  *widget.Label
	record    *widgets.Button

	result  *fyne.Container
	person  *widget.Label
	teleAmt *widget.Label
	total   *widget.Label
	paid    *widget.Label
	status  *widget.Label
	charge  *widgets.Button
	refund  *widgets.Button
	trueUp  *app.TrueUp // nil until the actual usage is in
	payment *chargeDialogs
	methods []app.Method
}

// showActualUsage opens the Actual usage dialog of a pay-per-use session.
func showActualUsage(deps Deps, w fyne.Window, s app.Session, onDone func()) *actualUsageView {
	v := &actualUsageView{deps: deps, win: w, session: s, onDone: onDone}
	v.build()
	v.dlg.Show()
	v.load()
	return v
}

func (v *actualUsageView) build() {
	changed := func(string) { v.validate() }
	v.duration = widgets.NewEntry()
	v.duration.SetText(strconv.Itoa(v.session.DurationMinutes))
	v.duration.OnChanged = changed
	v.computers = widgets.NewEntry()
	v.computers.SetText(strconv.Itoa(v.session.ExpectedComputers))
	v.computers.OnChanged = changed
	v.tele = widgets.NewEntry()
	v.tele.SetText(strconv.Itoa(v.session.ExpectedTeleconference))
	v.tele.OnChanged = changed
	v.minutes = widget.NewLabel("")
	v.fieldErr = widget.NewLabel("")
	v.fieldErr.Wrapping = fyne.TextWrapWord
	v.fieldErr.Importance = widget.DangerImportance
	v.fieldErr.Hide()
	v.record = widgets.NewButton(T("usage.record"), v.onRecord)
	v.record.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem(T("usage.duration"), v.duration),
		widget.NewFormItem(T("usage.computers"), v.computers),
		widget.NewFormItem(T("usage.teleconference"), v.tele),
	)
	intro := widget.NewLabel(T("usage.intro", map[string]any{"Topic": v.session.Topic}))
	intro.Wrapping = fyne.TextWrapWord

	v.person, v.teleAmt, v.total, v.paid = widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel("")
	v.total.TextStyle = fyne.TextStyle{Bold: true}
	v.status = widget.NewLabel("")
	v.status.Wrapping = fyne.TextWrapWord
	v.charge = widgets.NewButton(T("usage.charge"), v.onCharge)
	v.charge.Importance = widget.HighImportance
	v.refund = widgets.NewButton(T("usage.refund"), v.onRefund)
	lines := widget.NewForm(
		widget.NewFormItem(T("estimate.person_minutes"), v.person),
		widget.NewFormItem(T("estimate.teleconference_minutes"), v.teleAmt),
		widget.NewFormItem(T("usage.actual_total"), v.total),
		widget.NewFormItem(T("usage.paid"), v.paid),
	)
	v.result = container.NewVBox(widget.NewSeparator(),
		widget.NewLabelWithStyle(T("usage.actual_cost"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		lines, v.status, container.NewHBox(v.charge, v.refund))
	v.result.Hide()
	body := container.NewVBox(intro, form, v.minutes, v.fieldErr, container.NewHBox(v.record), v.result)
	v.dlg = widgets.NewCustom(T("usage.title"), T("pay.close"), body, v.win)
	v.dlg.SetOnClosed(func() {
		if v.onDone != nil {
			v.onDone()
		}
	})
	v.dlg.Resize(fyne.NewSize(560, v.dlg.MinSize().Height))
	v.validate()
}

// read returns the typed usage as minutes, or the message of the first
// invalid field (the domain's rules, app.Usage.Validate).
func (v *actualUsageView) read() (person, tele int64, msg string) {
	num := func(e *widgets.Entry) (int64, bool) {
		n, err := strconv.ParseInt(strings.TrimSpace(e.Text), 10, 64)
		return n, err == nil
	}
	d, ok1 := num(v.duration)
	c, ok2 := num(v.computers)
	t, ok3 := num(v.tele)
	if !ok1 || !ok2 || !ok3 {
		return 0, 0, T("error.payperuse.whole_numbers")
	}
	if err := (app.Usage{DurationMinutes: d, Computers: c, Teleconference: t}).Validate(); err != nil {
		return 0, 0, ErrorText(err)
	}
	return d * c, d * t, ""
}

func (v *actualUsageView) validate() {
	person, tele, msg := v.read()
	if msg != "" {
		v.fieldErr.SetText(msg)
		v.fieldErr.Show()
		v.minutes.SetText("")
		v.record.Disable()
		return
	}
	v.fieldErr.Hide()
	v.minutes.SetText(T("usage.minutes", map[string]any{"Person": groupInt(person), "Tele": groupInt(tele)}))
	v.record.Enable()
}

// load reads the recorded true-up (none before the usage is in) and the
// payment methods offered.
func (v *actualUsageView) load() {
	v.deps.run(func() {
		ctx := context.Background()
		tu, err := v.deps.PayPerUse.TrueUp(ctx, v.session.ID)
		var methods []app.Method
		if v.deps.Merchant != nil {
			methods, _ = v.deps.Merchant.OfferedMethods(ctx)
		}
		fyne.Do(func() {
			v.methods = methods
			switch {
			case err == nil:
				v.show(tu)
			case app.ErrorCode(err) == app.ENOTFOUND:
				v.result.Hide()
			default:
				v.showError(err)
			}
		})
	})
}

func (v *actualUsageView) showError(err error) {
	v.status.SetText(ErrorText(err))
	v.status.Importance = widget.DangerImportance
	v.status.Refresh()
	v.charge.Hide()
	v.refund.Hide()
	showIn(v.result, v.result)
}

func (v *actualUsageView) money(minor int64) string {
	return formatMinor(minor, v.trueUp.Actual.Rates.Currency)
}

// show puts the true-up on screen: the actual lines, what was paid, and
// Charge or Refund for the difference.
func (v *actualUsageView) show(tu app.TrueUp) {
	v.trueUp = &tu
	e := tu.Actual
	lang := Language()
	person := money.RateFromE4(e.Rates.PersonMinuteE4, e.Rates.Currency).Format(lang)
	tele := money.RateFromE4(e.Rates.TeleconferenceMinuteE4, e.Rates.Currency).Format(lang)
	v.person.SetText(T("estimate.line", map[string]any{"Minutes": groupInt(e.PersonMinutes), "Rate": person, "Amount": v.money(e.PersonMinor)}))
	v.teleAmt.SetText(T("estimate.line", map[string]any{
		"Minutes": groupInt(e.TeleconferenceMinutes), "Rate": tele,
		"Amount": v.money(e.TeleconferenceMinor),
	}))
	v.total.SetText(v.money(e.TotalMinor))
	v.paid.SetText(v.money(tu.PaidMinor))
	v.status.Importance = widget.MediumImportance
	v.charge.Hide()
	v.refund.Hide()
	switch {
	case tu.DiffMinor > 0:
		v.status.SetText(T("usage.diff_charge", map[string]any{"Amount": v.money(tu.DiffMinor)}))
		v.charge.Enable()
		v.charge.Show()
	case tu.DiffMinor < 0:
		v.status.SetText(T("usage.diff_refund", map[string]any{"Amount": v.money(-tu.DiffMinor)}))
		v.refund.Enable()
		v.refund.Show()
	default:
		v.status.SetText(T("usage.diff_none"))
		v.status.Importance = widget.SuccessImportance
	}
	v.status.Refresh()
	showIn(v.result, v.result)
	v.dlg.Resize(fyne.NewSize(560, v.dlg.MinSize().Height))
}

func (v *actualUsageView) onRecord() {
	person, tele, msg := v.read()
	if msg != "" {
		v.validate()
		return
	}
	v.record.Disable()
	v.deps.run(func() {
		tu, err := v.deps.PayPerUse.RecordActual(context.Background(), v.session.ID, person, tele, app.UsageSourceEntered)
		fyne.Do(func() {
			v.record.Enable()
			if err != nil {
				v.showError(err)
				return
			}
			v.show(tu)
		})
	})
}

// onCharge charges the difference to the budget owner: a new payment,
// PurposeTrueUp, through the card dialog (or PayPal).
func (v *actualUsageView) onCharge() {
	v.charge.Disable()
	methods := v.methods
	v.deps.run(func() {
		ctx := context.Background()
		c, err := v.deps.PayPerUse.PrepareTrueUp(ctx, v.session.ID)
		if err == nil && c.Payer.Country == "" {
			if site, serr := v.deps.Site.Site(ctx); serr == nil {
				c.Payer.Country = site.Country
			}
		}
		var rules map[app.Method]app.CardRules
		if err == nil {
			rules, err = cardRules(ctx, v.deps.Payments, methods)
		}
		fyne.Do(func() {
			if err != nil {
				v.showError(err)
				return
			}
			v.payment = showChargeDialogs(v.win, v.deps, c, T("usage.payment_description", map[string]any{"Topic": v.session.Topic}),
				v.methods, rules, nil, func(app.Payment, error) { v.load() })
			if v.payment.choice != nil {
				v.charge.Enable()
			}
		})
	})
}

// onRefund gives back what was paid above the actual cost.
func (v *actualUsageView) onRefund() {
	v.refund.Disable()
	v.deps.run(func() {
		_, err := v.deps.PayPerUse.RefundExcess(context.Background(), v.session.ID, T("usage.refund_description"))
		fyne.Do(func() {
			if err != nil {
				v.showError(err)
				return
			}
			v.load()
		})
	})
}

// usageImportView imports a usage CSV: choose the file, read the preview
// (every bad line with its number), then Apply records the good lines.
type usageImportView struct {
	deps   Deps
	win    fyne.Window
	onDone func()
	dlg    *widgets.Dialog

	file    *widget.Label
	summary *widget.Label
	rows    []string
	list    *widgets.List
	apply   *widgets.Button
	choose  *widgets.Button

	lines    []app.UsageLine
	previews []app.UsagePreview
	applied  bool
}

// showUsageImport opens the usage CSV import.
func showUsageImport(deps Deps, w fyne.Window, onDone func()) *usageImportView {
	v := &usageImportView{deps: deps, win: w, onDone: onDone}
	help := widget.NewLabel(T("usage.import_help"))
	help.Wrapping = fyne.TextWrapWord
	v.file = widget.NewLabel("")
	v.summary = widget.NewLabel("")
	v.summary.Wrapping = fyne.TextWrapWord
	v.list = widgets.NewList(func() int { return len(v.rows) },
		func() fyne.CanvasObject {
			return newCellLabel("")
		},
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*cellLabel).SetText(v.rows[id]) })
	v.choose = widgets.NewButton(T("usage.choose_file"), v.onChoose)
	v.apply = widgets.NewButton(T("usage.apply"), v.onApply)
	v.apply.Importance = widget.HighImportance
	v.apply.Disable()
	top := container.NewVBox(help, container.NewBorder(nil, nil, v.choose, nil, v.file), v.summary)
	body := container.NewBorder(top, container.NewHBox(v.apply), nil, nil, v.list)
	v.dlg = widgets.NewCustom(T("usage.import_title"), T("pay.close"), body, w)
	v.dlg.SetOnClosed(func() {
		if v.onDone != nil {
			v.onDone()
		}
	})
	v.dlg.Resize(fyne.NewSize(720, 520))
	v.dlg.Show()
	return v
}

func (v *usageImportView) onChoose() {
	openFile(v.win, []fileKind{kindCSV, kindText}, func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		v.read(rc.URI().Name(), rc)
	})
}

// read parses and previews a usage CSV off the UI thread; it closes r.
func (v *usageImportView) read(name string, r io.ReadCloser) {
	v.apply.Disable()
	v.applied = false
	v.file.SetText(name)
	v.deps.run(func() {
		lines, problems, err := app.ParseUsageCSV(r)
		r.Close()
		var previews []app.UsagePreview
		if err == nil && len(lines) > 0 {
			var refused []app.UsageProblem
			previews, refused, err = v.deps.PayPerUse.PreviewUsage(context.Background(), lines)
			problems = append(problems, refused...)
		}
		fyne.Do(func() {
			v.lines, v.previews = nil, previews
			if err != nil {
				v.rows = nil
				v.summary.SetText(ErrorText(err))
				v.summary.Importance = widget.DangerImportance
				v.summary.Refresh()
				v.list.Refresh()
				return
			}
			for _, p := range previews {
				v.lines = append(v.lines, p.UsageLine)
			}
			v.summary.Importance = widget.MediumImportance
			v.summary.SetText(T("usage.preview_summary", map[string]any{"Good": len(previews), "Bad": len(problems)}))
			v.setRows(previews, problems)
			setEnabled(v.apply, len(v.lines) > 0)
		})
	})
}

// setRows lists the lines in file order: each good line with what it
// changes, each bad one with its number and why.
func (v *usageImportView) setRows(previews []app.UsagePreview, problems []app.UsageProblem) {
	type row struct {
		line int
		text string
	}
	var rows []row
	for _, p := range previews {
		rows = append(rows, row{p.Line, usagePreviewText(p)})
	}
	for _, p := range problems {
		rows = append(rows, row{p.Line, T("usage.problem", map[string]any{"Line": p.Line, "Reason": ErrorText(p.Err)})})
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].line < rows[j].line })
	v.rows = v.rows[:0]
	for _, r := range rows {
		v.rows = append(v.rows, r.text)
	}
	v.list.Refresh()
}

func usagePreviewText(p app.UsagePreview) string {
	tu := p.TrueUp
	cur := tu.Actual.Rates.Currency
	diff := T("usage.diff_none")
	switch {
	case tu.DiffMinor > 0:
		diff = T("usage.diff_charge", map[string]any{"Amount": formatMinor(tu.DiffMinor, cur)})
	case tu.DiffMinor < 0:
		diff = T("usage.diff_refund", map[string]any{"Amount": formatMinor(-tu.DiffMinor, cur)})
	}
	return T("usage.preview_line", map[string]any{
		"Line": p.Line, "ID": p.SessionID, "Topic": tu.Session.Topic,
		"Person": groupInt(p.PersonMinutes), "Tele": groupInt(p.TeleconferenceMinutes),
		"Actual": formatMinor(tu.Actual.TotalMinor, cur), "Paid": formatMinor(tu.PaidMinor, cur), "Difference": diff,
	})
}

// onApply records the previewed lines; the differences are then charged
// or refunded from each session's Actual usage.
func (v *usageImportView) onApply() {
	if len(v.lines) == 0 || v.applied {
		return
	}
	lines := v.lines
	v.apply.Disable()
	v.choose.Disable()
	v.deps.run(func() {
		tus, problems, err := v.deps.PayPerUse.ApplyUsage(context.Background(), lines)
		fyne.Do(func() {
			v.choose.Enable()
			v.applied = true
			if err != nil {
				v.summary.SetText(ErrorText(err))
				v.summary.Importance = widget.DangerImportance
				v.summary.Refresh()
				return
			}
			v.summary.SetText(T("usage.applied", map[string]any{"Count": len(tus), "Bad": len(problems)}))
			byID := map[int64]app.TrueUp{}
			for _, tu := range tus {
				byID[tu.Session.ID] = tu
			}
			var previews []app.UsagePreview
			for _, p := range v.previews {
				if tu, ok := byID[p.SessionID]; ok {
					p.TrueUp = tu
					previews = append(previews, p)
				}
			}
			v.setRows(previews, problems)
		})
	})
}
