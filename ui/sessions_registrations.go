package ui

import (
	"bytes"
	"context"
	"errors"

	"fyne.io/fyne/v2"
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

	list     *widget.List
	rows     []app.Registration
	total    int
	detail   *widget.Label
	message  *widget.Label
	cancel   *widget.Button
	refund   *widget.Button
	receipt  *widget.Button
	export   *widget.Button
	selected int
}

func showRegistrations(deps Deps, w fyne.Window, s app.Session, onClosed func()) *registrationsView {
	v := &registrationsView{deps: deps, win: w, session: s, selected: -1}
	v.build()
	v.dlg = dialog.NewCustomWithoutButtons(T("regs.title", map[string]any{"Topic": s.Topic}), v.content, w)
	v.dlg.SetButtons([]fyne.CanvasObject{widget.NewButton(T("pay.close"), func() { v.dlg.Hide() })})
	v.dlg.SetOnClosed(func() {
		if onClosed != nil {
			onClosed()
		}
	})
	v.dlg.Resize(fyne.NewSize(860, 600))
	v.dlg.Show()
	v.load()
	return v
}

func (v *registrationsView) build() {
	v.list = widget.NewList(
		func() int { return len(v.rows) },
		func() fyne.CanvasObject {
			cells := make([]fyne.CanvasObject, 5)
			for i := range cells {
				cells[i] = newCellLabel("")
			}
			return newColumns(registrationColumns, cells...)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(v.rows) {
				return
			}
			for i, t := range registrationRowTexts(v.rows[id]) {
				o.(*fyne.Container).Objects[i].(*cellLabel).SetText(t)
			}
		})
	v.list.OnSelected = func(id widget.ListItemID) { v.selected = id; v.showSelected() }
	v.detail = widget.NewLabel(T("regs.select_one"))
	v.detail.Wrapping = fyne.TextWrapWord
	v.message = widget.NewLabel("")
	v.message.Wrapping = fyne.TextWrapWord
	v.message.Hide()
	v.cancel = widget.NewButton(T("regs.cancel"), v.onCancel)
	v.refund = widget.NewButton(T("regs.refund"), v.onRefund)
	v.receipt = widget.NewButton(T("receipt.save"), v.onReceipt)
	v.export = widget.NewButton(T("regs.export"), v.onExport)
	v.showSelected()
	header := newColumns(registrationColumns, boldLabel(T("regs.col_attendee")), boldLabel(T("regs.col_status")),
		boldLabel(T("regs.col_method")), boldLabel(T("regs.col_amount")), boldLabel(T("regs.col_discount")))
	bottom := container.NewVBox(widget.NewSeparator(), v.detail, v.message,
		container.NewHBox(v.cancel, v.refund, v.receipt, v.export))
	list := container.NewBorder(header, nil, nil, nil, v.list)
	sized := container.NewGridWrap(fyne.NewSize(820, 300), list)
	v.content = container.NewBorder(nil, bottom, nil, nil, sized)
}

// registrationStatusText is a status in the UI language.
func registrationStatusText(s app.RegistrationStatus) string { return T("regs.status." + string(s)) }

// registrationColumns are the widths of attendee (name and email), status,
// method, amount and discount.
var registrationColumns = []float32{3.2, 1.4, 1.7, 1.6, 1.6}

func registrationRowTexts(r app.Registration) []string {
	method := ""
	if r.Method == app.MethodExpressCheckout {
		method = T("payinfo.method_paypal")
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

func (v *registrationsView) load() {
	v.deps.run(func() {
		rows, total, err := v.deps.Sessions.Registrations(context.Background(), app.RegistrationFilter{SessionID: v.session.ID, Limit: 1000})
		fyne.Do(func() {
			if err != nil {
				v.showMessage(ErrorText(err), widget.DangerImportance)
				return
			}
			v.rows, v.total = rows, total
			v.list.Refresh()
			if v.selected >= len(v.rows) {
				v.selected = -1
			}
			v.showSelected()
		})
	})
}

func (v *registrationsView) current() (app.Registration, bool) {
	if v.selected < 0 || v.selected >= len(v.rows) {
		return app.Registration{}, false
	}
	return v.rows[v.selected], true
}

func (v *registrationsView) showSelected() {
	r, ok := v.current()
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

// registrationsCSV is the accounting export of a session.
func registrationsCSV(ctx context.Context, deps Deps, sessionID int64) ([]byte, error) {
	rows, _, err := deps.Sessions.Registrations(ctx, app.RegistrationFilter{SessionID: sessionID})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := app.WriteRegistrationsCSV(&buf, rows); err != nil {
		return nil, app.Internal(err, "write the CSV export")
	}
	return buf.Bytes(), nil
}

func (v *registrationsView) onExport() {
	v.deps.run(func() {
		data, err := registrationsCSV(context.Background(), v.deps, v.session.ID)
		fyne.Do(func() {
			if err != nil {
				v.showMessage(ErrorText(err), widget.DangerImportance)
				return
			}
			save := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
				if err != nil || wc == nil {
					return
				}
				_, werr := wc.Write(data)
				if err := errors.Join(werr, wc.Close()); err != nil {
					v.showMessage(ErrorText(app.Internal(err, "save the CSV export")), widget.DangerImportance)
					return
				}
				v.showMessage(T("regs.exported", map[string]any{"Path": wc.URI().Path()}), widget.SuccessImportance)
			}, v.win)
			save.SetFileName(T("regs.export_file", map[string]any{"ID": v.session.ID}) + ".csv")
			save.Resize(fyne.NewSize(700, 500))
			save.Show()
		})
	})
}
