package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/checkout"
	"github.com/trainpay/trainpay/ui/widgets"
)

// registerFlow is registration for one session, in one dialog whose page
// changes: the attendee's details, then (for a paid session) Payment
// Information, then the confirmation with the receipt.
type registerFlow struct {
	deps    Deps
	win     fyne.Window
	session app.Session
	onDone  func()
	dlg     *widgets.Dialog
	body    *fyne.Container

	first, last, email, company *widgets.Entry
	country                     *widgets.Select
	countryCodes                []string
	language                    *widgets.Select
	message                     *widget.Label
	next                        *widgets.Button
	cancel                      *widgets.Button
	busy                        bool
	// errs are the fields' message lines, by app field: a refusal is said
	// beside its field; message says one that names none.
	errs map[string]*widget.Label

	reg     app.Registration
	payment *checkout.PaymentInfo // the Payment Information page, once shown
}

// showRegisterDialog opens registration for s over w; onDone runs when the
// dialog closes.
func showRegisterDialog(deps Deps, w fyne.Window, s app.Session, onDone func()) *registerFlow {
	f := &registerFlow{deps: deps, win: w, session: s, onDone: onDone}
	f.buildAttendeePage()
	f.dlg = widgets.NewCustomWithoutButtons(T("register.title", map[string]any{"Topic": s.Topic}), f.body, w)
	f.dlg.SetButtons([]fyne.CanvasObject{f.cancel, f.next})
	f.dlg.SetOnClosed(func() {
		if f.payment != nil {
			f.payment.Abandon()
		}
		if f.onDone != nil {
			f.onDone()
		}
	})
	f.dlg.Resize(fyne.NewSize(620, 560))
	f.dlg.Show()
	w.Canvas().Focus(f.first)
	return f
}

func (f *registerFlow) buildAttendeePage() {
	changed := func(string) { f.revalidate() }
	f.first, f.last, f.email, f.company = widgets.NewEntry(), widgets.NewEntry(), widgets.NewEntry(), widgets.NewEntry()
	for _, e := range []*widgets.Entry{f.first, f.last, f.email, f.company} {
		e.OnChanged = changed
	}
	f.email.SetPlaceHolder(example(T("placeholder.email")))
	var names []string
	for _, c := range countries() {
		names = append(names, c.Name)
		f.countryCodes = append(f.countryCodes, c.Code)
	}
	f.country = newChoice(names, nil)
	region := systemRegion()
	for i, c := range f.countryCodes {
		if c == region {
			f.country.SetSelectedIndex(i)
		}
	}
	f.language = newChoice([]string{"English", "Polski"}, nil)
	if Language() == "pl" {
		f.language.SetSelectedIndex(1)
	} else {
		f.language.SetSelectedIndex(0)
	}
	f.message = widget.NewLabel("")
	f.message.Wrapping = fyne.TextWrapWord
	f.message.Importance = widget.DangerImportance
	f.message.Hide()
	nextText := T("register.register")
	if f.session.Type == app.SessionPaid {
		nextText = T("register.continue")
	}
	f.next = widgets.NewButton(nextText, f.onRegister)
	f.next.Importance = widget.HighImportance
	f.cancel = widgets.NewButton(T("dialog.cancel"), func() { f.dlg.Hide() })

	what := widget.NewLabel(f.sessionLine())
	what.Wrapping = fyne.TextWrapWord
	f.errs = map[string]*widget.Label{}
	withErr := func(field string, o fyne.CanvasObject) fyne.CanvasObject {
		f.errs[field] = newFieldMessage()
		return withMessage(o, f.errs[field])
	}
	form := widget.NewForm(
		widget.NewFormItem(T("register.first_name"), withErr(string(app.FieldFirstName), f.first)),
		widget.NewFormItem(T("register.last_name"), withErr(string(app.FieldLastName), f.last)),
		widget.NewFormItem(T("register.email"), withErr(app.FieldAttendeeEmail, f.email)),
		widget.NewFormItem(T("register.company"), withErr(string(app.FieldCompany), f.company)),
		widget.NewFormItem(T("register.country"), withErr(app.SiteFieldCountry, f.country)),
		widget.NewFormItem(T("register.language"), withErr(app.SiteFieldLanguage, f.language)),
	)
	f.body = container.NewStack(container.NewVBox(what, widget.NewSeparator(), form, f.message))
	f.revalidate()
}

func (f *registerFlow) sessionLine() string {
	fee := T("sessions.free")
	if f.session.Type == app.SessionPaid {
		fee = formatMinor(f.session.FeeMinor, f.session.Currency)
	}
	return T("register.session_line", map[string]any{
		"Topic": f.session.Topic,
		"Start": formatWhen(f.session.StartsAt, f.session.Location()), "Fee": fee,
	})
}

func (f *registerFlow) attendee() app.Attendee {
	a := app.Attendee{
		FirstName: f.first.Text, LastName: f.last.Text, Email: f.email.Text, Company: f.company.Text,
		Language: "en",
	}
	if i := f.country.SelectedIndex(); i >= 0 {
		a.Country = f.countryCodes[i]
	}
	if f.language.SelectedIndex() == 1 {
		a.Language = "pl"
	}
	a.Normalize()
	return a
}

func (f *registerFlow) revalidate() {
	a := f.attendee()
	err := a.Validate()
	typed := strings.TrimSpace(f.email.Text) != ""
	// The email's problem once one is typed, and the text rule's at once,
	// beside the field; a required name says nothing until Register.
	shown := ""
	if key := app.AsError(err); err != nil && (typed && key.Key == "error.registration.email" || strings.HasPrefix(key.Key, "error.text.")) {
		shown = key.Field
	}
	for field, l := range f.errs {
		if field == shown {
			setFieldMessage(l, ErrorText(err))
		} else {
			setFieldMessage(l, "")
		}
	}
	if err != nil || f.busy {
		f.next.Disable()
	} else {
		f.next.Enable()
	}
}

func (f *registerFlow) onRegister() {
	a := f.attendee()
	if a.Validate() != nil || f.busy {
		return
	}
	f.busy = true
	f.next.Disable()
	f.deps.run(func() {
		reg, err := f.deps.Sessions.Register(context.Background(), f.session.ID, a)
		fyne.Do(func() {
			f.busy = false
			if err != nil {
				f.revalidate()
				if l, ok := f.errs[fieldOf(err)]; ok {
					setFieldMessage(l, ErrorText(err))
					return
				}
				f.message.SetText(sentence(ErrorText(err)))
				f.message.Show()
				return
			}
			f.reg = reg
			if reg.Status == app.RegPendingPayment {
				f.showPaymentInfo()
				return
			}
			f.showConfirmed(reg)
		})
	})
}

// setPage replaces the dialog's content and buttons.
func (f *registerFlow) setPage(o fyne.CanvasObject, buttons ...fyne.CanvasObject) {
	f.body.Objects = []fyne.CanvasObject{o}
	f.body.Refresh()
	f.dlg.SetButtons(buttons)
}

func (f *registerFlow) showPaymentInfo() {
	f.payment = checkout.NewPaymentInfo(f.deps.checkoutServices(), f.win, f.session, f.reg, f.showConfirmed)
	closeBtn := widgets.NewButton(T("dialog.cancel"), func() { f.dlg.Hide() })
	f.setPage(f.payment.Content(), closeBtn, f.payment.PayButton())
	f.payment.Load()
}

// showConfirmed is the last page: the confirmation number, and the receipt
// for a paid registration.
func (f *registerFlow) showConfirmed(reg app.Registration) {
	f.reg = reg
	title := widget.NewLabelWithStyle(T("register.confirmed"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Importance = widget.SuccessImportance
	number := widget.NewLabelWithStyle(T("register.confirmation", map[string]any{"Number": reg.Confirmation}),
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	detail := widget.NewLabel(f.sessionLine())
	detail.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(title, number, detail)
	closeBtn := widgets.NewButton(T("pay.close"), func() { f.dlg.Hide() })
	buttons := []fyne.CanvasObject{closeBtn}
	if reg.Status == app.RegPaid {
		box.Add(checkout.PaidLines(reg))
		save := widgets.NewButton(T("receipt.save"), func() { saveReceiptDialog(f.deps, f.win, reg.ID) })
		save.Importance = widget.HighImportance
		buttons = append(buttons, save)
	}
	f.setPage(box, buttons...)
}
