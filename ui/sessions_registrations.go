package ui

import (
	"context"
	"image/color"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/widgets"
)

// registrationsView lists a session's registrations with their payment
// status, method, amount and discount, and the host's actions: cancel at
// the attendee's request (by the session's rules), refund by hand, the
// receipt, and the CSV export for accounting.
type registrationsView struct {
	deps    Deps
	win     fyne.Window
	session app.Session
	dlg     *widgets.Dialog
	content fyne.CanvasObject

	search  *widgets.Entry
	list    *widgets.PagedList[app.Registration, int64]
	count   *widget.Label
	detail  *widget.Label
	message *widget.Label
	cancel  *widgets.Button
	refund  *widgets.Button
	receipt *widgets.Button
	export  *widgets.Button
	invoice *invoiceActions // PayPal invoice actions (ui/invoice.go)
}

// A busy session has thousands of registrations (11,462 in the largest
// demo session): the list reads them a page at a time as it scrolls.
const (
	registrationsPageSize  = 200
	registrationsPagesKept = 5
)

func showRegistrations(deps Deps, w fyne.Window, s app.Session, onClosed func()) *registrationsView {
	v := &registrationsView{deps: deps, win: w, session: s}
	v.build()
	v.dlg = widgets.NewCustomWithoutButtons(T("regs.title", map[string]any{"Topic": s.Topic}), v.content, w)
	v.dlg.SetButtons([]fyne.CanvasObject{widgets.NewButton(T("pay.close"), func() { v.dlg.Hide() })})
	v.dlg.SetOnClosed(func() {
		if onClosed != nil {
			onClosed()
		}
	})
	v.dlg.Resize(fyne.NewSize(1000, 640)) // the minimum window's width, less the dialog's margins
	v.dlg.Show()
	v.load()
	return v
}

func (v *registrationsView) build() {
	v.list = widgets.NewPagedList(widgets.PagedListOptions[app.Registration, int64]{
		PageSize: registrationsPageSize, PagesKept: registrationsPagesKept,
		Fetch: v.fetchPage, Run: v.deps.run, ID: func(r app.Registration) int64 { return r.ID },
		Columns: v.columns(), OnLoaded: v.loaded,
		OnSelected: func(app.Registration) { v.showSelected() }, OnUnselected: v.showSelected,
	})
	v.count = widget.NewLabel("")
	v.search = widgets.NewEntry()
	v.search.SetPlaceHolder(T("regs.search"))
	v.search.OnChanged = func(string) {
		v.list.Restart(searchDelay)
		v.showSelected()
	}
	v.detail = widget.NewLabel(T("regs.select_one"))
	v.detail.Wrapping = fyne.TextWrapWord
	v.message = widget.NewLabel("")
	v.message.Wrapping = fyne.TextWrapWord
	v.message.Hide()
	v.cancel = widgets.NewButton(T("regs.cancel"), v.onCancel)
	v.refund = widgets.NewButton(T("regs.refund"), v.onRefund)
	v.receipt = widgets.NewButton(T("receipt.save"), v.onReceipt)
	v.export = widgets.NewButton(T("regs.export"), v.onExport)
	v.invoice = newInvoiceActions(v)
	v.showSelected()
	header := newColumns(widgets.Weights(registrationColumns), boldLabel(T("regs.col_attendee")), boldLabel(T("regs.col_status")),
		boldLabel(T("regs.col_method")), boldLabel(T("regs.col_amount")), boldLabel(T("regs.col_discount")))
	bottom := container.NewVBox(v.count, widget.NewSeparator(), v.detail, v.message,
		container.NewHBox(v.cancel, v.refund, v.receipt, v.export), v.invoice.box)
	list := container.NewBorder(container.NewVBox(v.search, header), nil, nil, nil, v.list)
	// At least 900×300, and the list takes whatever the dialog has more.
	least := canvas.NewRectangle(color.Transparent)
	least.SetMinSize(fyne.NewSize(900, 300))
	v.content = container.NewBorder(nil, bottom, nil, nil, container.NewStack(least, list))
}

// registrationStatusText is a status in the UI language.
func registrationStatusText(s app.RegistrationStatus) string { return T("regs.status." + string(s)) }

// registrationColumns are attendee (name and email), status, method,
// amount and discount, with their widths.
var registrationColumns = []widgets.Column[app.Registration]{
	{Weight: 1.6, Text: func(r app.Registration) string { return r.Name() + " <" + r.Email + ">" }},
	{Weight: 1.9, Text: func(r app.Registration) string { return registrationStatusText(r.Status) }},
	{Weight: 1.95, Text: registrationMethodText},
	{Weight: 2.1, Text: registrationAmountText},
	{Weight: 2.15, Text: registrationDiscountText},
}

// columns are registrationColumns as this window shows them: a
// registration waiting for a PayPal invoice's payment says so in its
// status ("Awaiting online payment").
func (v *registrationsView) columns() []widgets.Column[app.Registration] {
	cols := slices.Clone(registrationColumns)
	status := cols[1].Text
	cols[1].Text = func(r app.Registration) string { return v.invoice.statusText(r, status(r)) }
	return cols
}

func registrationRowTexts(r app.Registration) []string {
	return widgets.RowTexts(registrationColumns, r)
}

func registrationMethodText(r app.Registration) string {
	if r.Method == app.MethodExpressCheckout {
		return T("payinfo.method_paypal")
	} else if r.Method == app.MethodPayPalInvoice {
		return T("method.paypal-invoice")
	} else if r.Last4 != "" {
		return brandName(r.Brand) + " " + app.MaskCardNumber(r.Brand, r.Last4)
	}
	return ""
}

func registrationAmountText(r app.Registration) string {
	if r.Currency == "" {
		return ""
	}
	amount := formatMinor(r.TotalMinor, r.Currency)
	if r.RefundedMinor > 0 {
		amount = T("regs.amount_refunded", map[string]any{"Amount": amount, "Refunded": formatMinor(r.RefundedMinor, r.Currency)})
	}
	return amount
}

// changed refreshes the list when another desktop changed registrations
// or their payments (live.go): read again, keeping the scroll offset and
// the selected registration (found again by its id, shown as it is now);
// the search box and the message stay as they are.
func (v *registrationsView) changed(set app.ChangeSet) {
	if set.Any(app.ChangedRegistrations | app.ChangedPayments | app.ChangedSessions) {
		v.list.Reload()
	}
}

func registrationDiscountText(r app.Registration) string {
	if r.Currency != "" && r.DiscountMinor > 0 {
		return r.PromoCode + " −" + formatMinor(r.DiscountMinor, r.Currency)
	}
	return ""
}

// load reads the list again (after an action changed a row): the
// selected registration stays selected, as read now.
func (v *registrationsView) load() { v.list.Reload() }

// fetchPage reads one page of the session's registrations (off the UI
// thread).
func (v *registrationsView) fetchPage(q widgets.PageQuery[app.Registration]) (widgets.Page[app.Registration], error) {
	f := app.RegistrationFilter{SessionID: v.session.ID, Search: v.search.Text, Limit: q.Limit, Offset: q.Skip, NoTotal: !q.Count}
	if q.After != nil {
		f.AfterID = q.After.ID
	}
	rows, total, err := v.deps.Sessions.Registrations(q.Ctx, f)
	if err == nil {
		v.invoice.readStates(q.Ctx, rows) // ui/invoice.go
	}
	return widgets.Page[app.Registration]{Rows: rows, Total: total}, err
}

// loaded shows the count, or why there is none.
func (v *registrationsView) loaded(total int, _ bool, err error) {
	if err != nil {
		if app.AsError(err) != nil && app.AsError(err).Key == "error.search.too_short" {
			v.count.SetText(ErrorText(err))
		} else {
			v.showMessage(ErrorText(err), widget.DangerImportance)
		}
		return
	}
	v.count.SetText(T("regs.count", map[string]any{"Count": total}))
	v.showSelected()
}

func (v *registrationsView) current() (app.Registration, bool) {
	r, ok := v.list.Selected()
	return r, ok && r.ID != 0
}

func (v *registrationsView) showSelected() {
	r, ok := v.current()
	v.invoice.show(r, ok)
	if !ok {
		v.detail.SetText(T("regs.select_one"))
		v.cancel.Disable()
		v.refund.Disable()
		v.receipt.Disable()
		return
	}
	v.detail.SetText(T("regs.detail", map[string]any{
		"Number": r.Confirmation, "Name": r.Name(),
		"Status": registrationStatusText(r.Status),
	}))
	setEnabled(v.cancel, r.Status.HoldsSeat())
	setEnabled(v.refund, r.PaidMinor > r.RefundedMinor)
	setEnabled(v.receipt, r.Status == app.RegPaid || r.Status == app.RegRefunded || r.Status == app.RegPartiallyRefunded)
}

func (v *registrationsView) showMessage(text string, imp widget.Importance) {
	v.message.SetText(text)
	v.message.Importance = imp
	v.message.Show()
	v.message.Refresh()
}

// onCancel cancels at the attendee's request: the confirmation says what
// the session's policy refunds (or that nothing is refunded); a
// cancellation the domain refuses (outside the session's window) is said
// at once, with the reason.
func (v *registrationsView) onCancel() {
	r, ok := v.current()
	if !ok {
		return
	}
	v.deps.run(func() {
		pre, err := v.deps.Sessions.CancelByAttendeePreview(context.Background(), r.ID)
		fyne.Do(func() {
			if err != nil {
				v.showMessage(ErrorText(err), widget.DangerImportance)
				return
			}
			widgets.ShowConfirm(T("regs.cancel"), cancelConfirmText(r, pre), func(yes bool) {
				if !yes {
					return
				}
				v.run(func() (app.Registration, error) { return v.deps.Sessions.CancelByAttendee(context.Background(), r.ID) })
			}, v.win)
		})
	})
}

// cancelConfirmText asks to cancel r, saying what will be refunded.
func cancelConfirmText(r app.Registration, pre app.AttendeeCancellation) string {
	data := map[string]any{"Name": r.Name(), "Amount": formatMinor(pre.RefundMinor, pre.Currency)}
	switch {
	case pre.RefundMinor > 0:
		return T("regs.cancel_confirm_refund", data)
	case pre.Paid:
		return T("regs.cancel_confirm_no_refund", data)
	}
	return T("regs.cancel_confirm_unpaid", data)
}

func (v *registrationsView) onRefund() {
	r, ok := v.current()
	if !ok {
		return
	}
	left := formatMinor(r.PaidMinor-r.RefundedMinor, r.Currency)
	widgets.ShowConfirm(T("regs.refund"), T("regs.refund_confirm", map[string]any{"Name": r.Name(), "Amount": left}), func(yes bool) {
		if !yes {
			return
		}
		v.run(func() (app.Registration, error) { return v.deps.Sessions.RefundByHost(context.Background(), r.ID) })
	}, v.win)
}

func (v *registrationsView) run(f func() (app.Registration, error)) {
	v.cancel.Disable()
	v.refund.Disable()
	v.deps.run(func() {
		r, err := f()
		fyne.Do(func() {
			if err != nil {
				v.showMessage(ErrorText(err), widget.DangerImportance)
			} else {
				v.showMessage(T("regs.now", map[string]any{"Name": r.Name(), "Status": registrationStatusText(r.Status)}),
					widget.SuccessImportance)
			}
			v.load()
		})
	})
}

func (v *registrationsView) onReceipt() {
	if r, ok := v.current(); ok {
		saveReceiptDialog(v.deps, v.win, r.ID)
	}
}

func (v *registrationsView) onExport() {
	exportSession(v.win, v.deps, v.session.ID, v.showMessage)
}
