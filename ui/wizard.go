package ui

import (
	"context"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
)

// wizard is the first-run wizard: the site's details, then the site
// administrator's passphrase, then a summary to confirm. Nothing is written
// until Create; Back keeps every value.
type wizard struct {
	deps   Deps
	done   func()
	step   int
	body   *fyne.Container
	errMsg *widget.Label
	back   *widget.Button
	next   *widget.Button

	content fyne.CanvasObject

	name       *widget.Entry
	country    *widget.Select
	countryCds []string
	currency   *widget.Select
	timeZone   *widget.SelectEntry
	language   *widget.Select
	pass       *widget.Entry
	confirm    *widget.Entry
}

func newWizard(deps Deps, done func()) *wizard {
	w := &wizard{deps: deps, done: done}
	w.name = widget.NewEntry()
	w.name.SetPlaceHolder(T("wizard.site_name_placeholder"))

	cs := countries()
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
		w.countryCds = append(w.countryCds, c.Code)
	}
	codes := currency.GetCurrencyCodes()
	sort.Strings(codes)
	w.currency = newSelect(codes, nil)
	w.timeZone = widget.NewSelectEntry(commonTimeZones)
	w.country = newSelect(names, func(string) { w.onCountry() })
	w.language = newSelect([]string{"English", "Polski"}, nil)
	if Language() == "pl" {
		w.language.SetSelectedIndex(1)
	} else {
		w.language.SetSelectedIndex(0)
	}
	// Propose the country of the operating system's locale.
	if region := systemRegion(); region != "" {
		for i, c := range w.countryCds {
			if c == region {
				w.country.SetSelectedIndex(i)
			}
		}
	}
	w.pass = widget.NewPasswordEntry()
	w.confirm = widget.NewPasswordEntry()

	w.errMsg = widget.NewLabel("")
	w.errMsg.Wrapping = fyne.TextWrapWord
	w.errMsg.Importance = widget.DangerImportance
	w.back = widget.NewButton(T("wizard.back"), w.onBack)
	w.next = widget.NewButton(T("wizard.next"), w.onNext)
	w.next.Importance = widget.HighImportance
	w.body = container.NewStack()

	title := widget.NewLabelWithStyle(T("wizard.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	intro := widget.NewLabel(T("wizard.intro"))
	intro.Wrapping = fyne.TextWrapWord
	buttons := container.NewHBox(w.back, w.next)
	w.content = container.NewPadded(container.NewBorder(
		container.NewVBox(title, intro, widget.NewSeparator()),
		container.NewVBox(w.errMsg, container.NewBorder(nil, nil, nil, buttons)),
		nil, nil, container.NewVScroll(w.body)))
	w.show(0)
	return w
}

func (w *wizard) onCountry() {
	i := w.country.SelectedIndex()
	if i < 0 {
		return
	}
	code := w.countryCds[i]
	if cur, ok := app.DefaultCurrency(code); ok {
		w.currency.SetSelected(cur)
	}
	w.timeZone.SetText(defaultTimeZone(code))
}

func (w *wizard) site() app.Site {
	s := app.Site{
		Name:     w.name.Text,
		Currency: w.currency.Selected,
		TimeZone: w.timeZone.Text,
		Language: "en",
		Mode:     app.ModeTest,
	}
	if i := w.country.SelectedIndex(); i >= 0 {
		s.Country = w.countryCds[i]
	}
	if w.language.SelectedIndex() == 1 {
		s.Language = "pl"
	}
	s.Normalize()
	return s
}

func (w *wizard) show(step int) {
	w.step = step
	w.errMsg.SetText("")
	w.back.Hidden = step == 0
	w.back.Refresh()
	var page fyne.CanvasObject
	switch step {
	case 0:
		w.next.SetText(T("wizard.next"))
		page = widget.NewForm(
			widget.NewFormItem(T("site.name"), w.name),
			widget.NewFormItem(T("site.country"), w.country),
			widget.NewFormItem(T("site.currency"), w.currency),
			widget.NewFormItem(T("site.time_zone"), w.timeZone),
			widget.NewFormItem(T("site.language"), w.language),
		)
	case 1:
		w.next.SetText(T("wizard.next"))
		hint := widget.NewLabel(T("wizard.passphrase_hint", map[string]any{"Min": app.MinPassphraseLen}))
		hint.Wrapping = fyne.TextWrapWord
		page = container.NewVBox(hint, widget.NewForm(
			widget.NewFormItem(T("wizard.passphrase"), w.pass),
			widget.NewFormItem(T("wizard.passphrase_confirm"), w.confirm),
		))
	case 2:
		w.next.SetText(T("wizard.create"))
		s := w.site()
		summary := widget.NewForm(
			widget.NewFormItem(T("site.name"), widget.NewLabel(s.Name)),
			widget.NewFormItem(T("site.country"), widget.NewLabel(countryName(s.Country))),
			widget.NewFormItem(T("site.currency"), widget.NewLabel(s.Currency)),
			widget.NewFormItem(T("site.time_zone"), widget.NewLabel(s.TimeZone)),
			widget.NewFormItem(T("site.language"), widget.NewLabel(w.language.Selected)),
			widget.NewFormItem(T("site.mode"), widget.NewLabel(T("mode.test"))),
		)
		note := widget.NewLabel(T("wizard.summary_note"))
		note.Wrapping = fyne.TextWrapWord
		page = container.NewVBox(summary, note)
	}
	w.body.Objects = []fyne.CanvasObject{page}
	w.body.Refresh()
}

func (w *wizard) onBack() {
	if w.step > 0 {
		w.show(w.step - 1)
	}
}

func (w *wizard) onNext() {
	switch w.step {
	case 0:
		if err := w.site().Validate(); err != nil {
			w.errMsg.SetText(ErrorText(err))
			return
		}
		w.show(1)
	case 1:
		if err := app.ValidatePassphrase(w.pass.Text); err != nil {
			w.errMsg.SetText(ErrorText(err))
			return
		}
		if w.pass.Text != w.confirm.Text {
			w.errMsg.SetText(T("wizard.passphrase_mismatch"))
			return
		}
		w.show(2)
	case 2:
		w.create()
	}
}

func (w *wizard) create() {
	site, pass := w.site(), w.pass.Text
	w.next.Disable()
	w.back.Disable()
	w.errMsg.SetText(T("wizard.creating"))
	w.deps.run(func() {
		err := w.deps.Site.Setup(context.Background(), site, pass)
		fyne.Do(func() {
			w.next.Enable()
			w.back.Enable()
			if err != nil {
				w.errMsg.SetText(ErrorText(err))
				return
			}
			w.pass.SetText("")
			w.confirm.SetText("")
			w.done()
		})
	})
}
