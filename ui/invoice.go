package ui

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"text/template"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/checkout"
)

// InvoiceReceiptMessage writes the email that carries the receipt of a
// registration paid by PayPal invoice: subject and text in the attendee's
// language (the site's when theirs is not offered), the PDF receipt
// attached. It is app.InvoiceReceipts.Compose.
func InvoiceReceiptMessage(deps Deps) func(ctx context.Context, r app.Registration) (app.MailMessage, error) {
	return func(ctx context.Context, r app.Registration) (app.MailMessage, error) {
		site, s, reg, err := deps.Sessions.ReceiptFor(ctx, r.ID)
		if err != nil {
			return app.MailMessage{}, err
		}
		language := reg.Language
		if !app.ValidLanguage(language) {
			language = site.Language
		}
		var pdf bytes.Buffer
		if err := writeReceipt(ctx, deps, r.ID, &pdf); err != nil {
			return app.MailMessage{}, err
		}
		data := map[string]any{"Name": reg.Name(), "Session": s.Topic, "Site": site.Name, "Number": reg.Confirmation}
		subject, err := messageIn(language, "invoice.receipt.subject", data)
		if err != nil {
			return app.MailMessage{}, err
		}
		body, err := messageIn(language, "invoice.receipt.body", data)
		if err != nil {
			return app.MailMessage{}, err
		}
		file, err := messageIn(language, "invoice.receipt.file", data)
		if err != nil {
			return app.MailMessage{}, err
		}
		return app.MailMessage{
			To: reg.Email, ToName: reg.Name(), Subject: subject, Body: body,
			Attachments: []app.MailAttachment{{Name: file, ContentType: "application/pdf", Data: pdf.Bytes()}},
		}, nil
	}
}

// messageIn is a translation in a language other than the interface's
// (an attendee's), filled with data as lang fills the interface's.
func messageIn(language, key string, data map[string]any) (string, error) {
	msgs, err := Messages(language)
	if err != nil {
		return "", app.Internal(err, "read the translations")
	}
	text, _ := msgs[key].(string)
	if text == "" {
		return "", app.Internal(nil, "no translation "+key+" in "+language)
	}
	tpl, err := template.New(key).Option("missingkey=error").Parse(text)
	if err != nil {
		return "", app.Internal(err, "a translation's template")
	}
	var b strings.Builder
	if err := tpl.Execute(&b, data); err != nil {
		return "", app.Internal(err, "a translation's template")
	}
	return b.String(), nil
}

// InvoiceService is app.InvoiceService as the screens use it.
type InvoiceService interface {
	Send(ctx context.Context, req app.SendRequest) (app.Invoice, error)
	SendAll(ctx context.Context, sessionID int64, due time.Time, progress app.BulkProgress) (int, error)
	Remind(ctx context.Context, registrationID int64, note string) error
	Cancel(ctx context.Context, registrationID int64, note string) (app.Invoice, error)
	PayPalDown() (since time.Time, err error)
	Invoice(ctx context.Context, registrationID int64) (app.Invoice, error)
	Offered(ctx context.Context) bool
	States(ctx context.Context, registrationIDs []int64) (map[int64]app.InvoiceState, error)
}

var _ InvoiceService = (*app.InvoiceService)(nil)

// invoiceDueLayout is how the coordinator types the due time, in the
// session's time zone.
const invoiceDueLayout = "2006-01-02 15:04"

// invoiceActions are the registrations view's PayPal invoice actions: the
// selected registration's invoice (its state, the payer's link to copy),
// send, remind and cancel, and send to every unpaid registration with
// progress and cancel. Hooked into registrationsView (one field, one row
// of buttons, one call in showSelected).
type invoiceActions struct {
	v       *registrationsView
	state   *widget.Label
	link    *widget.Entry
	copy    *widget.Button
	send    *widget.Button
	remind  *widget.Button
	cancel  *widget.Button
	sendAll *widget.Button
	banner  *widget.Label
	box     fyne.CanvasObject

	mu     sync.Mutex
	states map[int64]app.InvoiceState // the listed registrations' invoices
}

// readStates reads the invoice states of a page of the list (off the UI
// thread, with the page).
func (a *invoiceActions) readStates(ctx context.Context, rows []app.Registration) {
	if a == nil || a.v.deps.Invoices == nil || len(rows) == 0 {
		return
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	states, err := a.v.deps.Invoices.States(ctx, ids)
	if err != nil {
		return // the list still shows the registrations' own status
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.states == nil {
		a.states = map[int64]app.InvoiceState{}
	}
	for _, id := range ids {
		if st, ok := states[id]; ok {
			a.states[id] = st
		} else {
			delete(a.states, id)
		}
	}
}

// statusText is a registration's status as the list shows it: for one
// waiting for payment through a PayPal invoice, the invoice's state
// ("Awaiting online payment"); otherwise text, the registration's own.
func (a *invoiceActions) statusText(r app.Registration, text string) string {
	if a == nil || r.Status != app.RegPendingPayment {
		return text
	}
	a.mu.Lock()
	st, ok := a.states[r.ID]
	a.mu.Unlock()
	if ok && st.Open() {
		return T("invoice.list_state." + string(st))
	}
	return text
}

func newInvoiceActions(v *registrationsView) *invoiceActions {
	a := &invoiceActions{v: v}
	a.state = widget.NewLabel("")
	a.state.Wrapping = fyne.TextWrapWord
	a.link = widget.NewEntry()
	a.link.Disable()
	a.copy = widget.NewButton(T("invoice.copy_link"), func() {
		fyne.CurrentApp().Clipboard().SetContent(a.link.Text)
		v.showMessage(T("invoice.link_copied"), widget.SuccessImportance)
	})
	a.send = widget.NewButton(T("invoice.send"), a.onSend)
	a.remind = widget.NewButton(T("invoice.remind"), a.onRemind)
	a.cancel = widget.NewButton(T("invoice.cancel"), a.onCancel)
	a.sendAll = widget.NewButton(T("invoice.send_all"), a.onSendAll)
	a.banner = widget.NewLabel("")
	a.banner.Importance = widget.WarningImportance
	a.banner.Wrapping = fyne.TextWrapWord
	a.banner.Hide()
	a.box = container.NewVBox(a.banner, a.state, container.NewBorder(nil, nil, nil, a.copy, a.link),
		container.NewHBox(a.send, a.remind, a.cancel, a.sendAll))
	if v.deps.Invoices == nil {
		a.box.Hide()
	}
	return a
}

// invoiceStateText is an invoice's state in the UI language.
func invoiceStateText(s app.InvoiceState) string { return T("invoice.state." + string(s)) }

// show reads the selected registration's invoice.
func (a *invoiceActions) show(r app.Registration, ok bool) {
	if a.v.deps.Invoices == nil {
		return
	}
	a.showBanner()
	a.link.SetText("")
	a.copy.Disable()
	a.remind.Disable()
	a.cancel.Disable()
	setEnabled(a.send, ok && r.Status == app.RegPendingPayment && r.TotalMinor > 0)
	if !ok {
		a.state.SetText("")
		return
	}
	a.v.deps.run(func() {
		inv, err := a.v.deps.Invoices.Invoice(context.Background(), r.ID)
		fyne.Do(func() {
			if cur, still := a.v.current(); !still || cur.ID != r.ID {
				return
			}
			switch {
			case app.ErrorCode(err) == app.ENOTFOUND:
				a.state.SetText(T("invoice.none"))
			case err != nil:
				a.state.SetText(ErrorText(err))
			default:
				text := T("invoice.state_line", map[string]any{"Number": inv.Number, "State": invoiceStateText(inv.State)})
				if inv.State == app.InvoiceNeedsReview && inv.RawStatus != "" {
					text += " " + T("invoice.review_reason", map[string]any{"Reason": inv.RawStatus})
				}
				a.state.SetText(text)
				a.link.SetText(inv.PayerLink)
				setEnabled(a.copy, inv.PayerLink != "")
				setEnabled(a.send, inv.State == app.InvoiceCreating && r.Status == app.RegPendingPayment)
				setEnabled(a.remind, inv.State == app.InvoiceAwaitingPayment)
				setEnabled(a.cancel, inv.State.Open() || inv.State == app.InvoicePaid)
			}
		})
	})
}

// showBanner says when PayPal could not be read by the last poll.
func (a *invoiceActions) showBanner() {
	if since, down := a.v.deps.Invoices.PayPalDown(); down != nil {
		a.banner.SetText(T("invoice.paypal_down_banner", map[string]any{"Since": since.Local().Format("15:04")}))
		a.banner.Show()
	} else {
		a.banner.Hide()
	}
}

// dueEntry asks for the due time, in the session's time zone.
func (a *invoiceActions) dueEntry() *widget.Entry {
	e := widget.NewEntry()
	e.SetText(checkout.DefaultInvoiceDue(a.v.session, time.Now()).Format(invoiceDueLayout))
	return e
}

func (a *invoiceActions) parseDue(text string) (time.Time, error) {
	due, err := time.ParseInLocation(invoiceDueLayout, strings.TrimSpace(text), a.v.session.Location())
	if err != nil {
		return time.Time{}, app.Errorf(app.EINVALID, "error.invoice.due_format", "type the due time as %s", invoiceDueLayout)
	}
	return due, nil
}

func (a *invoiceActions) onSend() {
	r, ok := a.v.current()
	if !ok {
		return
	}
	due := a.dueEntry()
	form := []*widget.FormItem{widget.NewFormItem(T("invoice.due", map[string]any{"Zone": a.v.session.TimeZone}), due)}
	dialog.ShowForm(T("invoice.send"), T("invoice.send_ok"), T("pay.close"), form, func(yes bool) {
		if !yes {
			return
		}
		at, err := a.parseDue(due.Text)
		if err != nil {
			a.v.showMessage(ErrorText(err), widget.DangerImportance)
			return
		}
		a.send.Disable()
		a.v.deps.run(func() {
			inv, err := a.v.deps.Invoices.Send(context.Background(), app.SendRequest{RegistrationID: r.ID, Due: at})
			fyne.Do(func() {
				if err != nil {
					a.v.showMessage(ErrorText(err), widget.DangerImportance)
				} else {
					a.v.showMessage(T("invoice.sent", map[string]any{"Name": r.Name(), "Number": inv.Number}), widget.SuccessImportance)
				}
				a.v.load()
				a.show(r, true)
			})
		})
	}, a.v.win)
}

func (a *invoiceActions) onRemind() {
	r, ok := a.v.current()
	if !ok {
		return
	}
	a.v.deps.run(func() {
		err := a.v.deps.Invoices.Remind(context.Background(), r.ID, "")
		fyne.Do(func() {
			if err != nil {
				a.v.showMessage(ErrorText(err), widget.DangerImportance)
			} else {
				a.v.showMessage(T("invoice.reminded", map[string]any{"Name": r.Name()}), widget.SuccessImportance)
			}
		})
	})
}

func (a *invoiceActions) onCancel() {
	r, ok := a.v.current()
	if !ok {
		return
	}
	dialog.ShowConfirm(T("invoice.cancel"), T("invoice.cancel_confirm", map[string]any{"Name": r.Name()}), func(yes bool) {
		if !yes {
			return
		}
		a.v.deps.run(func() {
			inv, err := a.v.deps.Invoices.Cancel(context.Background(), r.ID, "")
			fyne.Do(func() {
				if err != nil {
					a.v.showMessage(ErrorText(err), widget.DangerImportance)
				} else {
					a.v.showMessage(T("invoice.state_line", map[string]any{"Number": inv.Number, "State": invoiceStateText(inv.State)}),
						widget.SuccessImportance)
				}
				a.v.load()
				a.show(r, true)
			})
		})
	}, a.v.win)
}

// onSendAll sends a payment request to every unpaid registration of the
// session, with a progress bar and Cancel (which stops after the one in
// flight).
func (a *invoiceActions) onSendAll() {
	due := a.dueEntry()
	form := []*widget.FormItem{widget.NewFormItem(T("invoice.due", map[string]any{"Zone": a.v.session.TimeZone}), due)}
	dialog.ShowForm(T("invoice.send_all"), T("invoice.send_ok"), T("pay.close"), form, func(yes bool) {
		if !yes {
			return
		}
		at, err := a.parseDue(due.Text)
		if err != nil {
			a.v.showMessage(ErrorText(err), widget.DangerImportance)
			return
		}
		ctx, stop := context.WithCancel(context.Background())
		bar := widget.NewProgressBar()
		line := widget.NewLabel(T("invoice.send_all_starting"))
		prog := dialog.NewCustomWithoutButtons(T("invoice.send_all"), container.NewVBox(line, bar), a.v.win)
		prog.SetButtons([]fyne.CanvasObject{widget.NewButton(T("invoice.stop"), stop)})
		prog.Show()
		a.v.deps.run(func() {
			failed := 0
			sent, err := a.v.deps.Invoices.SendAll(ctx, a.v.session.ID, at, func(done, total int, r app.Registration, err error) {
				if err != nil {
					failed++
				}
				fyne.Do(func() {
					bar.SetValue(float64(done) / float64(total))
					line.SetText(T("invoice.send_all_progress", map[string]any{"Done": done, "Total": total, "Name": r.Name()}))
				})
			})
			stop()
			fyne.Do(func() {
				prog.Hide()
				msg := T("invoice.send_all_done", map[string]any{"Sent": sent, "Failed": failed})
				imp := widget.SuccessImportance
				if err != nil && ctx.Err() == nil {
					msg, imp = ErrorText(err), widget.DangerImportance
				} else if failed > 0 {
					imp = widget.WarningImportance
				}
				a.v.showMessage(msg, imp)
				a.v.load()
			})
		})
	}, a.v.win)
}
