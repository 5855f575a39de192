package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/widgets"
)

// templateLanguages are the message's languages, in the order the
// language choice lists them.
var templateLanguages = []string{"en", "pl"}

// templateEditor edits the promotional message in Polish and English: the
// subject and text with their %Placeholders%, a preview for a sample
// recipient, and a reset to the built-in text. Unknown placeholders are
// reported as they are typed and block saving.
type templateEditor struct {
	s      *promoScreen
	lang   *widgets.Select
	subj   *widgets.Entry
	body   *widgets.Entry
	msg    *widget.Label // unknown placeholders, or why saving failed
	prev   *widget.Label // the preview
	save   *widgets.Button
	reset  *widgets.Button
	dlg    *widgets.Dialog
	drafts map[string]app.PromoMailTemplate // edits per language, kept when switching
	shown  string                           // the language in the entries
	// resetConfirm is the open "reset?" question, for tests.
	resetConfirm *widgets.Dialog
}

func (s *promoScreen) onTemplate() {
	e := &templateEditor{s: s, drafts: map[string]app.PromoMailTemplate{}}
	s.template = e
	e.lang = newChoice([]string{"English", "Polski"}, func(string) { e.onLanguage() })
	e.subj = widgets.NewEntry()
	e.subj.OnChanged = func(string) { e.onEdited() }
	e.body = widgets.NewMultiLineEntry()
	e.body.Wrapping = fyne.TextWrapWord
	e.body.SetMinRowsVisible(9)
	e.body.OnChanged = func(string) { e.onEdited() }
	e.msg = widget.NewLabel("")
	e.msg.Wrapping = fyne.TextWrapWord
	e.msg.Importance = widget.DangerImportance
	e.prev = widget.NewLabel("")
	e.prev.Wrapping = fyne.TextWrapWord
	help := widget.NewLabel(T("promo.template_help", map[string]any{"Placeholders": strings.Join(app.PromoPlaceholders, " ")}))
	help.Wrapping = fyne.TextWrapWord
	e.save = widgets.NewButton(T("admin.save"), e.onSave)
	e.save.Importance = widget.HighImportance
	e.reset = widgets.NewButton(T("promo.template_reset"), e.onReset)
	preview := widgets.NewButton(T("promo.template_preview"), e.onPreview)
	closeBtn := widgets.NewButton(T("promo.close"), func() { e.dlg.Hide() })
	form := widget.NewForm(
		widget.NewFormItem(T("promo.send_language"), e.lang),
		widget.NewFormItem(T("promo.template_subject"), e.subj),
		widget.NewFormItem(T("promo.template_body"), e.body),
	)
	previewBox := container.NewVBox(widget.NewLabelWithStyle(T("promo.template_preview_heading"), fyne.TextAlignLeading,
		fyne.TextStyle{Bold: true}), e.prev)
	body := container.NewVBox(form, help, e.msg, container.NewHBox(closeBtn, e.reset, preview, e.save),
		widget.NewSeparator(), previewBox)
	e.dlg = widgets.NewCustomWithoutButtons(T("promo.template"), container.NewVScroll(body), s.win)
	e.dlg.SetDefault(e.save)
	e.dlg.SetCancel(closeBtn)
	e.dlg.Resize(fyne.NewSize(720, 640))
	if s.site.Language == "pl" {
		e.lang.SetSelectedIndex(1)
	} else {
		e.lang.SetSelectedIndex(0)
	}
	e.dlg.Show()
}

func (e *templateEditor) language() string {
	if i := e.lang.SelectedIndex(); i >= 0 {
		return templateLanguages[i]
	}
	return "en"
}

// current is the template in the entries.
func (e *templateEditor) current() app.PromoMailTemplate {
	return app.PromoMailTemplate{Language: e.shown, Subject: e.subj.Text, Body: e.body.Text}
}

// onLanguage keeps the shown language's edits and shows the other one: a
// draft when there is one, else the saved (or built-in) template.
func (e *templateEditor) onLanguage() {
	if e.shown != "" {
		e.drafts[e.shown] = e.current()
	}
	lang := e.language()
	if d, ok := e.drafts[lang]; ok {
		e.show(d)
		return
	}
	e.s.deps.run(func() {
		t, err := e.s.deps.Promo.Template(context.Background(), lang)
		fyne.Do(func() {
			if err != nil {
				e.msg.SetText(ErrorText(err))
				return
			}
			if e.language() == lang {
				e.show(t)
			}
		})
	})
}

func (e *templateEditor) show(t app.PromoMailTemplate) {
	e.shown = t.Language
	e.subj.SetText(t.Subject)
	e.body.SetText(t.Body)
	e.onEdited()
	e.onPreview()
}

// onEdited reports unknown placeholders while the person types.
func (e *templateEditor) onEdited() {
	if e.shown == "" {
		return
	}
	if err := app.CheckPlaceholders(e.current()); err != nil {
		e.msg.SetText(ErrorText(err))
		return
	}
	e.msg.SetText("")
}

func (e *templateEditor) onPreview() {
	t := e.current()
	codeID := e.s.selected
	e.s.deps.run(func() {
		m, err := e.s.deps.Promo.PreviewTemplate(context.Background(), t, codeID)
		fyne.Do(func() {
			if err != nil {
				e.prev.SetText(ErrorText(err))
				return
			}
			e.prev.SetText(T("promo.template_preview_text", map[string]any{
				"To":      m.ToName + " <" + m.To + ">",
				"Subject": m.Subject,
			}) + "\n\n" + m.Body)
		})
	})
}

func (e *templateEditor) onSave() {
	t := e.current()
	// Checked here too, so a template with a typo never reaches the
	// service; the service checks again.
	if err := app.CheckPlaceholders(t); err != nil {
		e.msg.SetText(ErrorText(err))
		return
	}
	e.save.Disable()
	e.s.deps.run(func() {
		err := e.s.deps.Promo.SaveTemplate(context.Background(), t)
		fyne.Do(func() {
			e.save.Enable()
			if err != nil {
				e.msg.SetText(ErrorText(err))
				return
			}
			delete(e.drafts, t.Language)
			e.msg.SetText("")
			e.s.done(T("promo.template_saved", map[string]any{"Language": languageName(t.Language)}))
		})
	})
}

// onReset asks, then forgets the saved template of the shown language, so
// the built-in text is used again.
func (e *templateEditor) onReset() {
	lang := e.shown
	d := widgets.NewConfirm(T("promo.template_reset"), T("promo.template_reset_confirm",
		map[string]any{"Language": languageName(lang)}), func(yes bool) {
		if !yes {
			return
		}
		e.s.deps.run(func() {
			t, err := e.s.deps.Promo.ResetTemplate(context.Background(), lang)
			fyne.Do(func() {
				if err != nil {
					e.msg.SetText(ErrorText(err))
					return
				}
				delete(e.drafts, lang)
				if e.shown == lang {
					e.show(t)
				}
				e.s.done(T("promo.template_reset_done", map[string]any{"Language": languageName(lang)}))
			})
		})
	}, e.s.win)
	d.SetConfirmText(T("promo.template_reset"))
	d.SetDismissText(T("dialog.cancel"))
	e.resetConfirm = d
	d.Show()
}

// languageName is "in English" or "in Polish" in the UI language.
func languageName(lang string) string {
	if lang == "pl" {
		return T("promo.template_in_pl")
	}
	return T("promo.template_in_en")
}
