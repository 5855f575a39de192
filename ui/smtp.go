package ui

import (
	"context"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/widgets"
)

// smtpTab is site administration's outgoing mail server: host, port, TLS
// mode, user, password (kept in the keychain), sender, and a test message.
type smtpTab struct {
	s          *adminScreen
	content    fyne.CanvasObject
	host       *widgets.Entry
	port       *widgets.Entry
	tls        *widgets.Select
	user       *widgets.Entry
	password   *widgets.Entry
	sender     *widgets.Entry
	senderName *widgets.Entry
	save       *widgets.Button
	testTo     *widgets.Entry
	test       *widgets.Button
	note       *widget.Label
	errs       map[string]*widget.Label // the fields' message lines, by app field
}

func newSMTPTab(s *adminScreen) *smtpTab {
	t := &smtpTab{s: s, errs: map[string]*widget.Label{}}
	withErr := func(field string, o fyne.CanvasObject) fyne.CanvasObject {
		t.errs[field] = newFieldMessage()
		return withMessage(o, t.errs[field])
	}
	t.host = widgets.NewEntry()
	t.host.SetPlaceHolder(example("smtp.example.com"))
	t.port = widgets.NewEntry()
	t.port.SetText("587")
	names := make([]string, len(app.SMTPTLSModes))
	for i, m := range app.SMTPTLSModes {
		names[i] = T("smtp.tls." + string(m))
	}
	t.tls = newChoice(names, nil)
	t.tls.SetSelectedIndex(0)
	t.user = widgets.NewEntry()
	t.password = widgets.NewPasswordEntry()
	t.sender = widgets.NewEntry()
	t.sender.SetPlaceHolder(example(T("placeholder.sender")))
	t.senderName = widgets.NewEntry()
	t.save = widgets.NewButton(T("admin.save"), t.onSave)
	t.save.Importance = widget.HighImportance
	t.testTo = widgets.NewEntry()
	t.testTo.SetPlaceHolder(T("smtp.test_to"))
	t.test = widgets.NewButton(T("smtp.send_test"), t.onTest)
	t.note = widget.NewLabel(T("smtp.password_note"))
	t.note.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem(T("smtp.host"), withErr(app.SMTPFieldHost, t.host)),
		widget.NewFormItem(T("smtp.port"), withErr(app.SMTPFieldPort, t.port)),
		widget.NewFormItem(T("smtp.tls"), withErr(app.SMTPFieldTLS, t.tls)),
		widget.NewFormItem(T("smtp.user"), t.user),
		widget.NewFormItem(T("smtp.password"), t.password),
		widget.NewFormItem(T("smtp.sender"), withErr(app.SMTPFieldSender, t.sender)),
		widget.NewFormItem(T("smtp.sender_name"), withErr(string(app.FieldSenderName), t.senderName)),
	)
	t.content = container.NewVScroll(container.NewPadded(container.NewVBox(form, t.note, container.NewHBox(t.save),
		widget.NewSeparator(), withErr(app.FieldRecipientEmail, container.NewBorder(nil, nil, nil, t.test, t.testTo)))))
	return t
}

func (t *smtpTab) load() {
	t.s.deps.run(func() {
		set, err := t.s.deps.Promo.SMTPSettings(context.Background())
		has := t.s.deps.Promo.HasSMTPPassword()
		fyne.Do(func() {
			if err != nil && app.ErrorCode(err) != app.ENOTFOUND {
				t.s.failed(err)
				return
			}
			if has {
				t.password.SetPlaceHolder(T("smtp.password_kept"))
			}
			if err != nil {
				return
			}
			t.host.SetText(set.Host)
			t.port.SetText(strconv.Itoa(set.Port))
			for i, m := range app.SMTPTLSModes {
				if m == set.TLS {
					t.tls.SetSelectedIndex(i)
				}
			}
			t.user.SetText(set.User)
			t.sender.SetText(set.Sender)
			t.senderName.SetText(set.SenderName)
		})
	})
}

func (t *smtpTab) onSave() {
	port, _ := strconv.Atoi(t.port.Text)
	set := app.SMTPSettings{Host: t.host.Text, Port: port, User: t.user.Text, Sender: t.sender.Text, SenderName: t.senderName.Text}
	if i := t.tls.SelectedIndex(); i >= 0 {
		set.TLS = app.SMTPTLSModes[i]
	}
	password := t.password.Text
	t.save.Disable()
	t.s.clearStatus()
	clearFields(t.errs)
	t.s.deps.run(func() {
		err := t.s.deps.Promo.SaveSMTPSettings(context.Background(), t.s.admin, set, password)
		fyne.Do(func() {
			t.save.Enable()
			if err != nil {
				t.s.refused(err, t.errs)
				return
			}
			t.password.SetText("")
			t.s.changed(T("smtp.saved"))
			t.load()
		})
	})
}

func (t *smtpTab) onTest() {
	to := t.testTo.Text
	t.test.Disable()
	t.s.clearStatus()
	clearFields(t.errs)
	t.s.deps.run(func() {
		err := t.s.deps.Promo.SendTestMessage(context.Background(), t.s.admin, to)
		fyne.Do(func() {
			t.test.Enable()
			if err != nil {
				t.s.refused(err, t.errs)
				return
			}
			t.s.changed(T("smtp.test_sent", map[string]any{"To": to}))
		})
	})
}
