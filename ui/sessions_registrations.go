package ui

import (
	"context"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
)

// registrationsView lists a session's registrations with their payment
// status, method, amount and discount, and the host's actions: cancel at
// the attendee's request (by the session's rules), refund by hand, the
// receipt, and the CSV export for accounting.
type registrationsView struct {
	deps    Deps
	win     fyne.Window
	session app.Session
	dlg     *dialog.CustomDialog
	content fyne.CanvasObject

	search   *widget.Entry
	list     *widget.List
	rows     *pagedRows[app.Registration]
	count    *widget.Label
	detail   *widget.Label
	message  *widget.Label
	cancel   *widget.Button
	refund   *widget.Button
	receipt  *widget.Button
	export   *widget.Button
	selected int              // the list index, -1 for none
	sel      app.Registration // the selected row as last read
	invoice  *invoiceActions  // PayPal invoice actions (ui/invoice.go)
}

// A busy session has thousands of registrations (11,462 in the largest
// demo session): the list reads them a page at a time as it scrolls.
const (
	registrationsPageSize  = 200
	registrationsPagesKept = 5
)

func showRegistrations(deps Deps, w fyne.Window, s app.Session, onClosed func()) *registrationsView {
	v := &registrationsView{deps: deps, win: w, session: s, selected: -1,
		rows: newPagedRows[app.Registration](registrationsPageSize, registrationsPagesKept)}
	v.build()
	v.dlg = dialog.NewCustomWithoutButtons(T("regs.title", map[string]any{"Topic": s.Topic}), v.content, w)
	v.dlg.SetButtons([]fyne.CanvasObject{widget.NewButton(T("pay.close"), func() { v.dlg.Hide() })})
	v.dlg.SetOnClosed(func() {
		if onClosed != nil {
			onClosed()
		}
	})
	v.dlg.Resize(fyne.NewSize(960, 640))
	v.dlg.Show()
	v.load()
	return v
}

func (v *registrationsView) build() {
	v.list = widget.NewList(v.rows.length,
		func() fyne.CanvasObject { return newCellRow(registrationColumns) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			var texts []string
			if r, ok := v.row(id); ok {
				texts = v.invoice.rowTexts(r, registrationRowTexts(r))
			}
			setCellRow(o, texts)
		})
	v.list.OnSelected = func(id widget.ListItemID) {
		v.selected = id
		v.sel, _ = v.row(id)
		v.showSelected()
	}
	v.count = widget.NewLabel("")
	v.search = widget.NewEntry()
	v.search.SetPlaceHolder(T("regs.search"))
	v.search.OnChanged = func(string) {
		v.selected, v.sel = -1, app.Registration{}
		v.list.UnselectAll()
		v.restart(searchDelay)
	}
	v.detail = widget.NewLabel(T("regs.select_one"))
	v.detail.Wrapping = fyne.TextWrapWord
	v.message = widget.NewLabel("")
	v.message.Wrapping = fyne.TextWrapWord
	v.message.Hide()
	v.cancel = widget.NewButton(T("regs.cancel"), v.onCancel)
	v.refund = widget.NewButton(T("regs.refund"), v.onRefund)
	v.receipt = widget.NewButton(T("receipt.save"), v.onReceipt)
	v.export = widget.NewButton(T("regs.export"), v.onExport)
	v.invoice = newInvoiceActions(v)
	v.showSelected()
	header := newColumns(registrationColumns, boldLabel(T("regs.col_attendee")), boldLabel(T("regs.col_status")),
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

// registrationColumns are the widths of attendee (name and email), status,
// method, amount and discount.
var registrationColumns = []float32{2.6, 2.4, 1.5, 1.8, 1.4}

func registrationRowTexts(r app.Registration) []string {
	method := ""
	if r.Method == app.MethodExpressCheckout {
		method = T("payinfo.method_paypal")
	} else if r.Method == app.MethodPayPalInvoice {
		method = T("method.paypal-invoice")
	} else if r.Last4 != "" {
		method = brandName(r.Brand) + " " + app.MaskCardNumber(r.Brand, r.Last4)
	}
	amount, discount := "", ""
	if r.Currency != "" {
		amount = formatMinor(r.TotalMinor, r.Currency)
		if r.RefundedMinor > 0 {
			amount = T("regs.amount_refunded", map[string]any{"Amount": amount, "Refunded": formatMinor(r.RefundedMinor, r.Currency)})
		}
		if r.DiscountMinor > 0 {
			discount = r.PromoCode + " −" + formatMinor(r.DiscountMinor, r.Currency)
		}
	}
	return []string{r.Name() + " <" + r.Email + ">", registrationStatusText(r.Status), method, amount, discount}
}

// load starts the list over (after an action changed a row): the first
// page, and the selected row's page so that it stays selected.
func (v *registrationsView) load() { v.restart(0) }

func (v *registrationsView) restart(wait time.Duration) {
	v.rows.reset()
	v.fetch(0, wait)
	if v.selected >= 0 {
		v.fetch(v.selected/registrationsPageSize, wait)
	}
}

// loadPage reads one page off the UI thread.
func (v *registrationsView) loadPage(page int) { v.fetch(page, 0) }

func (v *registrationsView) fetch(page int, wait time.Duration) {
	v.rows.fetch(v.deps.run, page, wait, v.pageLoader(), func(total int, err error) {
		if !v.counted(total, err) {
			return
		}
		if v.selected >= total {
			v.selected, v.sel = -1, app.Registration{}
			v.list.UnselectAll()
		} else if r, ok, _ := v.rows.row(v.selected); ok && (v.sel.ID == 0 || r.ID == v.sel.ID) {
			v.sel = r // the row as stored now, after an action
		}
		v.list.Refresh()
		v.showSelected()
	})
}

// pageLoader reads a page of the session's registrations that the search
// box finds.
func (v *registrationsView) pageLoader() func(pageRequest[app.Registration]) ([]app.Registration, int, error) {
	f := app.RegistrationFilter{SessionID: v.session.ID, Search: v.search.Text, Limit: registrationsPageSize}
	return func(req pageRequest[app.Registration]) ([]app.Registration, int, error) {
		f.Offset, f.NoTotal = req.skip, !req.count
		if req.after != nil {
			f.AfterID = req.after.ID
		}
		rows, total, err := v.deps.Sessions.Registrations(req.ctx, f)
		if err == nil {
			v.invoice.readStates(req.ctx, rows) // ui/invoice.go
		}
		return rows, total, err
	}
}

// counted shows the count a page load brought, or its error; false on an
// error.
func (v *registrationsView) counted(total int, err error) bool {
	if err != nil {
		if app.AsError(err) != nil && app.AsError(err).Key == "error.search.too_short" {
			v.count.SetText(ErrorText(err))
		} else {
			v.showMessage(ErrorText(err), widget.DangerImportance)
		}
		v.list.Refresh()
		return false
	}
	v.count.SetText(T("regs.count", map[string]any{"Count": total}))
	return true
}

// changed refreshes the list when another desktop changed registrations
// or their payments (live.go).
func (v *registrationsView) changed(set app.ChangeSet) {
	if set.Any(app.ChangedRegistrations | app.ChangedPayments | app.ChangedSessions) {
		v.refreshLive()
	}
}

// refreshLive reads the registrations in memory again, keeping the scroll
// offset and the selected registration (found again by its id, wherever
// it is now in the list, and shown as it is now); the search box and the
// message are left as they are.
func (v *registrationsView) refreshLive() {
	offset := v.list.GetScrollOffset()
	v.rows.refreshHeld(v.deps.run, v.pageLoader(), func(total int, err error) {
		if !v.counted(total, err) {
			return
		}
		v.list.Refresh()
		if v.sel.ID != 0 {
			id := v.sel.ID
			if i, r, ok := v.rows.find(func(r app.Registration) bool { return r.ID == id }); ok {
				v.selected, v.sel = i, r
				selectQuietly(v.list, i)
			}
			v.showSelected()
		}
		v.list.ScrollToOffset(offset)
	})
}

// row returns a loaded row, asking for its page when it is not.
func (v *registrationsView) row(id int) (app.Registration, bool) {
	r, ok, page := v.rows.row(id)
	if !ok && page >= 0 {
		v.loadPage(page)
	}
	return r, ok
}

func (v *registrationsView) current() (app.Registration, bool) {
	if v.selected < 0 || v.sel.ID == 0 {
		return app.Registration{}, false
	}
	return v.sel, true
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
	v.detail.SetText(T("regs.detail", map[string]any{"Number": r.Confirmation, "Name": r.Name(),
		"Status": registrationStatusText(r.Status)}))
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

// onCancel cancels at the attendee's request: within the session's window
// a paid registration is refunded by its policy; outside it is refused
// with the reason.
func (v *registrationsView) onCancel() {
	r, ok := v.current()
	if !ok {
		return
	}
	dialog.ShowConfirm(T("regs.cancel"), T("regs.cancel_confirm", map[string]any{"Name": r.Name()}), func(yes bool) {
		if !yes {
			return
		}
		v.run(func() (app.Registration, error) { return v.deps.Sessions.CancelByAttendee(context.Background(), r.ID) })
	}, v.win)
}

func (v *registrationsView) onRefund() {
	r, ok := v.current()
	if !ok {
		return
	}
	left := formatMinor(r.PaidMinor-r.RefundedMinor, r.Currency)
	dialog.ShowConfirm(T("regs.refund"), T("regs.refund_confirm", map[string]any{"Name": r.Name(), "Amount": left}), func(yes bool) {
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
