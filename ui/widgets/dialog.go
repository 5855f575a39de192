package widgets

import (
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Dialog is Fyne's custom dialog (dialog.NewCustomWithoutButtons) that the
// keyboard works: its buttons are this package's, Enter and Return press
// its default button (the HighImportance one) from a single-line entry, a
// check box, a drop-down or with nothing focused, Escape cancels it from
// any widget of this package or with nothing focused, and showing it
// focuses its first field (or, with no field, its default button).
type Dialog struct {
	*dialog.CustomDialog
	parent  fyne.Window
	buttons []fyne.CanvasObject
	def     *Button
	cancel  *Button
	onEsc   func()
	first   fyne.Focusable

	popup fyne.CanvasObject // the overlay shown, while shown
	// beforeShow sizes a text dialog as Fyne's own do.
	beforeShow func()
}

// NewCustomWithoutButtons makes a dialog of content with no buttons yet;
// give it some with SetButtons.
func NewCustomWithoutButtons(title string, content fyne.CanvasObject, parent fyne.Window) *Dialog {
	d := &Dialog{CustomDialog: dialog.NewCustomWithoutButtons(title, content, parent), parent: parent}
	d.CustomDialog.SetOnClosed(func() {
		if d.popup != nil {
			unregister(d.parent.Canvas(), d)
			d.popup = nil
		}
	})
	return d
}

// NewCustom makes a dialog of content with one button, labelled dismiss,
// that closes it; Enter and Escape both close it.
func NewCustom(title, dismiss string, content fyne.CanvasObject, parent fyne.Window) *Dialog {
	d := NewCustomWithoutButtons(title, content, parent)
	b := NewButton(dismiss, d.Hide)
	d.SetButtons([]fyne.CanvasObject{b})
	d.SetDefault(b)
	d.SetCancel(b)
	return d
}

// ShowCustom shows NewCustom's dialog.
func ShowCustom(title, dismiss string, content fyne.CanvasObject, parent fyne.Window) {
	NewCustom(title, dismiss, content, parent).Show()
}

// SetButtons lays out the dialog's buttons, left to right. The last
// *Button among them of HighImportance becomes the default one unless
// SetDefault names another.
func (d *Dialog) SetButtons(buttons []fyne.CanvasObject) {
	d.buttons = buttons
	if d.def == nil || !d.has(d.def) {
		d.def = nil
		for _, o := range buttons {
			if b, ok := o.(*Button); ok && b.Importance == widget.HighImportance {
				d.def = b
			}
		}
	}
	if d.cancel != nil && !d.has(d.cancel) {
		d.cancel = nil
	}
	d.CustomDialog.SetButtons(buttons)
}

func (d *Dialog) has(b *Button) bool {
	for _, o := range d.buttons {
		if o == b {
			return true
		}
	}
	return false
}

// SetDefault makes b (one of the dialog's buttons) the default one: drawn
// as HighImportance and pressed by Enter. Nil leaves the dialog without one.
func (d *Dialog) SetDefault(b *Button) {
	d.def = b
	if b != nil && b.Importance != widget.HighImportance {
		b.Importance = widget.HighImportance
		b.Refresh()
	}
}

// Default is the button that Enter presses, or nil.
func (d *Dialog) Default() *Button { return d.def }

// SetCancel makes Escape press b (a button that closes the dialog in its
// own way); without one Escape hides the dialog.
func (d *Dialog) SetCancel(b *Button) { d.cancel = b }

// SetOnEscape makes Escape run f instead (f decides whether to close).
func (d *Dialog) SetOnEscape(f func()) { d.onEsc = f }

// FocusOnShow names the widget focused when the dialog is shown, instead
// of its first field.
func (d *Dialog) FocusOnShow(f fyne.Focusable) { d.first = f }

// Show shows the dialog, registers it for Escape and Enter and focuses
// its first field, or its default button when it has no field.
func (d *Dialog) Show() {
	if d.beforeShow != nil {
		d.beforeShow()
	}
	c := d.parent.Canvas()
	d.CustomDialog.Show()
	d.popup = c.Overlays().Top()
	register(c, d)
	d.focusFirst(c)
}

func (d *Dialog) focusFirst(c fyne.Canvas) {
	if d.first != nil {
		c.Focus(d.first)
		return
	}
	// Fyne's focus manager walks the top overlay in the order drawn: the
	// content, then the buttons.
	c.FocusNext()
	f := c.Focused()
	if f == nil || d.isButton(f) {
		if d.def != nil && !d.def.Disabled() {
			c.Focus(d.def)
		}
	}
}

func (d *Dialog) isButton(f fyne.Focusable) bool {
	for _, o := range d.buttons {
		if fo, ok := o.(fyne.Focusable); ok && fo == f {
			return true
		}
	}
	return false
}

// Hide closes the dialog (its OnClosed callbacks run).
func (d *Dialog) Hide() { d.CustomDialog.Hide() }

// Dismiss closes the dialog as its cancel would.
func (d *Dialog) Dismiss() { d.Hide() }

// Shown says whether the dialog is on its window now.
func (d *Dialog) Shown() bool { return d.popup != nil && onCanvas(d.parent.Canvas(), d.popup) }

// Cancel is what Escape does: SetOnEscape's function, else the cancel
// button's action (if enabled), else Hide.
func (d *Dialog) Cancel() {
	switch {
	case d.onEsc != nil:
		d.onEsc()
	case d.cancel != nil:
		if !d.cancel.Disabled() && d.cancel.Visible() && d.cancel.OnTapped != nil {
			d.cancel.OnTapped()
		}
	default:
		d.Hide()
	}
}

// Submit is what Enter does: it presses the default button when there is
// one, shown and enabled, and says whether it did.
func (d *Dialog) Submit() bool {
	b := d.def
	if b == nil || b.Disabled() || !b.Visible() || b.OnTapped == nil {
		return false
	}
	b.OnTapped()
	return true
}

// newAnswerDialog is a dialog whose callback hears whether it was confirmed, as
// Fyne's confirm and form dialogs call theirs.
func newAnswerDialog(title string, content fyne.CanvasObject, confirm, dismiss string, callback func(bool), parent fyne.Window) (*Dialog, *Button, *Button) {
	d := NewCustomWithoutButtons(title, content, parent)
	var yes bool
	no := NewButtonWithIcon(dismiss, theme.CancelIcon(), func() { yes = false; d.Hide() })
	ok := NewButtonWithIcon(confirm, theme.ConfirmIcon(), func() { yes = true; d.Hide() })
	d.SetOnClosed(func() {
		answer := yes
		yes = false
		if callback != nil {
			callback(answer)
		}
	})
	d.SetButtons([]fyne.CanvasObject{no, ok})
	d.SetDefault(ok)
	d.SetCancel(no)
	return d, ok, no
}

// NewCustomConfirm makes a dialog of content with a dismiss and a confirm
// button (the default); callback hears true after confirm, false after
// dismiss, Escape or Hide.
func NewCustomConfirm(title, confirm, dismiss string, content fyne.CanvasObject, callback func(bool), parent fyne.Window) *Dialog {
	d, _, _ := newAnswerDialog(title, content, confirm, dismiss, callback, parent)
	return d
}

// ShowCustomConfirm shows NewCustomConfirm's dialog.
func ShowCustomConfirm(title, confirm, dismiss string, content fyne.CanvasObject, callback func(bool), parent fyne.Window) {
	NewCustomConfirm(title, confirm, dismiss, content, callback, parent).Show()
}

// NewConfirm asks message with Fyne's Yes (the default) and No; callback
// hears the answer (false after Escape).
func NewConfirm(title, message string, callback func(bool), parent fyne.Window) *Dialog {
	d, _, _ := newAnswerDialog(title, textLabel(message), lang.L("Yes"), lang.L("No"), callback, parent)
	d.SetIcon(theme.QuestionIcon())
	d.sizeForText(message)
	return d
}

// ShowConfirm shows NewConfirm's dialog.
func ShowConfirm(title, message string, callback func(bool), parent fyne.Window) {
	NewConfirm(title, message, callback, parent).Show()
}

// NewInformation tells message with one OK button (Enter and Escape close it).
func NewInformation(title, message string, parent fyne.Window) *Dialog {
	return newText(title, message, theme.InfoIcon(), parent)
}

// ShowInformation shows NewInformation's dialog.
func ShowInformation(title, message string, parent fyne.Window) {
	NewInformation(title, message, parent).Show()
}

// NewError tells err's text (its first letter capitalised, as Fyne does)
// under Fyne's "Error" title.
func NewError(err error, parent fyne.Window) *Dialog {
	text := err.Error()
	if r, size := utf8.DecodeRuneInString(text); r != utf8.RuneError {
		text = string(unicode.ToUpper(r)) + text[size:]
	}
	return newText(lang.L("Error"), text, theme.ErrorIcon(), parent)
}

// ShowError shows NewError's dialog.
func ShowError(err error, parent fyne.Window) {
	NewError(err, parent).Show()
}

func newText(title, message string, icon fyne.Resource, parent fyne.Window) *Dialog {
	d := NewCustom(title, lang.L("OK"), textLabel(message), parent)
	// Fyne's information dialog draws its OK button plain.
	d.def.Importance = widget.MediumImportance
	d.SetIcon(icon)
	d.sizeForText(message)
	return d
}

func textLabel(message string) fyne.CanvasObject {
	return &widget.Label{Text: message, Alignment: fyne.TextAlignCenter, Wrapping: fyne.TextWrapWord}
}

// sizeForText gives a text dialog the width Fyne's own text dialogs take:
// the text's width unwrapped, at most 600 and at most 90% of the window.
func (d *Dialog) sizeForText(message string) {
	const padWidth = 32 // Fyne's dialog padding (dialog/base.go)
	noWrap := widget.NewLabel(message).MinSize().Width + padWidth + theme.Padding()*2
	d.beforeShow = func() {
		w := fyne.Min(fyne.Min(noWrap, 600), d.parent.Canvas().Size().Width*.9)
		d.Resize(fyne.NewSize(w, d.MinSize().Height))
	}
}

// FormDialog is Fyne's form dialog (dialog.NewForm) that the keyboard
// works as Dialog does: Enter in a single-line field submits it when the
// form is valid, Escape cancels it, the first field is focused.
type FormDialog struct {
	*Dialog
	form    *widget.Form
	confirm *Button
}

// NewForm makes a dialog of items with a dismiss and a confirm button (the
// default, enabled while every item is valid); callback hears true after
// confirm or Enter, false after dismiss, Escape or Hide.
func NewForm(title, confirm, dismiss string, items []*widget.FormItem, callback func(bool), parent fyne.Window) *FormDialog {
	form := widget.NewForm(items...)
	d, ok, _ := newAnswerDialog(title, form, confirm, dismiss, callback, parent)
	fd := &FormDialog{Dialog: d, form: form, confirm: ok}
	setState := func(err error) {
		if err != nil {
			ok.Disable()
			return
		}
		ok.Enable()
	}
	setState(form.Validate())
	form.SetOnValidationChanged(setState)
	return fd
}

// ShowForm shows NewForm's dialog.
func ShowForm(title, confirm, dismiss string, items []*widget.FormItem, callback func(bool), parent fyne.Window) {
	NewForm(title, confirm, dismiss, items, callback, parent).Show()
}

// Submit confirms the form when it is valid.
func (d *FormDialog) Submit() {
	d.Dialog.Submit()
}
